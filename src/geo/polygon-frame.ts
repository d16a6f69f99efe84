import type { MultiPolygon, Polygon, Position } from 'geojson';
import { LocalFrame } from './local-frame.js';
import { distanceM, type PlanePolygon, type Ring, type Vec2 } from './plane.js';
import { orientRing } from './ring.js';

const EARTH_RADIUS_M = 6_378_137;
const DEG_TO_RAD = Math.PI / 180;
const RAD_TO_DEG = 180 / Math.PI;

/** Vertices closer than this are one vertex. */
const SAME_POINT_M = 1e-6;

export interface LatLonBox {
  minLatDeg: number;
  maxLatDeg: number;
  minLonDeg: number;
  maxLonDeg: number;
}

/** Bounding box of the outer rings, degrees. */
export function latLonBoxOf(geometry: Polygon | MultiPolygon): LatLonBox {
  const box = { minLatDeg: Infinity, maxLatDeg: -Infinity, minLonDeg: Infinity, maxLonDeg: -Infinity };
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  for (const [outer] of polygons) {
    for (const [lon, lat] of outer) {
      box.minLatDeg = Math.min(box.minLatDeg, lat);
      box.maxLatDeg = Math.max(box.maxLatDeg, lat);
      box.minLonDeg = Math.min(box.minLonDeg, lon);
      box.maxLonDeg = Math.max(box.maxLonDeg, lon);
    }
  }
  return box;
}

/** A local frame centred on the geometry's bounding box, origin on the ground. */
export function frameAround(geometry: Polygon | MultiPolygon): LocalFrame {
  const box = latLonBoxOf(geometry);
  return new LocalFrame({
    latDeg: (box.minLatDeg + box.maxLatDeg) / 2,
    lonDeg: (box.minLonDeg + box.maxLonDeg) / 2,
    altAmslM: 0,
  });
}

/** True when the boxes come within marginM of each other (flat-earth degrees, as LocalFrame). */
export function latLonBoxesNear(a: LatLonBox, b: LatLonBox, marginM: number): boolean {
  const latM = (marginM / EARTH_RADIUS_M) * RAD_TO_DEG;
  const lonM = latM / Math.cos(((a.minLatDeg + a.maxLatDeg) / 2) * DEG_TO_RAD);
  return (
    a.minLatDeg - latM <= b.maxLatDeg &&
    b.minLatDeg - latM <= a.maxLatDeg &&
    a.minLonDeg - lonM <= b.maxLonDeg &&
    b.minLonDeg - lonM <= a.maxLonDeg
  );
}

/** GeoJSON (lon, lat) polygons as metric polygons in the frame: open rings, outer CCW, holes CW. */
export function geometryToPlane(geometry: Polygon | MultiPolygon, frame: LocalFrame): PlanePolygon[] {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const out: PlanePolygon[] = [];
  for (const [outer, ...holes] of polygons) {
    const outerRing = ringToPlane(outer, frame);
    if (outerRing.length < 3) continue;
    out.push({
      outer: orientRing(outerRing, true),
      holes: holes
        .map((h) => ringToPlane(h, frame))
        .filter((h) => h.length >= 3)
        .map((h) => orientRing(h, false)),
    });
  }
  return out;
}

function ringToPlane(coords: Position[], frame: LocalFrame): Ring {
  const ring: Ring = [];
  for (const [lonDeg, latDeg] of coords) {
    const local = frame.toLocal(latDeg, lonDeg, 0);
    const p = { x: local.eastM, y: local.northM };
    if (ring.length === 0 || distanceM(ring[ring.length - 1], p) > SAME_POINT_M) ring.push(p);
  }
  while (ring.length > 1 && distanceM(ring[0], ring[ring.length - 1]) <= SAME_POINT_M) ring.pop();
  return ring;
}

export function planeToLatLon(p: Vec2, frame: LocalFrame): { latDeg: number; lonDeg: number } {
  const geo = frame.toGeo({ northM: p.y, eastM: p.x, upM: 0 });
  return { latDeg: geo.latDeg, lonDeg: geo.lonDeg };
}
