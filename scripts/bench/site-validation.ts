/**
 * Site validation on big outlines. The ring-contact sweep (src/geo/segment-crossings.ts) against the
 * check it replaced, turf's `kinks` (every pair of edges), measured in the same run: the baseline row is
 * `kinks` on a valid 2 000-point circle; it runs on 6 000 too (on a 6 001-point self-crossing ring it
 * ran out of memory after 194 s, and a 100 000-point circle took over 120 s, so it is not run there). Then the sweep alone on
 * a 6 001-point random ring (crossing everywhere; it stops at the first), valid circles of 2 000, 6 000, 50 000
 * and 200 000 points and a 50 000-point serpentine (long edges stacked: the sweep's worst case, every
 * edge in the sweep at once), and the whole of a site file's validation (registryFromFeatures) on the
 * 6 001, 50 000 and 200 000-point outlines. Goal: 200 000 points validated in under 2 s.
 *
 * Run alone: `npx tsx scripts/bench/site-validation.ts` (about half a minute).
 */
import { performance } from 'node:perf_hooks';
import { kinks, lineString } from '@turf/turf';
import { firstRingContact } from '../../src/geo/index.js';
import { seededRandom } from '../../src/random.js';
import { registryFromFeatures } from '../../src/sites/index.js';
import { type BenchRow, formatBenchTable } from './table.js';

const ROUNDS = 3;
const CENTRE = [113.63, 34.73];
const RADIUS_DEG = 0.003;

function circle(n: number): number[][] {
  const ring = Array.from({ length: n }, (_, k) => {
    const a = (2 * Math.PI * k) / n;
    return [CENTRE[0] + RADIUS_DEG * Math.cos(a), CENTRE[1] + RADIUS_DEG * Math.sin(a)];
  });
  ring.push(ring[0]);
  return ring;
}

/** Points anywhere in a square: a ring crossing itself almost everywhere, like the tester's file. */
function randomRing(n: number): number[][] {
  const random = seededRandom(6001);
  const ring = Array.from({ length: n }, () => [
    CENTRE[0] + RADIUS_DEG * (2 * random() - 1),
    CENTRE[1] + RADIUS_DEG * (2 * random() - 1),
  ]);
  ring.push(ring[0]);
  return ring;
}

/** A valid ring of long east-west runs stacked north: every edge spans the sweep at once. */
function serpentine(n: number): number[][] {
  const runs = Math.floor(n / 4);
  const stepDeg = (2 * RADIUS_DEG) / runs;
  const ring: number[][] = [];
  for (let k = 0; k < runs; k++) {
    const lat = CENTRE[1] + k * stepDeg;
    const [from, to] = k % 2 === 0 ? [0, 1] : [1, 0];
    ring.push([CENTRE[0] + from * RADIUS_DEG + 0.1 * stepDeg, lat]);
    ring.push([CENTRE[0] + to * RADIUS_DEG, lat]);
  }
  // Back down along the west side, outside the runs.
  ring.push([CENTRE[0] - stepDeg, CENTRE[1] + runs * stepDeg]);
  ring.push([CENTRE[0] - stepDeg, CENTRE[1] - stepDeg]);
  ring.push(ring[0]);
  return ring;
}

function siteFile(ring: number[][]) {
  const feature = {
    type: 'Feature',
    properties: { id: 'S-1', name: 'Surveyed outline' },
    geometry: { type: 'Polygon', coordinates: [ring] },
  };
  return [{ source: 'bench.geojson', features: [feature] }];
}

/** Runs `check` ROUNDS times; its outcome (what it found, or why it refused) is the row's note. */
function measure(benchmark: string, input: string, check: () => string): void {
  const times: number[] = [];
  let note = '';
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    try {
      note = check();
    } catch (err) {
      note = (err as Error).message.replace(/^.*\): /, 'refused: ');
    }
    times.push(performance.now() - start);
  }
  rows.push({
    benchmark,
    input,
    condition: '',
    medianMs: times.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)],
    note,
  });
}

const rows: Omit<BenchRow, 'ratio'>[] = [];
const sweep = (ring: number[][]) => () =>
  firstRingContact([ring]) === null ? 'no contact' : 'contact found';
const validation = (ring: number[][]) => () => {
  registryFromFeatures(siteFile(ring));
  return 'valid';
};

const c2k = circle(2_000);
// Warm both checks up first, so that the first rows do not carry the compiler's start.
kinks(lineString(c2k));
firstRingContact([c2k]);
measure('kinks (old)', 'circle 2 000', () =>
  kinks(lineString(c2k)).features.length > 0 ? 'kinks found' : 'no kinks',
);
measure('sweep', 'circle 2 000', sweep(c2k));
const c6k = circle(6_000);
measure('kinks (old)', 'circle 6 000', () =>
  kinks(lineString(c6k)).features.length > 0 ? 'kinks found' : 'no kinks',
);
measure('sweep', 'circle 6 000', sweep(c6k));
const random6k = randomRing(6_000);
measure('sweep', 'random 6 001 (crossing)', sweep(random6k));
const c50k = circle(50_000);
measure('sweep', 'circle 50 000', sweep(c50k));
const c200k = circle(200_000);
measure('sweep', 'circle 200 000', sweep(c200k));
const s50k = serpentine(50_000);
measure('sweep', 'serpentine 50 000', sweep(s50k));
measure('validation', 'random 6 001 (crossing)', validation(random6k));
measure('validation', 'circle 50 000', validation(c50k));
measure('validation', 'circle 200 000', validation(c200k));

const baselineMs = rows[0].medianMs;
console.log(formatBenchTable(rows.map((r) => ({ ...r, ratio: r.medianMs / baselineMs }))));
