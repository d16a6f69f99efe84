import { closestPointOnRings, type PlanePolygon, type Ring, type Vec2 } from './plane.js';

/** Shoelace area: positive for a counter-clockwise ring. */
export function signedAreaM2(ring: readonly Vec2[]): number {
  let twice = 0;
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i];
    const b = ring[(i + 1) % ring.length];
    twice += a.x * b.y - b.x * a.y;
  }
  return twice / 2;
}

export function orientRing(ring: Ring, counterClockwise: boolean): Ring {
  return signedAreaM2(ring) > 0 === counterClockwise ? ring : [...ring].reverse();
}

export function pointInRing(p: Vec2, ring: readonly Vec2[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i];
    const b = ring[j];
    if (a.y > p.y !== b.y > p.y && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

export function pointInPolygon(p: Vec2, polygon: PlanePolygon): boolean {
  return pointInRing(p, polygon.outer) && !polygon.holes.some((h) => pointInRing(p, h));
}

/** Area-weighted centroid of polygons with holes. */
export function centroidOf(polygons: readonly PlanePolygon[]): Vec2 {
  let sumA = 0;
  let sumX = 0;
  let sumY = 0;
  for (const polygon of polygons) {
    for (const ring of [polygon.outer, ...polygon.holes]) {
      for (let i = 0; i < ring.length; i++) {
        const a = ring[i];
        const b = ring[(i + 1) % ring.length];
        const c = a.x * b.y - b.x * a.y;
        sumA += c;
        sumX += (a.x + b.x) * c;
        sumY += (a.y + b.y) * c;
      }
    }
  }
  return { x: sumX / (3 * sumA), y: sumY / (3 * sumA) };
}

/** The centroid, or the nearest boundary point when the centroid falls outside (a U, a ring). */
export function centreWithin(polygons: readonly PlanePolygon[]): Vec2 {
  const c = centroidOf(polygons);
  if (polygons.some((p) => pointInPolygon(c, p))) return c;
  return closestPointOnRings(
    c,
    polygons.flatMap((p) => [p.outer, ...p.holes]),
  );
}

/** Angles within this of straight count as straight. */
export const STRAIGHT_TOLERANCE_RAD = 1e-6;

/** Signed turn at b going a → b → c, radians, positive to the left. */
export function turnRad(a: Vec2, b: Vec2, c: Vec2): number {
  const ux = b.x - a.x;
  const uy = b.y - a.y;
  const vx = c.x - b.x;
  const vy = c.y - b.y;
  return Math.atan2(ux * vy - uy * vx, ux * vx + uy * vy);
}

/** True when the counter-clockwise ring never turns right. */
export function isConvexRing(ring: readonly Vec2[]): boolean {
  const n = ring.length;
  for (let i = 0; i < n; i++) {
    if (turnRad(ring[(i + n - 1) % n], ring[i], ring[(i + 1) % n]) < -STRAIGHT_TOLERANCE_RAD) return false;
  }
  return true;
}

/** Counter-clockwise convex hull (Andrew's monotone chain). */
export function convexHull(points: readonly Vec2[]): Ring {
  const sorted = [...points].sort((a, b) => a.x - b.x || a.y - b.y);
  if (sorted.length < 3) return sorted;
  const cross = (o: Vec2, a: Vec2, b: Vec2) => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
  const lower: Vec2[] = [];
  for (const p of sorted) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Vec2[] = [];
  for (let i = sorted.length - 1; i >= 0; i--) {
    const p = sorted[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop();
    upper.push(p);
  }
  return [...lower.slice(0, -1), ...upper.slice(0, -1)];
}

export interface BoxM {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export function boxOf(points: Iterable<Vec2>): BoxM {
  const box = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  for (const p of points) {
    box.minX = Math.min(box.minX, p.x);
    box.minY = Math.min(box.minY, p.y);
    box.maxX = Math.max(box.maxX, p.x);
    box.maxY = Math.max(box.maxY, p.y);
  }
  return box;
}
