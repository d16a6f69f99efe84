/**
 * Sim-world alerts: what the dust-plume detector finds and how often it cries wolf, end to end on the
 * simulated world. For each world it flies ONE simulated flight (the built-in simulator with its camera,
 * as test/analytics/replay.test.ts does: 60 m, camera 640×360 82° at 4 fps, speed-up 10, reported
 * position σ 1.5 m and attitude σ 1°) over all five demo sites — D-01's, D-04's, D-05's and D-02's plume
 * sources and D-03's centre (no plume), hovering 6 s over each; D-05's plume rises from pale soil and is
 * flown over on purpose — and replays that same flight (replayFlight at 2 fps into a fresh SQLite alert
 * store) once per model. Worlds: the demo world (missions/demo-world.geojson, 4 plumes) and the same
 * world with every plume removed (written to a temp folder), where every alert is false.
 *
 * An alert within ALERT_NEAR_PLUME_M of a true plume's source is that plume's (it is found; the distance
 * is the nearest such alert's); every other alert is false. False alerts per flight-hour divide by the
 * time airborne (from the tlog: the first to the last pose more than 1 m above home), which includes the
 * take-off and the way home with the camera up; the video's duration is printed beside it.
 *
 * Models side by side on the same flights: the committed model (models/dust-plume.onnx) and each
 * `--baseline-model PATH` (its .json beside it; may be given more than once). `--winds DEG,DEG,...`
 * flies the demo world once per wind direction (the world's windFromDeg, which every plume follows;
 * the simulator's wind blows from there too) instead of once at the file's 250°; the plume-free world
 * is flown once. `--json` prints the rows as JSON instead of the table.
 *
 * The simulator runs on the wall clock (speed-up 10), so which instants the camera renders, and with
 * them a false alert or two, differ between runs: compare models within one run, where they replay the
 * same flights.
 *
 * Run alone: `npx tsx scripts/bench/sim-world-alerts.ts [--baseline-model PATH] [--winds 250,70]
 * [--json]` (on a busy 2-core machine: about 1 minute per flight of 7 minutes airborne and half a minute
 * per replay, so about 4 minutes with one baseline; progress on stderr).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Alert } from '../../src/alerts/index.js';
import { loadFlightTelemetry } from '../../src/analytics/index.js';
import { table } from '../../src/cli/output.js';
import { DEFAULT_MODEL_PATH, loadDetector } from '../../src/detect/index.js';
import { horizontalDistanceM, LocalFrame } from '../../src/geo/index.js';
import { REPO_ROOT } from '../../test/helpers/cli.js';
import {
  DEMO_HOME,
  DEMO_WORLD,
  flySimFlight,
  replaySimFlight,
  type SimFlight,
} from '../../test/helpers/sim-flight.js';

/** An alert this close to a plume's source is that plume's (the alert store's de-duplication radius). */
const ALERT_NEAR_PLUME_M = 30;
const ANALYSIS_FPS = 2;
const ALT_REL_M = 60;
const HOLD_S = 6;
const CAMERA = { widthPx: 640, heightPx: 360, hfovDeg: 82, fps: 4 };
const SPEEDUP = 10;
const POSITION_NOISE_M = 1.5;
const ATTITUDE_NOISE_DEG = 1;
/** Above this height over home the vehicle counts as airborne. */
const AIRBORNE_ALT_REL_M = 1;
const AIRBORNE_STEP_US = 1_000_000;
const POSE_MAX_GAP_US = 2_000_000;
/** All five demo sites, in a loop from home: the plume sources, and D-03's bounding-box centre. */
const ROUTE = [
  { latDeg: 34.7261, lonDeg: 113.63155 }, // D-01's plume
  { latDeg: 34.7283, lonDeg: 113.6349 }, // D-04's (on from sim second 60)
  { latDeg: 34.72167, lonDeg: 113.63381 }, // D-03's centre (its courtyard), no plume
  { latDeg: 34.7196, lonDeg: 113.6266 }, // D-05's, over pale soil
  { latDeg: 34.724, lonDeg: 113.6256 }, // D-02's
];
/** Alerts listed per row in the distances column before it is cut short. */
const MAX_LISTED_FALSE = 8;

interface WorldRun {
  label: string;
  file: string;
}

interface ModelRun {
  label: string;
  modelPath: string;
}

interface FlownWorld {
  world: WorldRun;
  flight: SimFlight;
  airborneS: number;
  videoS: number;
}

export interface AlertsRow {
  world: string;
  model: string;
  modelPath: string;
  airborneMin: number;
  videoMin: number;
  plumes: { id: string; siteId: string | null; found: boolean; distanceM: number | null; alerts: number }[];
  falseAlerts: { code: string; siteId: string | null; nearestPlumeM: number | null }[];
  falseAlertsPerFlightHour: number;
  replayWallS: number;
}

/** A path relative to the repository when it lies in it, else absolute. */
function shownPath(file: string): string {
  const relative = path.relative(REPO_ROOT, file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? path.resolve(file) : relative;
}

/** The demo world as JSON, with its plumes kept or dropped and its wind set. */
function writeWorld(dir: string, name: string, keepPlumes: boolean, windFromDeg?: number): string {
  const doc = JSON.parse(fs.readFileSync(DEMO_WORLD, 'utf8')) as {
    windFromDeg?: number;
    features: { properties?: Record<string, unknown> }[];
  };
  doc.features = doc.features.filter((f) => keepPlumes || f.properties?.kind !== 'plume');
  if (windFromDeg !== undefined) {
    doc.windFromDeg = windFromDeg;
    // Every plume follows the world's wind.
    for (const f of doc.features) if (f.properties?.kind === 'plume') delete f.properties.windFromDeg;
  }
  const file = path.join(dir, `${name}.geojson`);
  fs.writeFileSync(file, JSON.stringify(doc));
  return file;
}

/** Seconds from the first to the last pose above AIRBORNE_ALT_REL_M, sampled every second. */
async function airborneS(tlog: string): Promise<number> {
  const { track, startUs, endUs } = await loadFlightTelemetry(tlog);
  let firstUs: number | null = null;
  let lastUs = 0;
  for (let t = startUs; t <= endUs; t += AIRBORNE_STEP_US) {
    const pose = track.poseAt(t, POSE_MAX_GAP_US);
    if (pose.ok && pose.pose.altRelM > AIRBORNE_ALT_REL_M) {
      firstUs ??= t;
      lastUs = t;
    }
  }
  return firstUs === null ? 0 : (lastUs - firstUs) / 1e6;
}

/** Each alert attributed to a true plume within ALERT_NEAR_PLUME_M, or counted false. */
function score(flown: FlownWorld, model: ModelRun, alerts: Alert[], replayWallS: number): AlertsRow {
  const frame = new LocalFrame(DEMO_HOME);
  const local = (p: { latDeg: number; lonDeg: number }) => frame.toLocal(p.latDeg, p.lonDeg, 0);
  const truth = flown.flight.truth.plumes;
  const near = new Map<string, number[]>(truth.map((p) => [p.id, []]));
  const falseAlerts: AlertsRow['falseAlerts'] = [];
  for (const alert of alerts) {
    const [nearest] = truth
      .map((plume) => ({ plume, distanceM: horizontalDistanceM(local(alert), local(plume)) }))
      .sort((a, b) => a.distanceM - b.distanceM);
    if (nearest && nearest.distanceM <= ALERT_NEAR_PLUME_M)
      near.get(nearest.plume.id)?.push(nearest.distanceM);
    else
      falseAlerts.push({ code: alert.code, siteId: alert.siteId, nearestPlumeM: nearest?.distanceM ?? null });
  }
  const bySite = [...truth].sort((a, b) => (a.siteId ?? a.id).localeCompare(b.siteId ?? b.id));
  const plumes = bySite.map((p) => {
    const distances = near.get(p.id) ?? [];
    return {
      id: p.id,
      siteId: p.siteId,
      found: distances.length > 0,
      distanceM: distances.length > 0 ? Math.min(...distances) : null,
      alerts: distances.length,
    };
  });
  return {
    world: flown.world.label,
    model: model.label,
    modelPath: shownPath(model.modelPath),
    airborneMin: flown.airborneS / 60,
    videoMin: flown.videoS / 60,
    plumes,
    falseAlerts,
    falseAlertsPerFlightHour: falseAlerts.length / (flown.airborneS / 3600),
    replayWallS,
  };
}

function formatRows(rows: AlertsRow[]): string {
  const body = rows.map((r) => {
    const found = r.plumes.filter((p) => p.found);
    const foundCell =
      r.plumes.length === 0
        ? '- (no plumes)'
        : `${found.length}/${r.plumes.length}${found.length ? ` ${found.map((p) => p.siteId ?? p.id).join(' ')}` : ''}`;
    const nearCells = found.map(
      (p) => `${p.siteId ?? p.id} ${p.distanceM?.toFixed(1)}${p.alerts > 1 ? ` (x${p.alerts})` : ''}`,
    );
    const falseCells = r.falseAlerts
      .slice(0, MAX_LISTED_FALSE)
      .map(
        (f) => `${f.siteId ?? 'off-site'}${f.nearestPlumeM === null ? '' : ` ${f.nearestPlumeM.toFixed(0)}`}`,
      );
    if (r.falseAlerts.length > MAX_LISTED_FALSE) falseCells.push('...');
    const distances = [
      nearCells.length ? nearCells.join(', ') : '',
      falseCells.length ? `false: ${falseCells.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    return [
      r.world,
      r.model,
      r.airborneMin.toFixed(1),
      foundCell,
      String(r.falseAlerts.length),
      r.falseAlertsPerFlightHour.toFixed(1),
      distances || '-',
    ];
  });
  return table(
    ['world', 'model', 'flight min', 'plumes found', 'false alerts', 'false/flight-h', 'alert distances m'],
    body,
  );
}

export async function benchSimWorldAlerts(options: {
  baselineModels: string[];
  windsDeg?: number[];
  log?: (line: string) => void;
}): Promise<{ rows: AlertsRow[]; flights: FlownWorld[]; models: ModelRun[] }> {
  const log = options.log ?? (() => {});
  const models: ModelRun[] = [
    { label: 'committed', modelPath: DEFAULT_MODEL_PATH },
    ...options.baselineModels.map((p, i) => ({
      label: options.baselineModels.length > 1 ? `baseline ${i + 1}` : 'baseline',
      modelPath: path.resolve(p),
    })),
  ];
  // A bad model path fails now, not after minutes of flying.
  for (const m of models) await (await loadDetector({ modelPath: m.modelPath })).close();

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-sim-alerts-'));
  try {
    const worlds: WorldRun[] = options.windsDeg
      ? options.windsDeg.map((deg) => ({
          label: `demo, wind ${deg}°`,
          file: writeWorld(dir, `demo-wind-${deg}`, true, deg),
        }))
      : [{ label: 'demo', file: DEMO_WORLD }];
    worlds.push({ label: 'plume-free', file: writeWorld(dir, 'plume-free', false) });

    const rows: AlertsRow[] = [];
    const flights: FlownWorld[] = [];
    for (const [w, world] of worlds.entries()) {
      const flightDir = path.join(dir, `flight-${w}`);
      fs.mkdirSync(flightDir);
      log(`flying ${world.label} (${path.basename(world.file)})…`);
      const startMs = Date.now();
      const flight = await flySimFlight({
        dir: flightDir,
        worldFile: world.file,
        route: ROUTE,
        holdS: HOLD_S,
        altRelM: ALT_REL_M,
        camera: CAMERA,
        speedup: SPEEDUP,
        positionNoiseM: POSITION_NOISE_M,
        attitudeNoiseDeg: ATTITUDE_NOISE_DEG,
      });
      const flown: FlownWorld = {
        world,
        flight,
        airborneS: await airborneS(flight.tlog),
        videoS: Number.NaN,
      };
      flights.push(flown);
      log(
        `  flown in ${((Date.now() - startMs) / 1000).toFixed(0)} s wall, ${flown.airborneS.toFixed(0)} s airborne`,
      );
      for (const [m, model] of models.entries()) {
        log(`  replaying with ${model.label} (${shownPath(model.modelPath)})…`);
        const { summary, alerts } = await replaySimFlight(flight, {
          db: path.join(flightDir, `alerts-${m}.db`),
          fps: ANALYSIS_FPS,
          camera: CAMERA,
          modelPath: model.modelPath,
        });
        flown.videoS = summary.videoDurationS;
        log(`  ${alerts.length} alerts, ${summary.wallS.toFixed(0)} s wall`);
        rows.push(score(flown, model, alerts, summary.wallS));
      }
    }
    return { rows, flights, models };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function parseWinds(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const winds = parts.map(Number);
  if (parts.some((s) => s === '') || winds.some((w) => !Number.isFinite(w) || w < 0 || w >= 360)) {
    process.stderr.write(`--winds must be degrees from 0 to 359 separated by commas, got '${text}'\n`);
    process.exit(2);
  }
  return winds;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      'baseline-model': { type: 'string', multiple: true },
      winds: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const wallStartMs = Date.now();
  const { rows, flights, models } = await benchSimWorldAlerts({
    baselineModels: values['baseline-model'] ?? [],
    windsDeg: values.winds === undefined ? undefined : parseWinds(values.winds),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const wallS = (Date.now() - wallStartMs) / 1000;
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ alertNearPlumeM: ALERT_NEAR_PLUME_M, wallS, rows }, null, 2)}\n`,
    );
  } else {
    const modelLines = models.map((m) => `${m.label} = ${shownPath(m.modelPath)}`);
    const flightLines = flights.map(
      (f) =>
        `${f.world.label}: airborne ${(f.airborneS / 60).toFixed(1)} min, video ${(f.videoS / 60).toFixed(1)} min`,
    );
    process.stdout.write(
      `sim-world alerts: one flight per world over D-01, D-04, D-03 (no plume), D-05, D-02 at ${ALT_REL_M} m, ` +
        `${HOLD_S} s hover each, camera ${CAMERA.widthPx}x${CAMERA.heightPx} ${CAMERA.hfovDeg}° ${CAMERA.fps} fps, ` +
        `replayed at ${ANALYSIS_FPS} fps per model;\n` +
        `models: ${modelLines.join('; ')};\n` +
        `flight min = time airborne from the tlog (${flightLines.join('; ')});\n` +
        `a plume is found by an alert within ${ALERT_NEAR_PLUME_M} m of its source; every other alert is false; ` +
        'alert distances: per found plume its nearest alert (m), per false alert its site and distance to the nearest plume (m)\n' +
        `${formatRows(rows)}\n` +
        `wall ${(wallS / 60).toFixed(1)} min\n`,
    );
  }
}
