import { ardupilotmega } from 'node-mavlink';

const { CopterMode } = ardupilotmega;

/** The ArduPilot Copter flight modes the simulator flies (custom_mode numbers as in Copter 4.7). */
const SIM_MODES = [
  CopterMode.STABILIZE,
  CopterMode.ALT_HOLD,
  CopterMode.AUTO,
  CopterMode.GUIDED,
  CopterMode.LOITER,
  CopterMode.RTL,
  CopterMode.LAND,
  CopterMode.POSHOLD,
  CopterMode.BRAKE,
] as const;

export type SimMode = (typeof SIM_MODES)[number];

/** Modes that need a position estimate (Copter's `requires_GPS()`). */
const POSITION_MODES: ReadonlySet<number> = new Set([
  CopterMode.AUTO,
  CopterMode.GUIDED,
  CopterMode.LOITER,
  CopterMode.RTL,
  CopterMode.POSHOLD,
  CopterMode.BRAKE,
]);

/** Modes Copter arms in from a ground station (AUTO, RTL and LAND refuse: "Mode not armable"). */
const ARMABLE_MODES: ReadonlySet<number> = new Set([
  CopterMode.STABILIZE,
  CopterMode.ALT_HOLD,
  CopterMode.GUIDED,
  CopterMode.LOITER,
  CopterMode.POSHOLD,
]);

/** Modes in which the autopilot flies the heartbeat's MAV_MODE_FLAG_GUIDED_ENABLED. */
const GUIDED_FLAG_MODES: ReadonlySet<number> = new Set([
  CopterMode.AUTO,
  CopterMode.GUIDED,
  CopterMode.LOITER,
  CopterMode.RTL,
  CopterMode.POSHOLD,
  CopterMode.BRAKE,
]);

export function isSimMode(customMode: number): customMode is SimMode {
  return (SIM_MODES as readonly number[]).includes(customMode);
}

export function modeName(customMode: number): string {
  return CopterMode[customMode] ?? `MODE_${customMode}`;
}

export function modeRequiresPosition(mode: SimMode): boolean {
  return POSITION_MODES.has(mode);
}

export function modeIsArmable(mode: SimMode): boolean {
  return ARMABLE_MODES.has(mode);
}

export function modeSetsGuidedFlag(mode: SimMode): boolean {
  return GUIDED_FLAG_MODES.has(mode);
}
