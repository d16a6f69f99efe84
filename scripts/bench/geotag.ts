/**
 * Geolocation accuracy and replay speed. Flies the simulator with its camera over the demo world's
 * plumes at 40, 60 and 100 m with realistic errors in the reported telemetry (position σ 1.5 m,
 * attitude σ 1°) and a camera clock 100 ms off, replays each recorded flight through the real pipeline
 * (model, geotag, alert store), and compares every alert with the plumes' true ground positions.
 * Then replay speed for 1080p30 video at 2 fps analysis: the first SPEED_CLIP_S of the 60 m flight's
 * video re-encoded at 1920×1080 30 fps with temporal grain (so every frame differs and costs a real
 * decode), replayed against the same tlog, beside decoding that video alone (the limit) in the same run.
 * Run alone: `npx tsx scripts/bench/geotag.ts` (about 10 minutes on 2 cores).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { AlertService, openAlertStore } from '../../src/alerts/index.js';
import { replayFlight } from '../../src/analytics/index.js';
import { table } from '../../src/cli/output.js';
import { loadDetector } from '../../src/detect/index.js';
import { LocalFrame } from '../../src/geo/index.js';
import { cameraFromFov } from '../../src/geotag/index.js';
import type { GroundTruth } from '../../src/sim/camera/index.js';
import { loadSiteFiles } from '../../src/sites/index.js';
import { openVideo, resolveFfmpeg } from '../../src/video/index.js';
import { DEMO_HOME, flySimFlight, type SimFlight } from '../../test/helpers/sim-flight.js';

const ALTITUDES_M = [40, 60, 100];
const POSITION_SIGMA_M = 1.5;
const ATTITUDE_SIGMA_DEG = 1;
const CLOCK_ERROR_S = 0.1;
const ANALYSIS_FPS = 2;
/** An alert farther than this from every plume is a false alarm; a plume with none this close, missed. */
const MATCH_RADIUS_M = 50;
const SPEEDUP = 10;
const ACCURACY_CAMERA = { widthPx: 1280, heightPx: 720, hfovDeg: 82, fps: 5 };
const SPEED_CLIP_S = 120;
const SITES = path.resolve('missions/demo-sites.geojson');

/** Over the demo world's four plumes and the one site without any. */
const ROUTE = [
  { latDeg: 34.7261, lonDeg: 113.63155 },
  { latDeg: 34.7283, lonDeg: 113.6349 },
  { latDeg: 34.7209203, lonDeg: 113.6331461 },
  { latDeg: 34.7196, lonDeg: 113.6266 },
  { latDeg: 34.724, lonDeg: 113.6256 },
];

interface Accuracy {
  altitudeM: number;
  errorsM: number[];
  alerts: number;
  falseAlarms: number;
  missed: number;
  videoS: number;
  replayS: number;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  return sorted[lo] + (sorted[Math.ceil(rank)] - sorted[lo]) * (rank - lo);
}

async function replay(flight: SimFlight, dir: string) {
  const start = flight.truth.videoStartUnixUs;
  if (start === null) throw new Error('the simulated camera rendered no frame');
  const registry = await loadSiteFiles([SITES]);
  const detector = await loadDetector();
  const store = openAlertStore(path.join(dir, 'alerts.db'));
  try {
    const summary = await replayFlight({
      tlogPath: flight.tlog,
      videoPath: flight.video,
      videoStartUs: start + CLOCK_ERROR_S * 1e6,
      fps: ANALYSIS_FPS,
      camera: cameraFromFov({ widthPx: 1920, heightPx: 1080, horizontalFovDeg: flight.truth.camera.hfovDeg }),
      detector,
      alerts: new AlertService({ store, sites: registry }),
    });
    return { summary, alerts: store.listAlerts() };
  } finally {
    store.close();
    await detector.close();
  }
}

function score(truth: GroundTruth, alerts: { latDeg: number; lonDeg: number }[]) {
  const frame = new LocalFrame(DEMO_HOME);
  const plumes = truth.plumes.map((p) => frame.toLocal(p.latDeg, p.lonDeg, 0));
  const distance = (a: { latDeg: number; lonDeg: number }, i: number) => {
    const local = frame.toLocal(a.latDeg, a.lonDeg, 0);
    return Math.hypot(local.eastM - plumes[i].eastM, local.northM - plumes[i].northM);
  };
  const errorsM: number[] = [];
  let falseAlarms = 0;
  const found = new Set<number>();
  for (const alert of alerts) {
    const nearest = plumes.map((_, i) => ({ i, d: distance(alert, i) })).sort((a, b) => a.d - b.d)[0];
    if (nearest && nearest.d <= MATCH_RADIUS_M) {
      errorsM.push(nearest.d);
      found.add(nearest.i);
    } else falseAlarms++;
  }
  return { errorsM, falseAlarms, missed: plumes.length - found.size };
}

async function accuracyAt(
  altitudeM: number,
  root: string,
): Promise<Accuracy & { flight: SimFlight; dir: string }> {
  const dir = fs.mkdtempSync(path.join(root, `alt${altitudeM}-`));
  process.stderr.write(`flying at ${altitudeM} m…\n`);
  const flight = await flySimFlight({
    dir,
    route: ROUTE,
    altRelM: altitudeM,
    camera: ACCURACY_CAMERA,
    speedup: SPEEDUP,
    positionNoiseM: POSITION_SIGMA_M,
    attitudeNoiseDeg: ATTITUDE_SIGMA_DEG,
    seed: altitudeM,
  });
  process.stderr.write(`replaying ${flight.truth.frames} frames…\n`);
  const { summary, alerts } = await replay(flight, dir);
  return {
    flight,
    dir,
    altitudeM,
    ...score(flight.truth, alerts),
    alerts: alerts.length,
    videoS: summary.videoDurationS,
    replayS: summary.wallS,
  };
}

/** The flight's video as 1080p30 H.264 with grain, keeping its creation_time (the replay's clock). */
async function toFullHd30(video: string, out: string): Promise<void> {
  const args = [
    ...['-v', 'error', '-y', '-i', video, '-t', String(SPEED_CLIP_S), '-map_metadata', '0'],
    ...['-vf', 'scale=1920:1080,fps=30,noise=alls=10:allf=t,format=yuv420p'],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-g', '30', out],
  ];
  await promisify(execFile)(resolveFfmpeg(), args);
}

async function replaySpeed(flight: SimFlight, dir: string) {
  process.stderr.write(`making ${SPEED_CLIP_S} s of 1080p30 video…\n`);
  const video = path.join(dir, 'video-1080p30.mkv');
  await toFullHd30(flight.video, video);
  const decodeStart = performance.now();
  const source = await openVideo(video, { fps: ANALYSIS_FPS });
  let decoded = 0;
  for await (const _frame of source) decoded++;
  const decodeS = (performance.now() - decodeStart) / 1000;
  const { summary } = await replay({ ...flight, video }, dir);
  return { videoS: summary.videoDurationS, decodeS, decoded, replayS: summary.wallS };
}

export async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-bench-geotag-'));
  try {
    const rows: Awaited<ReturnType<typeof accuracyAt>>[] = [];
    for (const altitudeM of ALTITUDES_M) rows.push(await accuracyAt(altitudeM, root));
    const at60 = rows.find((r) => r.altitudeM === 60) ?? rows[0];
    const speed = await replaySpeed(at60.flight, at60.dir);
    const m = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '—');
    process.stdout.write(
      `${table(
        [
          'altitude m',
          'alerts',
          'matched',
          'false',
          'missed',
          'median err m',
          'p90 err m',
          'replay × real time',
        ],
        rows.map((r) => [
          r.altitudeM,
          r.alerts,
          r.errorsM.length,
          r.falseAlarms,
          r.missed,
          m(percentile(r.errorsM, 50)),
          m(percentile(r.errorsM, 90)),
          `${(r.videoS / r.replayS).toFixed(1)} (${ACCURACY_CAMERA.widthPx}×${ACCURACY_CAMERA.heightPx} ${ACCURACY_CAMERA.fps} fps)`,
        ]),
      )}\n\n`,
    );
    process.stdout.write(
      `${table(
        ['1080p30 video', 'seconds', 'frames at 2 fps', 'wall s', '× real time', 'x decode-only'],
        [
          [
            'decode only (the limit)',
            m(speed.videoS),
            speed.decoded,
            m(speed.decodeS),
            m(speed.videoS / speed.decodeS),
            '1.00',
          ],
          [
            'replay (detect, geotag, store)',
            m(speed.videoS),
            speed.decoded,
            m(speed.replayS),
            m(speed.videoS / speed.replayS),
            (speed.decodeS / speed.replayS).toFixed(2),
          ],
        ],
      )}\n`,
    );
    process.stdout.write(
      `errors: position σ ${POSITION_SIGMA_M} m, attitude σ ${ATTITUDE_SIGMA_DEG}°, camera clock ${CLOCK_ERROR_S * 1000} ms off; ` +
        `match radius ${MATCH_RADIUS_M} m\n`,
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
