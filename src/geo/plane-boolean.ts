import { difference, featureCollection, multiPolygon, polygon, union } from '@turf/turf';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import type { PlanePolygon, Ring } from './plane.js';
import { orientRing } from './ring.js';

// Turf's boolean operations (polyclip-ts) are planar, so they work on metric coordinates as they are.

function closedCoords(ring: Ring): Position[] {
  return [...ring.map((p) => [p.x, p.y]), [ring[0].x, ring[0].y]];
}

function toCoords(p: PlanePolygon): Position[][] {
  return [closedCoords(p.outer), ...p.holes.map(closedCoords)];
}

function openRing(coords: Position[]): Ring {
  return coords.slice(0, -1).map(([x, y]) => ({ x, y }));
}

function fromGeometry(geometry: Polygon | MultiPolygon | undefined): PlanePolygon[] {
  if (!geometry) return [];
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  return polygons.map(([outer, ...holes]) => ({
    outer: orientRing(openRing(outer), true),
    holes: holes.map((h) => orientRing(openRing(h), false)),
  }));
}

/** Self-crossing input rings are read with the non-zero rule. */
export function unionPolygons(polygons: readonly PlanePolygon[]): PlanePolygon[] {
  const features = polygons.map((p) => polygon(toCoords(p)));
  if (features.length === 1) features.push(features[0]);
  return fromGeometry(union(featureCollection(features))?.geometry);
}

export function subtractPolygons(
  from: readonly PlanePolygon[],
  cut: readonly PlanePolygon[],
): PlanePolygon[] {
  if (cut.length === 0 || from.length === 0) return [...from];
  const result = difference(
    featureCollection<Polygon | MultiPolygon>([
      multiPolygon(from.map(toCoords)),
      multiPolygon(cut.map(toCoords)),
    ]),
  );
  return fromGeometry(result?.geometry);
}
