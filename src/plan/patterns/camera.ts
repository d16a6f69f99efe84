import { UserError } from '../../errors.js';
import type { PlanSettings } from '../types.js';

/** Ground width a nadir camera sees across track from altitudeM. */
export function swathWidthM(altitudeM: number, hfovDeg: number): number {
  return 2 * altitudeM * Math.tan((hfovDeg * Math.PI) / 360);
}

/** Swath width and the spacing between transects that gives the side overlap asked for. */
export function swathSpacing(
  settings: PlanSettings,
  altitudeM: number,
): { swathWidthM: number; spacingM: number } {
  if (!(settings.cameraHfovDeg > 0 && settings.cameraHfovDeg < 180)) {
    throw new UserError(`camera field of view ${settings.cameraHfovDeg}° must be between 0 and 180`);
  }
  if (!(settings.overlapPct >= 0 && settings.overlapPct < 100)) {
    throw new UserError(`side overlap ${settings.overlapPct} % must be at least 0 and below 100`);
  }
  const widthM = swathWidthM(altitudeM, settings.cameraHfovDeg);
  return { swathWidthM: widthM, spacingM: widthM * (1 - settings.overlapPct / 100) };
}
