import type { Polygon } from 'geojson';
import { LocalFrame } from '../../../src/geo/index.js';
import { DEFAULT_PLAN_SETTINGS } from '../../../src/plan/settings.js';
import type { SitePattern, Waypoint } from '../../../src/plan/types.js';
import { seededRandom as seeded } from '../../../src/random.js';
import type { LaunchPoint, NoFlyZone, Site, SiteRegistry } from '../../../src/sites/types.js';

export { seeded };

/** Test instances built in metres around Zhengzhou: sites, zones and patterns made directly. */
export const FRAME = new LocalFrame({ latDeg: 34.72, lonDeg: 113.63, altAmslM: 0 });

export type Xy = [number, number];

function lonLat([x, y]: Xy): [number, number] {
  const g = FRAME.toGeo({ eastM: x, northM: y, upM: 0 });
  return [g.lonDeg, g.latDeg];
}

export function polygon(ring: Xy[]): Polygon {
  return { type: 'Polygon', coordinates: [[...ring, ring[0]].map(lonLat)] };
}

export function square([x, y]: Xy, halfM: number): Xy[] {
  return [
    [x - halfM, y - halfM],
    [x + halfM, y - halfM],
    [x + halfM, y + halfM],
    [x - halfM, y + halfM],
  ];
}

export function site(id: string, ring: Xy[]): Site {
  return {
    id,
    name: id,
    contractor: null,
    address: null,
    riskLevel: null,
    pattern: null,
    geometry: polygon(ring),
    properties: {},
    featureIndex: 0,
    source: 'test',
  };
}

export function zone(id: string, ring: Xy[]): NoFlyZone {
  return { id, name: id, geometry: polygon(ring), featureIndex: 0, source: 'test' };
}

export function launch(id: string, at: Xy): LaunchPoint {
  const [lonDeg, latDeg] = lonLat(at);
  return { id, latDeg, lonDeg, altAmslM: null };
}

export function registry(
  sites: Site[],
  launches: LaunchPoint[],
  zones: NoFlyZone[] = [],
  area: Xy[] | null = null,
): SiteRegistry {
  return {
    sites,
    noFlyZones: zones,
    operatingArea: area ? polygon(area) : null,
    launchPoints: launches,
    sources: ['test'],
    warnings: [],
  };
}

function waypoint(siteId: string, p: Xy, holdS?: number): Waypoint {
  const [lonDeg, latDeg] = lonLat(p);
  return {
    latDeg,
    lonDeg,
    altRelM: DEFAULT_PLAN_SETTINGS.altitudeRelM,
    role: 'pattern',
    siteId,
    ...(holdS ? { holdS } : {}),
  };
}

function pattern(
  siteId: string,
  kind: SitePattern['kind'],
  points: Xy[],
  opts: { closed: boolean; reversible: boolean; holdS?: number },
): SitePattern {
  let lengthM = 0;
  for (let i = 1; i < points.length; i++) {
    lengthM += Math.hypot(points[i][0] - points[i - 1][0], points[i][1] - points[i - 1][1]);
  }
  const speed = DEFAULT_PLAN_SETTINGS.cruiseSpeedMs;
  return {
    siteId,
    kind,
    waypoints: points.map((p) => waypoint(siteId, p, opts.holdS)),
    lengthM,
    timeS: lengthM / speed + (opts.holdS ?? 0) * points.length,
    reversible: opts.reversible,
    closed: opts.closed,
  };
}

/** A perimeter-like loop of `vertices` points around `centre`, closed (last repeats first). */
export function loopPattern(
  siteId: string,
  centre: Xy,
  radiusM: number,
  vertices: number,
  turn = 0,
): SitePattern {
  const ring: Xy[] = Array.from({ length: vertices }, (_, k) => {
    const a = turn + (2 * Math.PI * k) / vertices;
    return [centre[0] + radiusM * Math.cos(a), centre[1] + radiusM * Math.sin(a)];
  });
  return pattern(siteId, 'perimeter', [...ring, ring[0]], { closed: true, reversible: true });
}

/** Lawnmower transects over a square: an open pattern, reversible. */
export function sweepPattern(siteId: string, centre: Xy, halfM: number, swaths: number): SitePattern {
  const points: Xy[] = [];
  for (let k = 0; k < swaths; k++) {
    const x = centre[0] - halfM + ((2 * halfM) / Math.max(1, swaths - 1)) * k;
    const ys = [centre[1] - halfM, centre[1] + halfM];
    if (k % 2 === 1) ys.reverse();
    points.push([x, ys[0]], [x, ys[1]]);
  }
  return pattern(siteId, 'coverage', points, { closed: false, reversible: true });
}

export function pointPattern(siteId: string, at: Xy, holdS = 30): SitePattern {
  return pattern(siteId, 'point', [at], { closed: false, reversible: true, holdS });
}

/** A one-way sweep (not reversible), to check the planner honours that. */
export function oneWayPattern(siteId: string, centre: Xy, halfM: number): SitePattern {
  return {
    ...sweepPattern(siteId, centre, halfM, 3),
    reversible: false,
  };
}

export interface Instance {
  registry: SiteRegistry;
  patterns: SitePattern[];
}

/** Random sites in a square of `sizeM`, a mix of loops, sweeps and point watches. */
export function randomInstance(seed: number, count: number, sizeM: number, launches: Xy[]): Instance {
  const rnd = seeded(seed);
  const sites: Site[] = [];
  const patterns: SitePattern[] = [];
  for (let i = 0; i < count; i++) {
    const id = `s${i + 1}`;
    const c: Xy = [(rnd() - 0.5) * sizeM, (rnd() - 0.5) * sizeM];
    const half = 20 + rnd() * 60;
    sites.push(site(id, square(c, half)));
    const kind = rnd();
    if (kind < 0.5) patterns.push(loopPattern(id, c, half + 30, 4 + Math.floor(rnd() * 20), rnd() * 6));
    else if (kind < 0.85) patterns.push(sweepPattern(id, c, half, 2 + Math.floor(rnd() * 4)));
    else patterns.push(pointPattern(id, c));
  }
  return {
    registry: registry(
      sites,
      launches.map((p, k) => launch(`L${k + 1}`, p)),
    ),
    patterns,
  };
}
