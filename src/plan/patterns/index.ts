import type { NoFlyZone, Site } from '../../sites/index.js';
import type { PlanSettings, SitePattern } from '../types.js';
import { choosePattern } from './choose.js';
import { patternContext } from './context.js';
import { coveragePattern } from './coverage.js';
import { perimeterPattern } from './perimeter.js';
import { pointWatchPattern } from './point-watch.js';

export { swathSpacing, swathWidthM } from './camera.js';
export { choosePattern, PERIMETER_MAX_AREA_M2, POINT_WATCH_MAX_AREA_M2, patternForAreaM2 } from './choose.js';
export { TURNAROUND_M } from './coverage.js';
export { pathTimeS, turnPenaltyS, WAYPOINT_ACCEL_MS2 } from './objective.js';
export { NO_FLY_MARGIN_M } from './obstacles.js';

/** The watch pattern for one site, keeping clear of the no-fly zones. */
export function buildSitePattern(
  site: Site,
  settings: PlanSettings,
  noFlyZones: readonly NoFlyZone[],
): SitePattern {
  const ctx = patternContext(site, settings, noFlyZones);
  switch (choosePattern(site, settings)) {
    case 'point':
      return pointWatchPattern(ctx);
    case 'perimeter':
      return perimeterPattern(ctx);
    case 'coverage':
      return coveragePattern(ctx);
  }
}

/** Area coverage with the transects forced to headingDeg (compass, degrees): to compare directions. */
export function buildCoveragePattern(
  site: Site,
  settings: PlanSettings,
  noFlyZones: readonly NoFlyZone[],
  headingDeg?: number,
): SitePattern {
  return coveragePattern(patternContext(site, settings, noFlyZones), headingDeg);
}
