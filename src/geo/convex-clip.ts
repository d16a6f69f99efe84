import type { PlanePolygon, Ring, Vec2 } from './plane.js';
import { signedAreaM2 } from './ring.js';

/**
 * The part of `subject` inside the convex counter-clockwise ring `clip` (Sutherland–Hodgman). A
 * concave subject may come out with zero-width bridges along the clip's edges: its area is right, its
 * outline is not one to draw.
 */
export function clipToConvex(subject: readonly Vec2[], clip: readonly Vec2[]): Ring {
  let out: Ring = [...subject];
  for (let i = 0; i < clip.length && out.length > 0; i++) {
    const a = clip[i];
    const b = clip[(i + 1) % clip.length];
    // Left of a → b (or on it) is inside a counter-clockwise ring.
    const side = (p: Vec2) => (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
    const input = out;
    out = [];
    for (let k = 0; k < input.length; k++) {
      const p = input[k];
      const q = input[(k + 1) % input.length];
      const sp = side(p);
      const sq = side(q);
      if (sp >= 0) out.push(p);
      if (sp >= 0 !== sq >= 0) {
        const t = sp / (sp - sq);
        out.push({ x: p.x + t * (q.x - p.x), y: p.y + t * (q.y - p.y) });
      }
    }
  }
  return out;
}

/** The area of polygons (outer rings less their holes) that lies inside the convex counter-clockwise ring `clip`, m². */
export function areaInConvexM2(polygons: readonly PlanePolygon[], clip: readonly Vec2[]): number {
  let areaM2 = 0;
  for (const { outer, holes } of polygons) {
    areaM2 += Math.abs(signedAreaM2(clipToConvex(outer, clip)));
    for (const hole of holes) areaM2 -= Math.abs(signedAreaM2(clipToConvex(hole, clip)));
  }
  return Math.max(0, areaM2);
}

/** The area of polygons, outer rings less their holes, m². */
export function polygonsAreaM2(polygons: readonly PlanePolygon[]): number {
  let areaM2 = 0;
  for (const { outer, holes } of polygons) {
    areaM2 += Math.abs(signedAreaM2(outer));
    for (const hole of holes) areaM2 -= Math.abs(signedAreaM2(hole));
  }
  return areaM2;
}
