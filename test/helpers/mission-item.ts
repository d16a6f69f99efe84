import { common } from 'node-mavlink';
import type { MissionItem } from '../../src/mavlink/index.js';

/** A mission item with every field zero (frame: relative altitude) but those given. */
export function missionItem(command: number, fields: Partial<MissionItem> = {}): MissionItem {
  return {
    command,
    frame: common.MavFrame.GLOBAL_RELATIVE_ALT,
    param1: 0,
    param2: 0,
    param3: 0,
    param4: 0,
    x: 0,
    y: 0,
    z: 0,
    autocontinue: true,
    ...fields,
  };
}
