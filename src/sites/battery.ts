import { length, lineString } from '@turf/turf';
import { DEFAULT_PLAN_SETTINGS } from '../plan/settings.js';
import type { PlanSettings } from '../plan/types.js';
import type { Site, SiteGeometry } from './types.js';

type BatterySettings = Pick<PlanSettings, 'cruiseSpeedMs' | 'enduranceS' | 'reservePct'>;

/** Length of a site's outer boundary (every part's outer ring; holes excluded), metres. */
export function siteBoundaryLengthM(geometry: SiteGeometry): number {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  return polygons.reduce((sum, rings) => sum + length(lineString(rings[0]), { units: 'meters' }), 0);
}

/** Flight time a battery gives once the reserve is set aside, seconds. */
export function usableEnduranceS(settings: BatterySettings = DEFAULT_PLAN_SETTINGS): number {
  return settings.enduranceS * (1 - settings.reservePct / 100);
}

/** Time to fly once around the site's boundary at cruise speed: less than any watch of it takes, seconds. */
export function boundaryLapS(
  site: Pick<Site, 'geometry'>,
  settings: BatterySettings = DEFAULT_PLAN_SETTINGS,
): number {
  return siteBoundaryLengthM(site.geometry) / settings.cruiseSpeedMs;
}

/**
 * Whether one lap of the site's boundary at cruise speed fits in a battery's usable endurance. A
 * lower bound (no transit, no wind, no offset): false means no sortie can watch the site whole; true
 * does not promise that a given pattern fits.
 */
export function siteFitsOneBattery(
  site: Pick<Site, 'geometry'>,
  settings: BatterySettings = DEFAULT_PLAN_SETTINGS,
): boolean {
  return boundaryLapS(site, settings) <= usableEnduranceS(settings);
}
