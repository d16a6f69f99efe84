import {
  area,
  booleanPointInPolygon,
  featureCollection,
  intersect,
  kinks,
  lineIntersect,
  lineString,
  polygon,
} from '@turf/turf';
import type { Position } from 'geojson';

/** Positions as they read in messages: `[113.6302, 34.7245]`. */
export function formatPosition(p: readonly number[]): string {
  return `[${p[0]}, ${p[1]}]`;
}

const round7 = (x: number) => Math.round(x * 1e7) / 1e7;

function isPosition(p: unknown): p is Position {
  return Array.isArray(p) && p.length >= 2 && p.every((x) => typeof x === 'number' && Number.isFinite(x));
}

/** What is wrong with one position's range, if anything; a latitude beyond ±90 that would be a fine longitude reads as swapped. */
function rangeProblem(p: Position): string | null {
  const [lonDeg, latDeg] = p;
  if (Math.abs(lonDeg) <= 180 && Math.abs(latDeg) <= 90) return null;
  if (Math.abs(latDeg) > 90 && Math.abs(latDeg) <= 180 && Math.abs(lonDeg) <= 90) {
    return `has latitude ${latDeg}: longitude and latitude look swapped (GeoJSON order is [longitude, latitude])`;
  }
  return 'is out of range (longitude -180..180, latitude -90..90)';
}

/** Problems with a Point's coordinates; none when it is a position in range. */
export function pointProblems(coordinates: unknown): string[] {
  if (!isPosition(coordinates)) return ['point is not a [longitude, latitude] pair of numbers'];
  const range = rangeProblem(coordinates);
  return range === null ? [] : [`point ${formatPosition(coordinates)} ${range}`];
}

/**
 * Problems with a Polygon's or MultiPolygon's coordinates: structure, ranges, closure, at least three
 * distinct points, then (only when those hold) rings crossing themselves or each other.
 */
export function polygonalProblems(type: 'Polygon' | 'MultiPolygon', coordinates: unknown): string[] {
  if (!Array.isArray(coordinates)) return [`${type} has no coordinates array`];
  if (coordinates.length === 0) return ['empty geometry (no coordinates)'];
  const polygons: unknown[] = type === 'Polygon' ? [coordinates] : coordinates;
  const structural = polygons.flatMap((rings, pi) => {
    const prefix = type === 'Polygon' ? '' : `polygon ${pi} `;
    if (!Array.isArray(rings) || rings.length === 0) return [`${prefix}is empty (no rings)`];
    return rings.flatMap((ring, ri) => ringProblems(ring, `${prefix}ring ${ri}`));
  });
  if (structural.length > 0) return structural;
  const shapes = (polygons as Position[][][]).flatMap((rings, pi) =>
    shapeProblems(rings, type === 'Polygon' ? '' : `polygon ${pi} `),
  );
  return shapes.length > 0 ? shapes : overlappingParts(polygons as Position[][][]);
}

/** A MultiPolygon's parts must not overlap (they may touch). */
function overlappingParts(polygons: Position[][][]): string[] {
  const problems: string[] = [];
  for (let j = 1; j < polygons.length; j++) {
    for (let i = 0; i < j; i++) {
      const common = intersect(featureCollection([polygon(polygons[i]), polygon(polygons[j])]));
      if (common && area(common) >= MIN_RING_AREA_M2) problems.push(`polygon ${j} overlaps polygon ${i}`);
    }
  }
  return problems;
}

function ringProblems(ring: unknown, name: string): string[] {
  if (!Array.isArray(ring)) return [`${name} is not a list of points`];
  if (ring.length === 0) return [`${name} is empty (no points)`];
  for (const [k, p] of ring.entries()) {
    if (!isPosition(p)) return [`${name} point ${k} is not a [longitude, latitude] pair of numbers`];
    const range = rangeProblem(p);
    if (range !== null) return [`${name} point ${k} ${formatPosition(p)} ${range}`];
  }
  const positions = ring as Position[];
  const distinct = new Set(positions.map((p) => `${p[0]},${p[1]}`)).size;
  if (distinct < 3) {
    return [`${name} has ${distinct} distinct point${distinct === 1 ? '' : 's'}; a ring needs at least 3`];
  }
  const first = positions[0];
  const last = positions[positions.length - 1];
  if (first[0] !== last[0] || first[1] !== last[1]) {
    return [
      `${name} is not closed: it starts at ${formatPosition(first)} but ends at ${formatPosition(last)}`,
    ];
  }
  return [];
}

/** Below this a ring is a line, not an area. */
const MIN_RING_AREA_M2 = 1;

/** Rings that cross themselves or enclose nothing, holes that cross or leave their outer ring. */
function shapeProblems(rings: Position[][], prefix: string): string[] {
  const problems: string[] = [];
  const simplified = rings.map(withoutRepeats);
  simplified.forEach((ring, ri) => {
    const crossing = kinks(lineString(ring)).features[0];
    if (crossing) {
      const at = crossing.geometry.coordinates.map(round7);
      problems.push(`${prefix}ring ${ri} crosses itself at ${formatPosition(at)}`);
    } else if (area(polygon([ring])) < MIN_RING_AREA_M2) {
      problems.push(`${prefix}ring ${ri} encloses no area (its points lie on one line)`);
    }
  });
  if (problems.length > 0) return problems;
  const outer = polygon([simplified[0]]);
  for (let ri = 1; ri < simplified.length; ri++) {
    const hole = lineString(simplified[ri]);
    if (lineIntersect(lineString(simplified[0]), hole).features.length > 0) {
      problems.push(`${prefix}ring ${ri} (a hole) crosses ring 0`);
    } else if (!booleanPointInPolygon(simplified[ri][0], outer)) {
      problems.push(`${prefix}ring ${ri} (a hole) lies outside ring 0`);
    }
  }
  return problems;
}

/** Consecutive repeated points would read as a crossing to kinks: look at the ring without them. */
function withoutRepeats(ring: Position[]): Position[] {
  return ring.filter((p, i) => i === 0 || p[0] !== ring[i - 1][0] || p[1] !== ring[i - 1][1]);
}
