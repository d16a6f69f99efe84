import { area } from '@turf/turf';
import type { PatternKind, Site } from '../../sites/index.js';
import type { PlanSettings } from '../types.js';

/**
 * Up to 0.5 ha (a 70 m square) one hover point beside the site keeps all of it in frame at the
 * default height and offset, so a point watch sees as much as a loop would, for less time.
 */
export const POINT_WATCH_MAX_AREA_M2 = 5_000;
/**
 * Up to 3 ha (a 170 m square) the perimeter loop's oblique view reaches the middle of the site;
 * beyond it dust raised inside is not seen until it drifts out, so larger sites are swept.
 */
export const PERIMETER_MAX_AREA_M2 = 30_000;

export function patternForAreaM2(areaM2: number): PatternKind {
  if (areaM2 < POINT_WATCH_MAX_AREA_M2) return 'point';
  if (areaM2 < PERIMETER_MAX_AREA_M2) return 'perimeter';
  return 'coverage';
}

/** The command line's choice, else the site's `pattern` property, else the size rule. */
export function choosePattern(site: Site, settings: PlanSettings): PatternKind {
  return settings.patternOverride ?? site.pattern ?? patternForAreaM2(area(site.geometry));
}
