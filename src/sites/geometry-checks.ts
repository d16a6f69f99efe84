import { area, booleanPointInPolygon, featureCollection, intersect, polygon } from '@turf/turf';
import type { Position } from 'geojson';
import { firstRingContact, type RingContact } from '../geo/index.js';
import { MAX_POINTS_PER_RING } from './limits.js';

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
  if (ring.length > MAX_POINTS_PER_RING) {
    return [`${name} has ${ring.length} points; a ring may have at most ${MAX_POINTS_PER_RING}`];
  }
  for (const [k, p] of ring.entries()) {
    if (!isPosition(p)) return [`${name} point ${k} is not a [longitude, latitude] pair of numbers`];
    const range = rangeProblem(p);
    if (range !== null) return [`${name} point ${k} ${formatPosition(p)} ${range}`];
  }
  const positions = ring as Position[];
  const distinct = distinctPointsUpTo3(positions);
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

/** How many distinct points the ring has, counting no further than 3 (all a ring needs). */
function distinctPointsUpTo3(positions: Position[]): number {
  const seen: Position[] = [];
  for (const p of positions) {
    if (!seen.some((q) => q[0] === p[0] && q[1] === p[1])) seen.push(p);
    if (seen.length === 3) break;
  }
  return seen.length;
}

/** Below this a ring is a line, not an area. */
const MIN_RING_AREA_M2 = 1;

/**
 * Rings that enclose nothing, rings that cross or touch themselves or each other (one sweep over all the
 * polygon's rings reports the first contact found), holes outside their outer ring.
 */
function shapeProblems(rings: Position[][], prefix: string): string[] {
  const contact = firstRingContact(rings);
  const flat = (ri: number) => area(polygon([rings[ri]])) < MIN_RING_AREA_M2;
  // A ring along one line doubles back on itself: say that rather than where.
  if (contact?.kind === 'overlap' && contact.ringA === contact.ringB && flat(contact.ringA)) {
    return [`${prefix}ring ${contact.ringA} encloses no area (its points lie on one line)`];
  }
  if (contact) return [`${prefix}${describeContact(contact)}`];
  const flatRings = rings.flatMap((_, ri) => (flat(ri) ? [`${prefix}ring ${ri} encloses no area`] : []));
  if (flatRings.length > 0) return flatRings;
  const outer = polygon([rings[0]]);
  const problems: string[] = [];
  for (let ri = 1; ri < rings.length; ri++) {
    if (!booleanPointInPolygon(rings[ri][0], outer))
      problems.push(`${prefix}ring ${ri} (a hole) lies outside ring 0`);
  }
  return problems;
}

function describeContact({ ringA, ringB, at }: RingContact): string {
  const where = formatPosition(at.map(round7));
  if (ringA === ringB) return `ring ${ringA} crosses itself at ${where}`;
  const other = ringA === 0 ? 'ring 0' : `ring ${ringA} (a hole)`;
  return `ring ${ringB} (a hole) crosses ${other} at ${where}`;
}
