import type { MissionItem } from '../../src/mavlink/index.js';

const NAV_WAYPOINT = 16;
const FRAME_GLOBAL = 0;
const FRAME_GLOBAL_RELATIVE_ALT = 3;

/**
 * A patrol of `count` items, home at seq 0. Latitudes and longitudes are whole degE7 and params are
 * float32 values, so what the vehicle holds equals them exactly.
 */
export function patrolItems(count: number, variant = 0): MissionItem[] {
  const items: MissionItem[] = [
    {
      command: NAV_WAYPOINT,
      frame: FRAME_GLOBAL,
      param1: 0,
      param2: 0,
      param3: 0,
      param4: 0,
      x: 47.3977418,
      y: 8.5455939,
      z: 488,
      autocontinue: true,
    },
  ];
  for (let seq = 1; seq < count; seq++) {
    items.push({
      command: NAV_WAYPOINT,
      frame: FRAME_GLOBAL_RELATIVE_ALT,
      param1: (seq + variant) % 3,
      param2: 0.5,
      param3: 0,
      param4: Number.NaN,
      x: (473_977_418 + seq * 137 + variant) / 1e7,
      y: (85_455_939 - seq * 91) / 1e7,
      z: 30 + (seq % 7) * 2.5,
      autocontinue: true,
    });
  }
  return items;
}
