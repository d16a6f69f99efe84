import { closestPointOnSegment, distanceM, type Ring, type Vec2 } from './plane.js';

/**
 * Douglas–Peucker on a closed ring: every dropped vertex lies within toleranceM of the result, and
 * every point of the result within toleranceM of the input.
 */
export function simplifyRing(ring: Ring, toleranceM: number): Ring {
  if (ring.length <= 3) return ring;
  let far = 0;
  for (let i = 1; i < ring.length; i++)
    if (distanceM(ring[0], ring[i]) > distanceM(ring[0], ring[far])) far = i;
  const closed = [...ring, ring[0]];
  const keep = new Array<boolean>(closed.length).fill(false);
  keep[0] = keep[far] = keep[closed.length - 1] = true;
  markKept(closed, 0, far, toleranceM, keep);
  markKept(closed, far, closed.length - 1, toleranceM, keep);
  const out = closed.slice(0, -1).filter((_, i) => keep[i]);
  return out.length >= 3 ? out : ring;
}

function markKept(
  points: readonly Vec2[],
  from: number,
  to: number,
  toleranceM: number,
  keep: boolean[],
): void {
  let worstM = 0;
  let worst = -1;
  for (let i = from + 1; i < to; i++) {
    const dM = distanceM(points[i], closestPointOnSegment(points[i], points[from], points[to]));
    if (dM > worstM) {
      worstM = dM;
      worst = i;
    }
  }
  if (worst < 0 || worstM <= toleranceM) return;
  keep[worst] = true;
  markKept(points, from, worst, toleranceM, keep);
  markKept(points, worst, to, toleranceM, keep);
}
