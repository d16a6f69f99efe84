import { distanceM, type PlanePolygon, type Vec2 } from './plane.js';
import { pointInPolygon } from './ring.js';

/**
 * True when segment ab stays out of every polygon's interior. Touching a boundary is allowed, but a
 * segment that runs exactly along an edge may count either way: keep a little clearance.
 */
export function segmentClear(a: Vec2, b: Vec2, polygons: readonly PlanePolygon[]): boolean {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  for (const polygon of polygons) {
    // Cut ab where it meets the boundary; every piece between cuts is wholly inside or outside.
    const cuts = [0, 1];
    for (const ring of [polygon.outer, ...polygon.holes]) {
      for (let i = 0; i < ring.length; i++) {
        const c = ring[i];
        const d = ring[(i + 1) % ring.length];
        const ex = d.x - c.x;
        const ey = d.y - c.y;
        const denom = dx * ey - dy * ex;
        if (denom === 0) continue;
        const t = ((c.x - a.x) * ey - (c.y - a.y) * ex) / denom;
        const u = ((c.x - a.x) * dy - (c.y - a.y) * dx) / denom;
        if (t > 0 && t < 1 && u >= 0 && u <= 1) cuts.push(t);
      }
    }
    cuts.sort((p, q) => p - q);
    for (let k = 1; k < cuts.length; k++) {
      const mid = (cuts[k - 1] + cuts[k]) / 2;
      if (pointInPolygon({ x: a.x + dx * mid, y: a.y + dy * mid }, polygon)) return false;
    }
  }
  return true;
}

/**
 * Shortest path from a to b that keeps out of the obstacles, through the given corner points
 * (Dijkstra on their visibility graph). Returns the points after a, ending with b; null when none.
 */
export function shortestClearPath(
  a: Vec2,
  b: Vec2,
  obstacles: readonly PlanePolygon[],
  corners: readonly Vec2[],
): Vec2[] | null {
  if (segmentClear(a, b, obstacles)) return [b];
  const nodes = [a, ...corners, b];
  const goal = nodes.length - 1;
  const costM = new Array<number>(nodes.length).fill(Infinity);
  const from = new Array<number>(nodes.length).fill(-1);
  const done = new Array<boolean>(nodes.length).fill(false);
  costM[0] = 0;
  for (;;) {
    let u = -1;
    for (let i = 0; i < nodes.length; i++) if (!done[i] && (u < 0 || costM[i] < costM[u])) u = i;
    if (u < 0 || costM[u] === Infinity) return null;
    if (u === goal) break;
    done[u] = true;
    for (let v = 1; v < nodes.length; v++) {
      if (done[v]) continue;
      const viaM = costM[u] + distanceM(nodes[u], nodes[v]);
      if (viaM < costM[v] && segmentClear(nodes[u], nodes[v], obstacles)) {
        costM[v] = viaM;
        from[v] = u;
      }
    }
  }
  const path: Vec2[] = [];
  for (let v = goal; v !== 0; v = from[v]) path.unshift(nodes[v]);
  return path;
}
