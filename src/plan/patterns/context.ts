import { UserError } from '../../errors.js';
import { frameAround, geometryToPlane, type LocalFrame, type PlanePolygon } from '../../geo/index.js';
import type { NoFlyZone, Site } from '../../sites/index.js';
import type { PlanSettings } from '../types.js';
import { type Obstacle, obstaclesNear } from './obstacles.js';

/** How far past a site's outline any pattern leg reaches, beyond the perimeter offset. */
const PATTERN_REACH_M = 100;

/** What every pattern builder works from: the site in its own metric frame and the zones near it. */
export interface PatternContext {
  site: Site;
  settings: PlanSettings;
  frame: LocalFrame;
  polygons: PlanePolygon[];
  obstacles: Obstacle[];
  /** The ground is taken as level with the launch point, so this is also the height above ground. */
  altitudeRelM: number;
}

export function patternContext(
  site: Site,
  settings: PlanSettings,
  noFlyZones: readonly NoFlyZone[],
): PatternContext {
  const altitudeRelM = settings.altitudeRelM;
  if (!(altitudeRelM > 0 && altitudeRelM <= settings.maxAltitudeAglM)) {
    throw new UserError(
      `pattern altitude ${altitudeRelM} m must be above 0 and at most the ` +
        `${settings.maxAltitudeAglM} m AGL limit`,
    );
  }
  const frame = frameAround(site.geometry);
  const polygons = geometryToPlane(site.geometry, frame);
  if (polygons.length === 0)
    throw new UserError(`site ${site.id} (feature ${site.featureIndex}): empty geometry`);
  const reachM = Math.max(settings.perimeterOffsetM, 0) + PATTERN_REACH_M;
  return {
    site,
    settings,
    frame,
    polygons,
    obstacles: obstaclesNear(noFlyZones, frame, site.geometry, reachM),
    altitudeRelM,
  };
}
