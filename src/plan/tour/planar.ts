import type { Position } from 'geojson';
import type { LocalFrame } from '../../geo/index.js';
import type { SiteGeometry } from '../../sites/index.js';

/**
 * Polygons in a local metric frame as flat coordinate arrays (x east, y north, metres), for the inner
 * loops of routing. A ring is [x0, y0, x1, y1, …] without the closing repeat.
 */
export interface Ring {
  xy: Float64Array;
  /** The first ring of a GeoJSON polygon; the others are its holes. */
  outer: boolean;
}

export interface Box {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** Edges grouped in runs with a bounding box each, so that a segment test skips most of them. */
export interface EdgeSet {
  chunks: { box: Box; edges: Float64Array }[];
}

/** A Polygon or MultiPolygon: even-odd over all rings gives inside. */
export interface Area {
  rings: Ring[];
  box: Box;
  edges: EdgeSet;
}

const EDGES_PER_CHUNK = 12;

export function toArea(geometry: SiteGeometry, frame: LocalFrame): Area {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const rings: Ring[] = [];
  for (const polygon of polygons) {
    polygon.forEach((ring, r) => {
      const xy = ringToLocal(ring, frame);
      if (xy.length >= 6) rings.push({ xy, outer: r === 0 });
    });
  }
  return areaOf(rings);
}

function areaOf(rings: Ring[]): Area {
  const all: number[] = [];
  for (const { xy } of rings) {
    const n = xy.length;
    for (let i = 0, j = n - 2; i < n; j = i, i += 2) all.push(xy[j], xy[j + 1], xy[i], xy[i + 1]);
  }
  return { rings, box: boxOf(all), edges: edgeSet(all) };
}

function ringToLocal(ring: Position[], frame: LocalFrame): Float64Array {
  const last = ring.at(-1);
  const closed = ring.length > 1 && last !== undefined && ring[0][0] === last[0] && ring[0][1] === last[1];
  const count = closed ? ring.length - 1 : ring.length;
  const xy = new Float64Array(count * 2);
  for (let i = 0; i < count; i++) {
    const p = frame.toLocal(ring[i][1], ring[i][0], 0);
    xy[2 * i] = p.eastM;
    xy[2 * i + 1] = p.northM;
  }
  return xy;
}

/** `edges` as [x1, y1, x2, y2, …], consecutive edges kept together. */
export function edgeSet(edges: number[]): EdgeSet {
  const chunks: EdgeSet['chunks'] = [];
  const step = EDGES_PER_CHUNK * 4;
  for (let start = 0; start < edges.length; start += step) {
    const part = edges.slice(start, start + step);
    chunks.push({ box: boxOf(part), edges: Float64Array.from(part) });
  }
  return { chunks };
}

function boxOf(xy: ArrayLike<number>): Box {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < xy.length; i += 2) {
    minX = Math.min(minX, xy[i]);
    maxX = Math.max(maxX, xy[i]);
    minY = Math.min(minY, xy[i + 1]);
    maxY = Math.max(maxY, xy[i + 1]);
  }
  return { minX, minY, maxX, maxY };
}

/** Euclidean distance (Math.hypot is several times slower in V8). */
export function dist(ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  return Math.sqrt(dx * dx + dy * dy);
}

/** The smallest circle about the box centre that holds every ring vertex. */
export function circleAround(area: Area): { cx: number; cy: number; radiusM: number } {
  const cx = (area.box.minX + area.box.maxX) / 2;
  const cy = (area.box.minY + area.box.maxY) / 2;
  let radiusM = 0;
  for (const { xy } of area.rings) {
    for (let i = 0; i < xy.length; i += 2) radiusM = Math.max(radiusM, dist(cx, cy, xy[i], xy[i + 1]));
  }
  return { cx, cy, radiusM };
}

/** True when segment a–b stays farther than `radiusM` from (cx, cy). */
export function segmentMissesCircle(
  cx: number,
  cy: number,
  radiusM: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
): boolean {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((cx - ax) * dx + (cy - ay) * dy) / len2));
  const ex = ax + t * dx - cx;
  const ey = ay + t * dy - cy;
  return ex * ex + ey * ey > radiusM * radiusM;
}

export function segmentMissesBox(box: Box, ax: number, ay: number, bx: number, by: number): boolean {
  return (
    Math.max(ax, bx) < box.minX ||
    Math.min(ax, bx) > box.maxX ||
    Math.max(ay, by) < box.minY ||
    Math.min(ay, by) > box.maxY
  );
}

export function pointInArea(area: Area, x: number, y: number): boolean {
  const { box } = area;
  if (x < box.minX || x > box.maxX || y < box.minY || y > box.maxY) return false;
  let inside = false;
  for (const { xy } of area.rings) {
    const n = xy.length;
    for (let i = 0, j = n - 2; i < n; j = i, i += 2) {
      const yi = xy[i + 1];
      const yj = xy[j + 1];
      if (yi > y !== yj > y && x < ((xy[j] - xy[i]) * (y - yi)) / (yj - yi) + xy[i]) inside = !inside;
    }
  }
  return inside;
}

/** True when segment a–b touches any edge of the set (closed test: touching counts). */
export function segmentHitsEdges(set: EdgeSet, ax: number, ay: number, bx: number, by: number): boolean {
  for (const { box, edges } of set.chunks) {
    if (segmentMissesBox(box, ax, ay, bx, by)) continue;
    for (let i = 0; i < edges.length; i += 4) {
      if (segmentsTouch(ax, ay, bx, by, edges[i], edges[i + 1], edges[i + 2], edges[i + 3])) return true;
    }
  }
  return false;
}

function segmentsTouch(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  cx: number,
  cy: number,
  dx: number,
  dy: number,
): boolean {
  if (Math.max(cx, dx) < Math.min(ax, bx) || Math.min(cx, dx) > Math.max(ax, bx)) return false;
  if (Math.max(cy, dy) < Math.min(ay, by) || Math.min(cy, dy) > Math.max(ay, by)) return false;
  const d1 = cross(ax, ay, bx, by, cx, cy);
  const d2 = cross(ax, ay, bx, by, dx, dy);
  if ((d1 > 0 && d2 > 0) || (d1 < 0 && d2 < 0)) return false;
  const d3 = cross(cx, cy, dx, dy, ax, ay);
  const d4 = cross(cx, cy, dx, dy, bx, by);
  return !((d3 > 0 && d4 > 0) || (d3 < 0 && d4 < 0));
}

/** z of (b − a) × (c − a): positive when c lies left of a→b. */
export function cross(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}

/** Twice the signed area; positive for counter-clockwise. */
export function signedArea2(xy: Float64Array): number {
  let sum = 0;
  const n = xy.length;
  for (let i = 0, j = n - 2; i < n; j = i, i += 2) sum += xy[j] * xy[i + 1] - xy[i] * xy[j + 1];
  return sum;
}

/** Indices of the convex hull's vertices among the ring's, counter-clockwise (monotone chain). */
export function hullVertexIndices(xy: Float64Array): number[] {
  const n = xy.length / 2;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => xy[2 * a] - xy[2 * b] || xy[2 * a + 1] - xy[2 * b + 1],
  );
  const turn = (o: number, a: number, b: number) =>
    cross(xy[2 * o], xy[2 * o + 1], xy[2 * a], xy[2 * a + 1], xy[2 * b], xy[2 * b + 1]);
  const hull: number[] = [];
  for (const pass of [order, [...order].reverse()]) {
    const start = hull.length;
    for (const p of pass) {
      while (hull.length >= start + 2 && turn(hull[hull.length - 2], hull[hull.length - 1], p) <= 0)
        hull.pop();
      hull.push(p);
    }
    hull.pop();
  }
  return hull;
}
