import { LocalFrame } from '../../geo/index.js';
import { seededRandom } from '../../random.js';

/** What a generated world holds; every choice not given here is drawn from the seed. */
export interface WorldSpec {
  /** Seeds the layout, the plumes' opacities and the world's textures. */
  seed: number;
  /** The launch point, at the centre of the sites. */
  home: { latDeg: number; lonDeg: number; altAmslM: number };
  /** Direction the wind blows from, degrees clockwise from north (every plume drifts the other way). */
  windFromDeg: number;
  /** One site per entry, each with one plume this long, metres, in this order round home. */
  plumeLengthsM: readonly number[];
  /** How far the sites' centres lie from home, metres (default 230). */
  ringRadiusM?: number;
}

/** A site's side, metres: drawn from this range. */
const SITE_SIDE_M = [50, 80] as const;
/** A plume's source lies within this share of its site's half-sides from the centre. */
const SOURCE_SPREAD_SHARE = 0.5;
const OPACITY = [0.65, 0.9] as const;
const DEFAULT_RING_RADIUS_M = 230;
/** The sites' centres wander this share of the ring's spacing along it, and this many metres across. */
const ALONG_JITTER_SHARE = 0.2;
const ACROSS_JITTER_M = 30;

/**
 * A world file (GeoJSON, as loadWorld reads it) of construction sites in a ring round a launch point,
 * one dust plume in each, all drifting with one wind: rectangular sites of random size and turn, each
 * plume's source at a random point of its site's middle. For benchmarks and tests that need worlds other
 * than the demo's. The same spec gives the same file.
 */
export function generateWorld(spec: WorldSpec): Record<string, unknown> {
  const random = seededRandom(spec.seed);
  const uniform = (lo: number, hi: number) => lo + (hi - lo) * random();
  const frame = new LocalFrame(spec.home);
  const point = (eastM: number, northM: number): [number, number] => {
    const g = frame.toGeo({ eastM, northM, upM: 0 });
    return [g.lonDeg, g.latDeg];
  };
  const count = spec.plumeLengthsM.length;
  const ringM = spec.ringRadiusM ?? DEFAULT_RING_RADIUS_M;
  const spacingRad = (2 * Math.PI) / Math.max(1, count);
  const startRad = uniform(0, 2 * Math.PI);
  const features: Record<string, unknown>[] = [
    {
      type: 'Feature',
      properties: { kind: 'launch', id: 'L-HOME', name: 'Launch point', altAmslM: spec.home.altAmslM },
      geometry: { type: 'Point', coordinates: point(0, 0) },
    },
  ];
  spec.plumeLengthsM.forEach((lengthM, i) => {
    const bearingRad = startRad + spacingRad * (i + uniform(-ALONG_JITTER_SHARE, ALONG_JITTER_SHARE));
    const radiusM = ringM + uniform(-ACROSS_JITTER_M, ACROSS_JITTER_M);
    const centreE = radiusM * Math.sin(bearingRad);
    const centreN = radiusM * Math.cos(bearingRad);
    const halfE = uniform(...SITE_SIDE_M) / 2;
    const halfN = uniform(...SITE_SIDE_M) / 2;
    const turnRad = uniform(0, Math.PI / 2);
    const local = (e: number, n: number): [number, number] => [
      centreE + e * Math.cos(turnRad) + n * Math.sin(turnRad),
      centreN - e * Math.sin(turnRad) + n * Math.cos(turnRad),
    ];
    const corners = [local(-halfE, -halfN), local(halfE, -halfN), local(halfE, halfN), local(-halfE, halfN)];
    const id = `G-${String(i + 1).padStart(2, '0')}`;
    features.push({
      type: 'Feature',
      properties: { id, name: `Generated site ${i + 1}`, contractor: 'Generated', pattern: 'point' },
      geometry: { type: 'Polygon', coordinates: [[...corners, corners[0]].map(([e, n]) => point(e, n))] },
    });
    const source = local(
      uniform(-1, 1) * SOURCE_SPREAD_SHARE * halfE,
      uniform(-1, 1) * SOURCE_SPREAD_SHARE * halfN,
    );
    features.push({
      type: 'Feature',
      properties: {
        kind: 'plume',
        id: `P-${id}`,
        lengthM,
        opacity: Math.round(uniform(...OPACITY) * 100) / 100,
      },
      geometry: { type: 'Point', coordinates: point(...source) },
    });
  });
  return {
    type: 'FeatureCollection',
    name: `generated-world-${spec.seed}`,
    seed: spec.seed,
    windFromDeg: spec.windFromDeg,
    features,
  };
}

/** The site-file part of a world file (everything but its plumes), for the alert store's attribution. */
export function worldSites(world: Record<string, unknown>): Record<string, unknown> {
  const features = world.features as { properties?: { kind?: unknown } }[];
  return {
    type: 'FeatureCollection',
    features: features.filter((f) => f.properties?.kind !== 'plume'),
  };
}
