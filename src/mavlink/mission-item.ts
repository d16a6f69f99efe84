/** MAV_MISSION_TYPE: which of the vehicle's three lists a transfer addresses. */
export enum MissionType {
  Mission = 0,
  Fence = 1,
  Rally = 2,
}

/**
 * One mission item as a plan holds it: the MAVLink fields in plain units.
 * For global frames `x` is latitude and `y` longitude in degrees, `z` altitude in metres in the
 * frame's reference; for other frames x/y/z are the raw param5/6/7. The conversion to
 * MISSION_ITEM_INT's scaled integers happens in mavlink/ only.
 */
export interface MissionItem {
  /** MAV_CMD */
  command: number;
  /** MAV_FRAME */
  frame: number;
  param1: number;
  param2: number;
  param3: number;
  param4: number;
  x: number;
  y: number;
  z: number;
  autocontinue: boolean;
}

/** MAV_FRAMEs whose x/y are latitude/longitude (sent as degrees × 1e7 in MISSION_ITEM_INT). */
const GLOBAL_FRAMES = new Set([0, 3, 5, 6, 10, 11]);

export function isGlobalFrame(frame: number): boolean {
  return GLOBAL_FRAMES.has(frame);
}

/** MAV_CMD_NAV_LAST: commands up to it move the vehicle; those after it (CONDITION_, DO_) do not. */
const NAV_LAST = 95;

export function isNavCommand(command: number): boolean {
  return command <= NAV_LAST;
}
