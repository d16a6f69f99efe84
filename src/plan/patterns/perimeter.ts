import { UserError } from '../../errors.js';
import {
  closestPointOnRings,
  convexHull,
  densify,
  distanceM,
  offsetOutward,
  type PlanePolygon,
  pathLengthM,
  type Ring,
  segmentClear,
  simplifyRing,
  subtractPolygons,
  type Vec2,
} from '../../geo/index.js';
import type { SitePattern } from '../types.js';
import type { PatternContext } from './context.js';
import { pathTimeS } from './objective.js';
import { type Leg, NO_FLY_MARGIN_M, routeAround } from './obstacles.js';
import { groundRoi, patternWaypoint, pitchTowardDeg } from './waypoints.js';

/** The loop is drawn this much wider, then simplified by as much: few vertices, never inside the offset. */
const SIMPLIFY_M = 2;
/**
 * A loop round the hull of a site's parts may pass this many offsets from them, no further: beyond,
 * it watches the ground between the parts rather than the parts.
 */
const HULL_MAX_OFFSETS = 2;
/**
 * Each waypoint re-aims the camera at the nearest stretch of boundary; on longer legs it would
 * look back too far (over 60° at the default 30 m offset) before the next waypoint.
 */
const MAX_LEG_M = 50;

/**
 * Perimeter watch: a loop perimeterOffsetM outside the site's outer boundary (holes ignored), one
 * per part, or one round the parts' hull when that is faster and stays near them; pulled inward
 * where it would come within NO_FLY_MARGIN_M of a no-fly zone. Every waypoint looks at the nearest
 * point of the site.
 */
export function perimeterPattern(ctx: PatternContext): SitePattern {
  const offsetM = ctx.settings.perimeterOffsetM;
  if (!(offsetM > 0)) throw new UserError(`perimeter offset ${offsetM} m must be above 0`);
  const outers = ctx.polygons.map((p) => p.outer);
  const notes: string[] = [];
  let loops = offsetOutward(outers, offsetM + SIMPLIFY_M);
  if (loops.length > 1) {
    const hull = offsetOutward([convexHull(outers.flat())], offsetM + SIMPLIFY_M);
    const speedMs = ctx.settings.cruiseSpeedMs;
    const strayM = Math.max(
      ...densify([...hull[0], hull[0][0]], offsetM / 2).map((p) =>
        distanceM(p, closestPointOnRings(p, outers)),
      ),
    );
    const faster =
      pathTimeS(flatten(sequence(hull)), speedMs) <= pathTimeS(flatten(sequence(loops)), speedMs);
    if (faster && strayM <= HULL_MAX_OFFSETS * offsetM) {
      notes.push(`one loop around the hull of the site's ${loops.length} separate parts`);
      loops = hull;
    }
  }
  loops = loops.map((l) => simplifyRing(l, SIMPLIFY_M));
  const hit = ctx.obstacles.filter((o) => loops.some((l) => !ringClear(l, o.keepOut)));
  if (hit.length > 0) {
    loops = subtractPolygons(
      loops.map((outer) => ({ outer, holes: [] })),
      hit.flatMap((o) => o.keepOut),
    ).map((p) => p.outer);
    if (loops.length === 0) {
      throw new UserError(
        `site ${ctx.site.id} (feature ${ctx.site.featureIndex}): no-fly zones leave no perimeter`,
      );
    }
    notes.push(
      `pulled inward to keep ${NO_FLY_MARGIN_M} m from no-fly zone ${hit.map((o) => o.id).join(', ')}` +
        (loops.length > 1 ? `; flown as ${loops.length} separate loops` : ''),
    );
  }
  const { start, legs } = sequence(loops.map((l) => densify([...l, l[0]], MAX_LEG_M).slice(0, -1)));
  const path = routeAround(start, legs, ctx.obstacles);
  if (!path)
    throw new UserError(`site ${ctx.site.id} (feature ${ctx.site.featureIndex}): perimeter loops boxed in`);
  return {
    siteId: ctx.site.id,
    kind: 'perimeter',
    waypoints: path.map((p) => {
      const target = closestPointOnRings(p, outers);
      return patternWaypoint(ctx, p, {
        roi: groundRoi(ctx, target),
        gimbalPitchDeg: pitchTowardDeg(ctx, distanceM(p, target)),
      });
    }),
    lengthM: pathLengthM(path),
    timeS: pathTimeS(path, ctx.settings.cruiseSpeedMs),
    reversible: true,
    closed: loops.length === 1,
    notes,
  };
}

function ringClear(ring: Ring, keepOut: readonly PlanePolygon[]): boolean {
  return ring.every((p, i) => segmentClear(p, ring[(i + 1) % ring.length], keepOut));
}

/**
 * Loops one after another, each closed and entered at its vertex nearest the last exit, the first
 * at its vertex nearest another loop; hops between loops are free legs.
 */
function sequence(loops: readonly Ring[]): { start: Vec2; legs: Leg[] } {
  const left = new Set(loops.keys());
  let at = loops[0][0];
  let nearestM = Infinity;
  for (const p of loops[0]) {
    for (const q of loops.slice(1).flat()) {
      if (distanceM(p, q) < nearestM) {
        nearestM = distanceM(p, q);
        at = p;
      }
    }
  }
  const legs: Leg[] = [];
  while (left.size > 0) {
    let pick = { loop: -1, vertex: 0, dM: Infinity };
    for (const i of left) {
      loops[i].forEach((p, v) => {
        const dM = distanceM(at, p);
        if (dM < pick.dM) pick = { loop: i, vertex: v, dM };
      });
    }
    left.delete(pick.loop);
    const ring = loops[pick.loop];
    const entered = [...ring.slice(pick.vertex), ...ring.slice(0, pick.vertex), ring[pick.vertex]];
    legs.push(...entered.map((to, k) => ({ to, fixed: k > 0 })));
    at = entered[entered.length - 1];
  }
  // The first "hop" goes from the start to itself.
  return { start: legs[0].to, legs: legs.slice(1) };
}

function flatten({ start, legs }: { start: Vec2; legs: Leg[] }): Vec2[] {
  return [start, ...legs.map((l) => l.to)];
}
