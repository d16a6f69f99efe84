import { DEFAULT_CAMERA } from '../camera.js';
import type { PlanSettings } from './types.js';

/** Defaults for a 20–30 minute multirotor with an HD camera, patrolling at a legal height. */
export const DEFAULT_PLAN_SETTINGS: PlanSettings = {
  altitudeRelM: 60,
  transitAltitudeRelM: 80,
  maxAltitudeAglM: 120,
  cruiseSpeedMs: 10,
  climbSpeedMs: 2.5,
  descentSpeedMs: 1.5,
  enduranceS: 25 * 60,
  reservePct: 25,
  headwindMs: 3,
  cameraHfovDeg: DEFAULT_CAMERA.hfovDeg,
  overlapPct: 20,
  perimeterOffsetM: 30,
  pointWatchHoldS: 30,
  patternOverride: null,
};

export function planSettings(overrides: Partial<PlanSettings> = {}): PlanSettings {
  return { ...DEFAULT_PLAN_SETTINGS, ...overrides };
}
