/**
 * Simulated camera render speed: renderView (ground texture from warm tiles, one dust plume in view,
 * sensor noise) at 640×360, 1280×720 and 1920×1080, nadir from 60 m and oblique (40° down, horizon in
 * view at 30 m), against a baseline measured in the same run: filling an RGB buffer of the same size
 * with a per-pixel loop (the least any renderer must do). One core. Run alone:
 * `npx tsx scripts/bench/render.ts`.
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { type CameraPose, loadWorld, WorldRenderer } from '../../src/sim/index.js';
import { type BenchRow, formatBenchTable } from './table.js';

const ROUNDS = 15;
const WORLD = fileURLToPath(new URL('../../missions/demo-world.geojson', import.meta.url));
const SIZES: [number, number][] = [
  [640, 360],
  [1280, 720],
  [1920, 1080],
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timeMs(rounds: number, run: (round: number) => void): number {
  run(-1); // warm-up: tiles, JIT
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    run(i);
    times.push(performance.now() - start);
  }
  return median(times);
}

/** A plain per-pixel fill of the frame buffer. */
function fill(buffer: Buffer, width: number, height: number, round: number): void {
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      buffer[p] = (x + round) & 255;
      buffer[p + 1] = y & 255;
      buffer[p + 2] = 128;
    }
  }
}

const world = await loadWorld(WORLD);
const renderer = new WorldRenderer(world);
const plume = world.plumes[0];
const local = world.frame.toLocal(plume.latDeg, plume.lonDeg, 0);
const at = (dE: number, dN: number) =>
  world.frame.toGeo({ eastM: local.eastM + dE, northM: local.northM + dN, upM: 0 });
const nadir: CameraPose = {
  ...at(10, 0),
  altAmslM: 170,
  groundAmslM: 110,
  headingDeg: 20,
  pitchDeg: -90,
  rollDeg: 0,
};
const oblique: CameraPose = {
  ...at(-40, -40),
  altAmslM: 140,
  groundAmslM: 110,
  headingDeg: 45,
  pitchDeg: -40,
  rollDeg: 0,
};

const rows: BenchRow[] = [];
for (const [width, height] of SIZES) {
  const buffer = Buffer.alloc(width * height * 3);
  const baselineMs = timeMs(ROUNDS, (round) => fill(buffer, width, height, round));
  const input = `${width}x${height}`;
  rows.push({
    benchmark: 'baseline: fill',
    input,
    condition: 'per-pixel loop',
    medianMs: baselineMs,
    ratio: 1,
    note: '',
  });
  for (const [condition, pose] of [
    ['nadir 60 m, plume', nadir],
    ['oblique 40° 30 m, horizon', oblique],
  ] as const) {
    const camera = { widthPx: width, heightPx: height, hfovDeg: 82 };
    const ms = timeMs(ROUNDS, (round) => renderer.render(pose, camera, 10 + round * 0.1));
    rows.push({
      benchmark: 'renderView',
      input,
      condition,
      medianMs: ms,
      ratio: ms / baselineMs,
      note: `${(1000 / ms).toFixed(0)} frames/s`,
    });
  }
}
process.stdout.write(
  `Simulated camera render, median of ${ROUNDS} frames, one core\n${formatBenchTable(rows)}\n`,
);
