import {
  geometryToPlane,
  type LatLonBox,
  type LocalFrame,
  latLonBoxesNear,
  latLonBoxOf,
  offsetOutward,
  type PlanePolygon,
  segmentClear,
  shortestClearPath,
  type Vec2,
} from '../../geo/index.js';
import type { NoFlyZone, SiteGeometry } from '../../sites/index.js';

/** Distance pattern legs keep from a no-fly zone: a multirotor holds its line within a few metres in wind. */
export const NO_FLY_MARGIN_M = 10;
/** Detour corners sit this much beyond the margin, so a leg between two of them clears it. */
const CORNER_CLEARANCE_M = 1;

/** Zones are shared by every site of a plan: their boxes are worked out once. */
const zoneBoxes = new WeakMap<NoFlyZone, LatLonBox>();

/** A no-fly zone as patterns see it, in the site's frame. */
export interface Obstacle {
  id: string;
  /** The zone grown by NO_FLY_MARGIN_M: no pattern leg enters it. */
  keepOut: PlanePolygon[];
  /** Where a detour around the zone may turn. */
  corners: Vec2[];
}

/** The zones within reachM of the site, the only ones a pattern can meet. */
export function obstaclesNear(
  zones: readonly NoFlyZone[],
  frame: LocalFrame,
  site: SiteGeometry,
  reachM: number,
): Obstacle[] {
  const siteBox = latLonBoxOf(site);
  const near: Obstacle[] = [];
  for (const zone of zones) {
    let zoneBox = zoneBoxes.get(zone);
    if (!zoneBox) {
      zoneBox = latLonBoxOf(zone.geometry);
      zoneBoxes.set(zone, zoneBox);
    }
    if (!latLonBoxesNear(siteBox, zoneBox, reachM + NO_FLY_MARGIN_M)) continue;
    const outers = geometryToPlane(zone.geometry, frame).map((p) => p.outer);
    near.push({
      id: zone.id,
      keepOut: offsetOutward(outers, NO_FLY_MARGIN_M).map((outer) => ({ outer, holes: [] })),
      corners: offsetOutward(outers, NO_FLY_MARGIN_M + CORNER_CLEARANCE_M).flat(),
    });
  }
  return near;
}

export function keepOutOf(obstacles: readonly Obstacle[]): PlanePolygon[] {
  return obstacles.flatMap((o) => o.keepOut);
}

/** One leg of a pattern path; `fixed` legs are clear by construction and are not re-routed. */
export interface Leg {
  to: Vec2;
  fixed: boolean;
}

/**
 * The path from `start` along the legs, each free leg bent around the obstacles where needed;
 * null when boxed in.
 */
export function routeAround(
  start: Vec2,
  legs: readonly Leg[],
  obstacles: readonly Obstacle[],
): Vec2[] | null {
  const path = [start];
  const keepOut = keepOutOf(obstacles);
  const corners = obstacles.flatMap((o) => o.corners);
  for (const leg of legs) {
    const from = path[path.length - 1];
    if (leg.fixed || keepOut.length === 0 || segmentClear(from, leg.to, keepOut)) {
      path.push(leg.to);
      continue;
    }
    const detour = shortestClearPath(from, leg.to, keepOut, corners);
    if (!detour) return null;
    path.push(...detour);
  }
  return path;
}
