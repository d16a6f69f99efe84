import { readFileSync } from 'node:fs';
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { LocalFrame } from '../../../src/geo/index.js';
import type { Waypoint } from '../../../src/plan/types.js';
import type { NoFlyZone, PatternKind, Site } from '../../../src/sites/types.js';

type Shape = Feature<Polygon | MultiPolygon, Record<string, unknown>>;

/** A site (and the no-fly zones beside it) from fixtures/plan/NAME.geojson. */
export function loadShape(
  name: string,
  pattern: PatternKind | null = null,
): { site: Site; noFlyZones: NoFlyZone[] } {
  const source = new URL(`../../../fixtures/plan/${name}.geojson`, import.meta.url);
  const collection = JSON.parse(readFileSync(source, 'utf8')) as FeatureCollection<Polygon | MultiPolygon>;
  const features = collection.features as Shape[];
  const noFlyZones: NoFlyZone[] = [];
  let site: Site | null = null;
  features.forEach((f, featureIndex) => {
    const id = String(f.properties.id);
    if (f.properties.kind === 'no-fly') {
      noFlyZones.push({
        id,
        name: String(f.properties.name),
        geometry: f.geometry,
        featureIndex,
        source: name,
      });
    } else {
      site = {
        id,
        name: String(f.properties.name),
        contractor: null,
        address: null,
        riskLevel: null,
        pattern,
        geometry: f.geometry,
        properties: f.properties,
        featureIndex,
        source: name,
      };
    }
  });
  if (!site) throw new Error(`${name}: no site feature`);
  return { site, noFlyZones };
}

export interface XY {
  x: number;
  y: number;
}

/** Metric view of a site for checks, built from LocalFrame alone (not from the code under test). */
export class MetricView {
  readonly frame: LocalFrame;

  constructor(geometry: Polygon | MultiPolygon) {
    const [lon, lat] = (
      geometry.type === 'Polygon' ? geometry.coordinates[0] : geometry.coordinates[0][0]
    )[0];
    this.frame = new LocalFrame({ latDeg: lat, lonDeg: lon, altAmslM: 0 });
  }

  xy(latDeg: number, lonDeg: number): XY {
    const p = this.frame.toLocal(latDeg, lonDeg, 0);
    return { x: p.eastM, y: p.northM };
  }

  /** Polygons as closed coordinate rings in metres, GeoJSON nesting (MultiPolygon style). */
  polygons(geometry: Polygon | MultiPolygon): number[][][][] {
    const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
    return polys.map((rings) =>
      rings.map((ring) =>
        ring.map(([lon, lat]) => {
          const p = this.xy(lat, lon);
          return [p.x, p.y];
        }),
      ),
    );
  }

  path(waypoints: readonly Waypoint[]): XY[] {
    return waypoints.map((w) => this.xy(w.latDeg, w.lonDeg));
  }
}

/** Shoelace area of GeoJSON-style metric polygons (outer minus holes). */
export function areaM2(polygons: number[][][][]): number {
  let sum = 0;
  for (const rings of polygons) {
    rings.forEach((ring, r) => {
      let twice = 0;
      for (let i = 0; i + 1 < ring.length; i++)
        twice += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
      sum += r === 0 ? Math.abs(twice / 2) : -Math.abs(twice / 2);
    });
  }
  return sum;
}

function segmentDistanceM(p: XY, a: number[], b: number[]): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a[0]) * dx + (p.y - a[1]) * dy) / len2));
  return Math.hypot(p.x - (a[0] + t * dx), p.y - (a[1] + t * dy));
}

function insideRing(p: XY, ring: number[][]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > p.y !== yj > p.y && p.x < ((xj - xi) * (p.y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Distance from p to the polygons' area: 0 inside, else to the nearest boundary. */
export function distanceToAreaM(p: XY, polygons: number[][][][]): number {
  let best = Infinity;
  for (const rings of polygons) {
    if (insideRing(p, rings[0]) && !rings.slice(1).some((h) => insideRing(p, h))) return 0;
    for (const ring of rings) {
      for (let i = 0; i + 1 < ring.length; i++)
        best = Math.min(best, segmentDistanceM(p, ring[i], ring[i + 1]));
    }
  }
  return best;
}
