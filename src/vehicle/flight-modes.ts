import { UserError } from '../errors.js';

/** MAV_AUTOPILOT values we speak to by name. */
export const MAV_AUTOPILOT_ARDUPILOTMEGA = 3;
export const MAV_AUTOPILOT_PX4 = 12;

export type Firmware = 'ardupilot' | 'px4' | 'other';

export function firmwareOf(autopilot: number): Firmware {
  if (autopilot === MAV_AUTOPILOT_ARDUPILOTMEGA) return 'ardupilot';
  if (autopilot === MAV_AUTOPILOT_PX4) return 'px4';
  return 'other';
}

/** ArduPilot Copter custom_mode numbers (ArduCopter/mode.h). */
const COPTER_MODES: Record<number, string> = {
  0: 'STABILIZE',
  1: 'ACRO',
  2: 'ALT_HOLD',
  3: 'AUTO',
  4: 'GUIDED',
  5: 'LOITER',
  6: 'RTL',
  7: 'CIRCLE',
  9: 'LAND',
  11: 'DRIFT',
  13: 'SPORT',
  14: 'FLIP',
  15: 'AUTOTUNE',
  16: 'POSHOLD',
  17: 'BRAKE',
  18: 'THROW',
  19: 'AVOID_ADSB',
  20: 'GUIDED_NOGPS',
  21: 'SMART_RTL',
  22: 'FLOWHOLD',
  23: 'FOLLOW',
  24: 'ZIGZAG',
  25: 'SYSTEMID',
  26: 'AUTOROTATE',
  27: 'AUTO_RTL',
  28: 'TURTLE',
};

/** PX4 main modes (px4_custom_mode.h); custom_mode = sub << 24 | main << 16. */
const PX4_MAIN_MODES: Record<number, string> = {
  1: 'MANUAL',
  2: 'ALTCTL',
  3: 'POSCTL',
  4: 'AUTO',
  5: 'ACRO',
  6: 'OFFBOARD',
  7: 'STABILIZED',
  8: 'RATTITUDE',
};
const PX4_AUTO_SUB_MODES: Record<number, string> = {
  1: 'READY',
  2: 'TAKEOFF',
  3: 'LOITER',
  4: 'MISSION',
  5: 'RTL',
  6: 'LAND',
  8: 'FOLLOW_TARGET',
  9: 'PRECLAND',
};

/**
 * dustpatrol's mode names are ArduPilot's; on PX4 the same intent maps to these main/sub modes.
 * GUIDED on PX4 is position control with commands (AUTO.LOITER accepts reposition and takeoff).
 */
const PX4_BY_INTENT: Record<string, [main: number, sub: number]> = {
  AUTO: [4, 4],
  LOITER: [4, 3],
  GUIDED: [4, 3],
  RTL: [4, 5],
  LAND: [4, 6],
  TAKEOFF: [4, 2],
  POSHOLD: [3, 0],
  ALT_HOLD: [2, 0],
  STABILIZE: [7, 0],
};

export function flightModeName(firmware: Firmware, customMode: number): string {
  if (firmware === 'ardupilot') return COPTER_MODES[customMode] ?? `MODE(${customMode})`;
  if (firmware === 'px4') {
    const main = (customMode >>> 16) & 0xff;
    const sub = (customMode >>> 24) & 0xff;
    const mainName = PX4_MAIN_MODES[main] ?? `MODE(${main})`;
    if (main !== 4) return mainName;
    return `AUTO.${PX4_AUTO_SUB_MODES[sub] ?? sub}`;
  }
  return `MODE(${customMode})`;
}

/** The MAV_CMD_DO_SET_MODE params 2 and 3 for a mode name; a clear error for an unknown one. */
export function setModeParams(firmware: Firmware, name: string): [customMode: number, subMode: number] {
  const upper = name.toUpperCase();
  if (firmware === 'px4') {
    const px4 = PX4_BY_INTENT[upper];
    if (!px4) throw new UserError(`mode '${name}' is not one dustpatrol can set on PX4`, 2);
    return px4;
  }
  const entry = Object.entries(COPTER_MODES).find(([, modeName]) => modeName === upper);
  if (!entry) {
    throw new UserError(
      `unknown flight mode '${name}' (ArduPilot Copter modes: ${Object.values(COPTER_MODES).join(', ')})`,
      2,
    );
  }
  return [Number(entry[0]), 0];
}

/** True when a reported mode name means the vehicle is flying its mission. */
export function isMissionMode(modeName: string): boolean {
  return modeName === 'AUTO' || modeName === 'AUTO.MISSION';
}
