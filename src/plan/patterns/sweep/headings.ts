import { convexHull, type PlanePolygon } from '../../../geo/index.js';

/** A plain sweep of directions besides the hull's edges, for shapes whose best direction is neither. */
const HEADING_STEP_RAD = Math.PI / 12;
const SAME_HEADING_RAD = Math.PI / 360;

/**
 * Sweep directions worth trying, in [0, π): the convex hull's edge directions (the usual optimum
 * for a convex field, where the number of turns is least) and a step through all others.
 */
export function candidateHeadingsRad(polygons: readonly PlanePolygon[]): number[] {
  const hull = convexHull(polygons.flatMap((p) => p.outer));
  const headings: number[] = [];
  const add = (rad: number) => {
    const h = ((rad % Math.PI) + Math.PI) % Math.PI;
    if (
      !headings.some(
        (g) => Math.abs(g - h) < SAME_HEADING_RAD || Math.PI - Math.abs(g - h) < SAME_HEADING_RAD,
      )
    ) {
      headings.push(h);
    }
  };
  hull.forEach((a, i) => {
    const b = hull[(i + 1) % hull.length];
    add(Math.atan2(b.x - a.x, b.y - a.y));
  });
  for (let rad = 0; rad < Math.PI; rad += HEADING_STEP_RAD) add(rad);
  return headings;
}
