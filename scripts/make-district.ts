/**
 * Regenerates missions/district.geojson: a synthetic district of 278 construction sites, 3 launch
 * points, 4 no-fly zones and an operating area, in and around Erqi District, Zhengzhou. Deterministic
 * (fixed seed): the same file every run. Nothing in it is a real site, contractor or restriction.
 *
 *   npx tsx scripts/make-district.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { booleanPointInPolygon } from '@turf/turf';
import { LocalFrame } from '../src/geo/index.js';
import { seededRandom as random } from '../src/random.js';
import { registryFromFeatures, summariseSites } from '../src/sites/index.js';

export const DISTRICT_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../missions/district.geojson',
);
const SEED = 278;
const SITE_COUNT = 278;
// Drawn a little inside 0.2–6 ha, so that any area formula (planar, geodesic) agrees.
const MIN_SITE_HA = 0.21;
const MAX_SITE_HA = 5.9;
/** Clear space kept between neighbouring sites, around no-fly zones and launch points, metres. */
const SITE_GAP_M = 40;
const NO_FLY_GAP_M = 100;
const LAUNCH_GAP_M = 80;
/**
 * Every site lies within this distance of a launch point: a 25-minute battery at 10 m/s into a 3 m/s
 * head-wind, with the 25 % reserve, flies about 2.8 km out and back and still has minutes for the site,
 * which is how a district would place its docks.
 */
const MAX_LAUNCH_REACH_M = 2800;
/** Sites keep inside the operating area shrunk by this factor about its centre (about 200 m). */
const INNER_AREA_SCALE = 0.95;

const FRAME = new LocalFrame({ latDeg: 34.72, lonDeg: 113.63, altAmslM: 0 });

type Xy = [number, number];
type Ring = Xy[];

const OPERATING_AREA: Ring = [
  [-4200, -4400],
  [3900, -4400],
  [4500, -3600],
  [4500, 3800],
  [3700, 4400],
  [-3800, 4400],
  [-4500, 3700],
  [-4500, -3800],
];

/** The simulator's default home, so the built-in simulator can fly sorties from it. */
const SIM_HOME = FRAME.toLocal(34.7245, 113.6302, 0);

const LAUNCH_POINTS = [
  { id: 'L-1', name: 'Jianshe Road depot', at: [SIM_HOME.eastM, SIM_HOME.northM] as Xy, altAmslM: 110 },
  { id: 'L-2', name: 'Songshan Road dock', at: [-2600, -1200] as Xy, altAmslM: 106 },
  { id: 'L-3', name: 'Hanghai Road dock', at: [2400, -1600] as Xy, altAmslM: 104 },
];

const NO_FLY_ZONES: { id: string; name: string; ring: Ring }[] = [
  { id: 'NF-HELI', name: 'Hospital helipad', ring: regularPolygon(8, 300, [1700, 1200]) },
  { id: 'NF-SCHOOL', name: 'Primary school', ring: place(rectangle(260, 180), 10, [-1500, 2300]) },
  {
    id: 'NF-MIL',
    name: 'Military compound',
    ring: place(
      [
        [-450, -300],
        [450, -330],
        [480, 250],
        [100, 340],
        [-430, 280],
      ],
      -8,
      [-3000, -2600],
    ),
  },
  { id: 'NF-FUEL', name: 'Fuel depot', ring: place(rectangle(400, 300), 25, [2600, -2900]) },
];

/** Development zones where sites crowd, as in a real district; the rest are spread evenly. */
const CLUSTERS: Xy[] = [
  [-2400, 800],
  [-600, -2200],
  [900, 2600],
  [2800, 400],
  [200, -500],
  [-1500, 2200],
];
const CLUSTER_SHARE = 0.55;
const CLUSTER_SPREAD_M = 700;

const ROADS = [
  'Jiefang Road',
  'Jianshe Road',
  'Zhongyuan Road',
  'Datong Road',
  'Minzhu Road',
  'Hanghai Road',
  'Daxue Road',
  'Jingguang Road',
  'Songshan Road',
  'Qinling Road',
  'Huaihe Road',
  'Dehua Street',
  'Yima Road',
  'Fuhua Street',
  'Zhengyi Road',
  'Mazhai Road',
  'Xingfu Road',
  'Ruhe Road',
];
const CONTRACTOR_PLACES = ['Songshan', 'Central Plains', 'Yellow River', 'Shangdu', 'Zhengbian', 'Longhai'];
const CONTRACTOR_TRADES = [
  'Construction Group',
  'Engineering Co.',
  'Building Works',
  'Civil Engineering',
  'Urban Build',
];
const PROJECTS: Record<'small' | 'medium' | 'large', string[]> = {
  small: ['substation works', 'metro entrance', 'school gymnasium', 'junction upgrade', 'clinic annex'],
  medium: ['residential block', 'office building', 'hospital wing', 'mixed-use complex', 'school extension'],
  large: [
    'residential estate',
    'logistics park',
    'commercial centre',
    'urban renewal zone',
    'university campus',
  ],
};
const STAGES = ['demolition', 'earthworks', 'foundations', 'structure', 'finishing'] as const;
const STAGE_WEIGHTS = [0.1, 0.2, 0.2, 0.3, 0.2];
/** Chance of high and of medium risk per stage (the rest: low): bare soil and demolition raise dust. */
const RISK_BY_STAGE: Record<(typeof STAGES)[number], [number, number]> = {
  demolition: [0.7, 0.3],
  earthworks: [0.7, 0.3],
  foundations: [0.2, 0.6],
  structure: [0, 0.5],
  finishing: [0, 0.2],
};
/** Large bare-soil sites are worth a full coverage sweep rather than a perimeter watch. */
const COVERAGE_FROM_HA = 3;

type ShapeKind = 'rectangle' | 'quadrilateral' | 'L' | 'U' | 'comb' | 'courtyard' | 'two-plots';
const SHAPE_WEIGHTS: [ShapeKind, number][] = [
  ['rectangle', 0.3],
  ['quadrilateral', 0.1],
  ['L', 0.2],
  ['U', 0.12],
  ['comb', 0.08],
  ['courtyard', 0.12],
  ['two-plots', 0.08],
];
/** Below a hectare, yards and teeth would be a few metres wide: small sites keep simple shapes. */
const SMALL_SITE_HA = 1;
const SMALL_SHAPE_WEIGHTS: [ShapeKind, number][] = [
  ['rectangle', 0.55],
  ['quadrilateral', 0.25],
  ['L', 0.2],
];

/** A shape's polygons (outer ring counter-clockwise, holes clockwise), in units scaled later. */
type Shape = Ring[][];

function rectangle(w: number, h: number): Ring {
  return [
    [-w / 2, -h / 2],
    [w / 2, -h / 2],
    [w / 2, h / 2],
    [-w / 2, h / 2],
  ];
}

function regularPolygon(sides: number, radiusM: number, [cx, cy]: Xy): Ring {
  return Array.from({ length: sides }, (_, i): Xy => {
    const a = (2 * Math.PI * i) / sides + Math.PI / sides;
    return [cx + radiusM * Math.cos(a), cy + radiusM * Math.sin(a)];
  });
}

/** Rotates a ring by `deg` counter-clockwise about the origin, then moves it to `centre`. */
function place(ring: Ring, deg: number, [cx, cy]: Xy): Ring {
  const a = (deg * Math.PI) / 180;
  return ring.map(
    ([x, y]): Xy => [cx + x * Math.cos(a) - y * Math.sin(a), cy + x * Math.sin(a) + y * Math.cos(a)],
  );
}

function shoelaceM2(ring: Ring): number {
  let sum = 0;
  ring.forEach(([x1, y1], i) => {
    const [x2, y2] = ring[(i + 1) % ring.length];
    sum += x1 * y2 - x2 * y1;
  });
  return sum / 2;
}

/** Signed areas: holes, being clockwise, subtract themselves. */
const shapeAreaM2 = (shape: Shape) => shape.flat().reduce((sum, ring) => sum + shoelaceM2(ring), 0);

function makeShape(kind: ShapeKind, r: () => number): Shape {
  const between = (lo: number, hi: number) => lo + (hi - lo) * r();
  const h = between(0.5, 1);
  switch (kind) {
    case 'rectangle':
      return [[rectangle(1, h)]];
    case 'quadrilateral':
      return [
        [rectangle(1, h).map(([x, y]): Xy => [x + between(-0.12, 0.12), y + between(-0.12, 0.12) * h])],
      ];
    case 'L': {
      const bar = between(0.35, 0.55) * h;
      const arm = between(0.3, 0.5);
      const tall = between(1, 1.4);
      return [
        [
          [
            [0, 0],
            [1, 0],
            [1, bar],
            [arm, bar],
            [arm, tall],
            [0, tall],
          ],
        ],
      ];
    }
    case 'U': {
      const side = between(0.25, 0.35);
      const base = between(0.3, 0.45);
      const tall = between(0.7, 1);
      return [
        [
          [
            [0, 0],
            [1, 0],
            [1, tall],
            [1 - side, tall],
            [1 - side, base],
            [side, base],
            [side, tall],
            [0, tall],
          ],
        ],
      ];
    }
    case 'comb': {
      const teeth = 3 + Math.floor(r() * 2);
      const gapShare = between(0.8, 1.3);
      const tooth = 1 / (teeth + (teeth - 1) * gapShare);
      const base = between(0.2, 0.3);
      const tall = between(0.8, 1.1);
      const ring: Ring = [
        [0, 0],
        [1, 0],
      ];
      for (let t = teeth - 1; t >= 0; t--) {
        const right = t * tooth * (1 + gapShare) + tooth;
        const left = right - tooth;
        ring.push([right, tall], [left, tall]);
        if (t > 0) ring.push([left, base], [left - tooth * gapShare, base]);
      }
      return [[ring]];
    }
    case 'courtyard': {
      const outer = rectangle(1, h);
      if (r() < 0.6) return [[outer, rectangle(between(0.3, 0.5), between(0.3, 0.5) * h).reverse()]];
      const yard = (cx: number): Ring =>
        place(rectangle(between(0.2, 0.3), between(0.3, 0.5) * h), 0, [cx, 0]).reverse() as Ring;
      return [[outer, yard(-0.22), yard(0.22)]];
    }
    case 'two-plots': {
      const gap = between(0.1, 0.16);
      const w = (1 - gap) / 2;
      return [
        [place(rectangle(w, h), 0, [-(w + gap) / 2, 0])],
        [place(rectangle(w, h * between(0.7, 1)), 0, [(w + gap) / 2, 0])],
      ];
    }
  }
}

/** Moves a shape's bounding-box centre to the origin. */
function centred(shape: Shape): Shape {
  const points = shape.flat(2);
  const cx = (Math.min(...points.map((p) => p[0])) + Math.max(...points.map((p) => p[0]))) / 2;
  const cy = (Math.min(...points.map((p) => p[1])) + Math.max(...points.map((p) => p[1]))) / 2;
  return shape.map((polygon) => polygon.map((ring) => ring.map(([x, y]): Xy => [x - cx, y - cy])));
}

function pick<T>(r: () => number, weighted: [T, number][]): T {
  let u = r() * weighted.reduce((sum, [, w]) => sum + w, 0);
  for (const [value, w] of weighted) {
    u -= w;
    if (u <= 0) return value;
  }
  return weighted[weighted.length - 1][0];
}

function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

const toLonLat = ([eastM, northM]: Xy): [number, number] => {
  const g = FRAME.toGeo({ northM, eastM, upM: 0 });
  return [round7(g.lonDeg), round7(g.latDeg)];
};
const round7 = (x: number) => Math.round(x * 1e7) / 1e7;
const closedRing = (ring: Ring) => [...ring, ring[0]].map(toLonLat);

function polygonGeometry(shape: Shape) {
  const polygons = shape.map((polygon) => polygon.map(closedRing));
  return polygons.length === 1
    ? { type: 'Polygon', coordinates: polygons[0] }
    : { type: 'MultiPolygon', coordinates: polygons };
}

const radiusM = (ring: Ring, [cx, cy]: Xy) => Math.max(...ring.map(([x, y]) => Math.hypot(x - cx, y - cy)));

interface Placed {
  centre: Xy;
  radiusM: number;
}

/** The district as a GeoJSON FeatureCollection (a plain object, ready for JSON). */
export function makeDistrict() {
  const r = random(SEED);
  const inner = {
    type: 'Polygon' as const,
    coordinates: [
      [...OPERATING_AREA, OPERATING_AREA[0]].map(([x, y]) => [x * INNER_AREA_SCALE, y * INNER_AREA_SCALE]),
    ],
  };
  const zones = NO_FLY_ZONES.map((z) => {
    const centre: Xy = [
      z.ring.reduce((s, p) => s + p[0], 0) / z.ring.length,
      z.ring.reduce((s, p) => s + p[1], 0) / z.ring.length,
    ];
    return { centre, radiusM: radiusM(z.ring, centre) };
  });
  const placed: Placed[] = [];
  const fits = (ring: Ring, centre: Xy, rM: number) =>
    ring.every((p) => booleanPointInPolygon(p, inner)) &&
    placed.every(
      (s) => Math.hypot(s.centre[0] - centre[0], s.centre[1] - centre[1]) >= s.radiusM + rM + SITE_GAP_M,
    ) &&
    zones.every(
      (z) => Math.hypot(z.centre[0] - centre[0], z.centre[1] - centre[1]) >= z.radiusM + rM + NO_FLY_GAP_M,
    ) &&
    LAUNCH_POINTS.every((l) => Math.hypot(l.at[0] - centre[0], l.at[1] - centre[1]) >= rM + LAUNCH_GAP_M) &&
    LAUNCH_POINTS.some(
      (l) => Math.hypot(l.at[0] - centre[0], l.at[1] - centre[1]) <= MAX_LAUNCH_REACH_M - rM,
    );

  const contractors = CONTRACTOR_PLACES.flatMap((p) => CONTRACTOR_TRADES.map((t) => `${p} ${t}`));
  const sites = [];
  for (let i = 0; i < SITE_COUNT; i++) {
    const areaHa = MIN_SITE_HA * (MAX_SITE_HA / MIN_SITE_HA) ** r();
    const kind = pick(r, areaHa < SMALL_SITE_HA ? SMALL_SHAPE_WEIGHTS : SHAPE_WEIGHTS);
    const unit = centred(makeShape(kind, r));
    const scale = Math.sqrt((areaHa * 10_000) / shapeAreaM2(unit));
    const angleDeg = (r() < 0.7 ? 0 : r() * 180) + 8 * gaussian(r) + (r() < 0.5 ? 90 : 0);
    let shape: Shape | null = null;
    for (let attempt = 0; shape === null; attempt++) {
      if (attempt > 5000) throw new Error(`no room for site ${i + 1}`);
      const cluster = CLUSTERS[Math.floor(r() * CLUSTERS.length)];
      const centre: Xy =
        r() < CLUSTER_SHARE
          ? [cluster[0] + CLUSTER_SPREAD_M * gaussian(r), cluster[1] + CLUSTER_SPREAD_M * gaussian(r)]
          : [-4500 + 9000 * r(), -4400 + 8800 * r()];
      const candidate = unit.map((polygon) =>
        polygon.map((ring) =>
          place(
            ring.map(([x, y]): Xy => [x * scale, y * scale]),
            angleDeg,
            centre,
          ),
        ),
      );
      const outline = candidate.flatMap((polygon) => polygon[0]);
      const rM = radiusM(outline, centre);
      if (fits(outline, centre, rM)) {
        placed.push({ centre, radiusM: rM });
        shape = candidate;
      }
    }
    const stage = pick(
      r,
      STAGES.map((s, k): [(typeof STAGES)[number], number] => [s, STAGE_WEIGHTS[k]]),
    );
    const [pHigh, pMedium] = RISK_BY_STAGE[stage];
    const u = r();
    const risk = u < pHigh ? 'high' : u < pHigh + pMedium ? 'medium' : 'low';
    const size = areaHa < 0.6 ? 'small' : areaHa < 3 ? 'medium' : 'large';
    const road = ROADS[Math.floor(r() * ROADS.length)];
    const project = PROJECTS[size][Math.floor(r() * PROJECTS[size].length)];
    const phase = r() < 0.25 ? ` phase ${2 + Math.floor(r() * 3)}` : '';
    const properties: Record<string, unknown> = {
      id: `EQ-${String(i + 1).padStart(3, '0')}`,
      name: `${road} ${project}${phase}`,
      // A few contractors hold many sites, as in a real district.
      contractor: contractors[Math.floor(contractors.length * r() ** 1.6)],
      address: `${1 + Math.floor(r() * 400)} ${road}, Erqi District, Zhengzhou`,
      risk,
      stage,
      shape: kind,
      synthetic: true,
    };
    if ((stage === 'earthworks' || stage === 'demolition') && areaHa >= COVERAGE_FROM_HA)
      properties.pattern = 'coverage';
    sites.push({ type: 'Feature', properties, geometry: polygonGeometry(shape) });
  }

  return {
    type: 'FeatureCollection',
    name: 'Erqi District, Zhengzhou: synthetic patrol district',
    properties: {
      synthetic: true,
      note:
        `Synthetic data: ${SITE_COUNT} invented construction sites, ${LAUNCH_POINTS.length} launch points and ` +
        `${NO_FLY_ZONES.length} no-fly zones placed in and around Erqi District, Zhengzhou, for planning tests ` +
        'and benchmarks. None is a real site, contractor, address or restriction.',
      generator: 'npx tsx scripts/make-district.ts',
      seed: SEED,
    },
    features: [
      {
        type: 'Feature',
        properties: {
          kind: 'operating-area',
          id: 'OA-ERQI',
          name: 'Erqi patrol operating area',
          synthetic: true,
        },
        geometry: polygonGeometry([[OPERATING_AREA]]),
      },
      ...NO_FLY_ZONES.map((z) => ({
        type: 'Feature',
        properties: { kind: 'no-fly', id: z.id, name: z.name, synthetic: true },
        geometry: polygonGeometry([[z.ring]]),
      })),
      ...LAUNCH_POINTS.map((l) => ({
        type: 'Feature',
        properties: { kind: 'launch', id: l.id, name: l.name, altAmslM: l.altAmslM, synthetic: true },
        geometry: { type: 'Point', coordinates: toLonLat(l.at) },
      })),
      ...sites,
    ],
  };
}

/** The file's text: one feature a line, so diffs stay readable. */
export function districtText(): string {
  const { features, ...head } = makeDistrict();
  const top = JSON.stringify(head, null, 2).replace(/\n}$/, '');
  return `${top},\n  "features": [\n${features.map((f) => `    ${JSON.stringify(f)}`).join(',\n')}\n  ]\n}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = districtText();
  // Check it loads cleanly before writing it.
  const registry = registryFromFeatures([{ source: DISTRICT_FILE, features: JSON.parse(text).features }]);
  if (registry.warnings.length > 0) {
    throw new Error(`district has warnings:\n${registry.warnings.join('\n')}`);
  }
  fs.writeFileSync(DISTRICT_FILE, text);
  const s = summariseSites(registry);
  process.stdout.write(
    `wrote ${path.relative(process.cwd(), DISTRICT_FILE)}: ${s.sites} sites, ${s.totalAreaHa.toFixed(1)} ha, ` +
      `${s.launchPoints} launch points, ${s.noFlyZones} no-fly zones\n`,
  );
}
