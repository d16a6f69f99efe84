import { outerBoundaries } from './outer-boundary.js';
import type { Ring, Vec2 } from './plane.js';
import { unionPolygons } from './plane-boolean.js';
import { isConvexRing, STRAIGHT_TOLERANCE_RAD, turnRad } from './ring.js';

/** Largest angle one straight piece of a rounded corner spans. */
const DEFAULT_ARC_STEP_RAD = Math.PI / 4;

/**
 * Outer rings of the region within distanceM of the given counter-clockwise rings. Corners are
 * rounded with pieces tangent to the true arc, so the result never comes closer than distanceM.
 */
export function offsetOutward(
  rings: readonly Ring[],
  distanceM: number,
  arcStepRad = DEFAULT_ARC_STEP_RAD,
): Ring[] {
  const curves = rings.map((ring) => offsetCurve(ring, distanceM, arcStepRad));
  if (rings.length === 1 && isConvexRing(rings[0])) return curves;
  const outers = outerBoundaries(curves);
  if (outers) return outers;
  // Degenerate curves (overlapping edges, say): let the polygon library sort them out.
  const pieces = rings.flatMap((ring, i) => [
    { outer: ring, holes: [] },
    { outer: curves[i], holes: [] },
  ]);
  return unionPolygons(pieces).map((p) => p.outer);
}

/**
 * The raw offset curve: exact for a convex ring; at concave corners it doubles back through the
 * vertex (as Clipper does), which tracing its outer boundary (or a union) resolves.
 */
function offsetCurve(ring: Ring, distanceM: number, arcStepRad: number): Ring {
  const n = ring.length;
  const out: Vec2[] = [];
  for (let i = 0; i < n; i++) {
    const prev = ring[(i + n - 1) % n];
    const v = ring[i];
    const next = ring[(i + 1) % n];
    const inRad = Math.atan2(v.y - prev.y, v.x - prev.x);
    const bendRad = turnRad(prev, v, next);
    // Outward normal of a counter-clockwise ring points right of travel.
    const normalInRad = inRad - Math.PI / 2;
    if (bendRad >= -STRAIGHT_TOLERANCE_RAD) {
      const pieces = Math.max(1, Math.ceil(bendRad / arcStepRad));
      const stepRad = bendRad / pieces;
      const radiusM = distanceM / Math.cos(stepRad / 2);
      for (let k = 0; k < pieces; k++) {
        const a = normalInRad + stepRad * (k + 0.5);
        out.push({ x: v.x + radiusM * Math.cos(a), y: v.y + radiusM * Math.sin(a) });
      }
    } else {
      const normalOutRad = normalInRad + bendRad;
      out.push({ x: v.x + distanceM * Math.cos(normalInRad), y: v.y + distanceM * Math.sin(normalInRad) });
      out.push(v);
      out.push({ x: v.x + distanceM * Math.cos(normalOutRad), y: v.y + distanceM * Math.sin(normalOutRad) });
    }
  }
  return out;
}
