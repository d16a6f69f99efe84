import { common } from 'node-mavlink';
import { UserError } from '../errors.js';
import { isGlobalFrame, type MissionItem, MissionType } from './mission-item.js';
import type { Target } from './target.js';

/** MAV_FRAMEs whose x/y are local positions in metres, sent as metres × 1e4 in the *_INT messages. */
const LOCAL_FRAMES = new Set([1, 4, 7, 8, 9, 12, 20, 21]);

const INT32_MAX = 2 ** 31 - 1;

/** A mission item as MISSION_ITEM_INT carries it: float32 params and z, scaled int32 x/y. */
export interface WireItem {
  command: number;
  frame: number;
  param1: number;
  param2: number;
  param3: number;
  param4: number;
  x: number;
  y: number;
  z: number;
  autocontinue: number;
}

/** The fields compared when a mission is read back, in the order they are reported. */
const WIRE_FIELDS = [
  'command',
  'frame',
  'param1',
  'param2',
  'param3',
  'param4',
  'x',
  'y',
  'z',
  'autocontinue',
] as const satisfies readonly (keyof WireItem)[];

export const MISSION_TYPE_NAMES: Record<MissionType, string> = {
  [MissionType.Mission]: 'mission',
  [MissionType.Fence]: 'fence',
  [MissionType.Rally]: 'rally',
};

export function isMissionType(value: number): value is MissionType {
  return value === MissionType.Mission || value === MissionType.Fence || value === MissionType.Rally;
}

function xyScale(frame: number): number {
  if (isGlobalFrame(frame)) return 1e7;
  return LOCAL_FRAMES.has(frame) ? 1e4 : 1;
}

/**
 * x or y (param5/6) as the int32 that MISSION_ITEM_INT and COMMAND_INT carry: degrees × 1e7 in global
 * frames, metres × 1e4 in local ones, as is otherwise. `where` names the item in the error.
 */
export function encodeXY(frame: number, value: number, axis: 'x' | 'y', where: string): number {
  if (!Number.isFinite(value)) throw new UserError(`${where}: ${axis} is ${value}, not a number`);
  if (isGlobalFrame(frame)) {
    const [name, limit] = axis === 'x' ? ['latitude', 90] : ['longitude', 180];
    if (Math.abs(value) > limit)
      throw new UserError(`${where}: ${name} ${value} is outside ±${limit} degrees`);
  }
  const scale = xyScale(frame);
  if (scale === 1 && !Number.isInteger(value)) {
    throw new UserError(
      `${where}: ${axis} ${value} must be a whole number in frame ${frame} (sent as int32)`,
    );
  }
  const scaled = Math.round(value * scale);
  if (Math.abs(scaled) > INT32_MAX)
    throw new UserError(`${where}: ${axis} ${value} does not fit an int32 in frame ${frame}`);
  return scaled;
}

export function decodeXY(frame: number, scaled: number): number {
  return scaled / xyScale(frame);
}

export function encodeMissionItem(item: MissionItem, where: string): WireItem {
  if (!Number.isInteger(item.command) || item.command < 0 || item.command > 0xffff) {
    throw new UserError(`${where}: command ${item.command} is not a MAV_CMD (0-65535)`);
  }
  if (!Number.isInteger(item.frame) || item.frame < 0 || item.frame > 0xff) {
    throw new UserError(`${where}: frame ${item.frame} is not a MAV_FRAME (0-255)`);
  }
  return {
    command: item.command,
    frame: item.frame,
    param1: Math.fround(item.param1),
    param2: Math.fround(item.param2),
    param3: Math.fround(item.param3),
    param4: Math.fround(item.param4),
    x: encodeXY(item.frame, item.x, 'x', where),
    y: encodeXY(item.frame, item.y, 'y', where),
    z: Math.fround(item.z),
    autocontinue: item.autocontinue ? 1 : 0,
  };
}

export function decodeMissionItem(wire: WireItem): MissionItem {
  return {
    command: wire.command,
    frame: wire.frame,
    param1: wire.param1,
    param2: wire.param2,
    param3: wire.param3,
    param4: wire.param4,
    x: decodeXY(wire.frame, wire.x),
    y: decodeXY(wire.frame, wire.y),
    z: wire.z,
    autocontinue: wire.autocontinue !== 0,
  };
}

/** MAV_FRAME_MISSION: no coordinate frame, the item has no position (RTL, DO_ and CONDITION_ items). */
const MAV_FRAME_MISSION = 2;

/**
 * The vehicle holds what was planned in `field`. ArduPilot stores missions compactly and reads back
 * what it did not store as 0: a parameter the command does not use (NaN in the plan; QGroundControl
 * writes it as null) matches any value, and an item planned without a frame (MAV_FRAME_MISSION) any
 * frame (ArduPilot reports MAV_FRAME_GLOBAL, 0).
 */
function holdsPlannedValue(field: keyof WireItem, planned: number, onVehicle: number): boolean {
  if (planned === onVehicle || Number.isNaN(planned)) return true;
  return field === 'frame' && planned === MAV_FRAME_MISSION;
}

export interface WireDifference {
  /** The first differing item; undefined when the counts differ. */
  seq: number | undefined;
  /** The first differing field, 'count' when the counts differ. */
  field: string;
  /** "seq 12, field param1: expected 5, vehicle has 0" */
  text: string;
}

/**
 * The first difference between a planned list and the vehicle's as they travel; `skipHome` leaves
 * seq 0 (home) out. What ArduPilot does not store of an item matches whatever it reads back (holdsPlannedValue).
 */
export function firstDifference(
  expected: WireItem[],
  actual: WireItem[],
  skipHome: boolean,
): WireDifference | undefined {
  if (actual.length !== expected.length) {
    return {
      seq: undefined,
      field: 'count',
      text: `vehicle has ${actual.length} items, expected ${expected.length}`,
    };
  }
  for (let seq = skipHome ? 1 : 0; seq < expected.length; seq++) {
    for (const field of WIRE_FIELDS) {
      const [a, b] = [expected[seq][field], actual[seq][field]];
      if (holdsPlannedValue(field, a, b)) continue;
      const show = (v: number) => (field === 'x' || field === 'y' ? decodeXY(expected[seq].frame, v) : v);
      return { seq, field, text: `seq ${seq}, field ${field}: expected ${show(a)}, vehicle has ${show(b)}` };
    }
  }
  return undefined;
}

export function wireItemOf(m: common.MissionItemInt): WireItem {
  return {
    command: m.command,
    frame: m.frame,
    param1: m.param1,
    param2: m.param2,
    param3: m.param3,
    param4: m.param4,
    x: m.x,
    y: m.y,
    z: m.z,
    autocontinue: m.autocontinue,
  };
}

export function missionItemIntMessage(
  wire: WireItem,
  seq: number,
  type: MissionType,
  to: Target,
): common.MissionItemInt {
  const m = new common.MissionItemInt();
  Object.assign(m, wire);
  m.targetSystem = to.sysid;
  m.targetComponent = to.compid;
  m.seq = seq;
  m.current = 0;
  m.missionType = type as number as common.MavMissionType;
  return m;
}

export function missionAckMessage(
  to: Target,
  type: number,
  result: common.MavMissionResult,
): common.MissionAck {
  const m = new common.MissionAck();
  m.targetSystem = to.sysid;
  m.targetComponent = to.compid;
  m.type = result;
  m.missionType = type as common.MavMissionType;
  m.opaqueId = 0;
  return m;
}

/** The mission protocol's messages, built here only, for the client and the server alike. */
export function missionCountMessage(to: Target, type: MissionType, count: number): common.MissionCount {
  const m = new common.MissionCount();
  m.targetSystem = to.sysid;
  m.targetComponent = to.compid;
  m.count = count;
  m.missionType = type as number as common.MavMissionType;
  m.opaqueId = 0;
  return m;
}

export function missionRequestIntMessage(
  to: Target,
  type: MissionType,
  seq: number,
): common.MissionRequestInt {
  const m = new common.MissionRequestInt();
  m.targetSystem = to.sysid;
  m.targetComponent = to.compid;
  m.seq = seq;
  m.missionType = type as number as common.MavMissionType;
  return m;
}

export function missionRequestListMessage(to: Target, type: MissionType): common.MissionRequestList {
  const m = new common.MissionRequestList();
  m.targetSystem = to.sysid;
  m.targetComponent = to.compid;
  m.missionType = type as number as common.MavMissionType;
  return m;
}

export function missionClearAllMessage(to: Target, type: MissionType): common.MissionClearAll {
  const m = new common.MissionClearAll();
  m.targetSystem = to.sysid;
  m.targetComponent = to.compid;
  m.missionType = type as number as common.MavMissionType;
  return m;
}

export function missionSetCurrentMessage(to: Target, seq: number): common.MissionSetCurrent {
  const m = new common.MissionSetCurrent();
  m.targetSystem = to.sysid;
  m.targetComponent = to.compid;
  m.seq = seq;
  return m;
}
