import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Alert, openAlertStore } from '../../src/alerts/index.js';
import { LocalFrame } from '../../src/geo/index.js';
import { loadWorld } from '../../src/sim/camera/index.js';
import { startCli } from '../helpers/cli.js';
import {
  DEMO_HOME,
  DEMO_ROUTE,
  DEMO_SITES,
  DEMO_WORLD,
  flySimFlight,
  pointWatchMission,
  replaySimFlight,
  type SimFlight,
} from '../helpers/sim-flight.js';

/**
 * A simulated flight at 60 m over the demo world (missions/demo-world.geojson): over the plumes in
 * sites D-01, D-04, D-05 and D-02, and over site D-03, which has none. The reported telemetry carries
 * realistic errors (position σ 1.5 m, attitude σ 1°), the video shows the truth; the replay must place
 * each plume within this bound. The drone hovers 6 s over each point, as a point watch does, so that
 * whether the model sees a plume does not hang on its billows at one instant. D-05's dust is the colour of
 * the pale soil it rises from: it must be found, and that soil must raise nothing.
 */
const BOUND_M = 15;
/**
 * D-05's dust is the colour of the soil it rises from, so where its blob ends upwind (its source) is
 * uncertain: placed 12–16 m off in runs under load. Its own bound stays inside the alert store's 30 m
 * de-duplication radius, so one alert per plume still holds.
 */
const PALE_PLUME_BOUND_M: Record<string, number> = { 'P-D05-demolition': 25 };
const boundFor = (plumeId: string): number => PALE_PLUME_BOUND_M[plumeId] ?? BOUND_M;

const FLOWN_OVER = ['P-D01-excavation', 'P-D04-haul-road', 'P-D02-stockpile', 'P-D05-demolition'];

let dir: string;
let flight: SimFlight;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'dustpatrol-replay-'));
  flight = await flySimFlight({
    dir,
    route: DEMO_ROUTE,
    holdS: 6,
    altRelM: 60,
    camera: CAMERA,
    speedup: 10,
    positionNoiseM: 1.5,
    attitudeNoiseDeg: 1,
  });
}, 600_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const CAMERA = { widthPx: 640, heightPx: 360, hfovDeg: 82, fps: 4 };

function replayInto(db: string, of: SimFlight = flight) {
  return replaySimFlight(of, { db, fps: 2, camera: CAMERA });
}

/** Each alert with the plume nearest to it and how far. */
function nearestPlumes(alerts: Alert[], of: SimFlight = flight) {
  const frame = new LocalFrame(DEMO_HOME);
  const local = (p: { latDeg: number; lonDeg: number }) => frame.toLocal(p.latDeg, p.lonDeg, 0);
  return alerts.map((alert) => {
    const a = local(alert);
    const [nearest] = of.truth.plumes
      .map((plume) => {
        const p = local(plume);
        return { plume, distanceM: Math.hypot(a.eastM - p.eastM, a.northM - p.northM) };
      })
      .sort((x, y) => x.distanceM - y.distanceM);
    return { alert, ...nearest };
  });
}

/** One alert for each plume flown over, at its site and within its bound, and none farther off. */
function expectOneAlertPerPlume(of: SimFlight, alerts: Alert[]) {
  const matches = nearestPlumes(alerts, of);
  const found = matches.map(
    (m) => `${m.alert.code} ${m.alert.siteId} ${m.distanceM.toFixed(1)} m from ${m.plume.id}`,
  );
  const flownOver = of.truth.plumes.filter((p) => FLOWN_OVER.includes(p.id));
  expect(flownOver).toHaveLength(FLOWN_OVER.length);
  for (const plume of flownOver) {
    const mine = matches.filter((m) => m.plume.id === plume.id && m.distanceM <= boundFor(plume.id));
    expect(
      mine.map((m) => m.alert.siteId),
      `${plume.id} among ${found.join('; ')}`,
    ).toEqual([plume.siteId]);
  }
  // Nothing else: no second alert for a plume, no alert away from every plume (site D-03 has none).
  expect(
    matches.filter((m) => m.distanceM > boundFor(m.plume.id)).map((m) => [m.alert.code, m.alert.siteId]),
    found.join('; '),
  ).toEqual([]);
  expect(alerts.filter((a) => a.siteId === 'D-03')).toEqual([]);
}

describe('replay of a simulated flight over plumes with known positions', () => {
  it('raises one alert per plume, at its site, within the bound, and none elsewhere', async () => {
    const db = path.join(dir, 'replay.db');
    const { summary, alerts } = await replayInto(db);
    expect(summary.videoDurationS).toBeGreaterThan(150);
    expectOneAlertPerPlume(flight, alerts);

    // The same flight replayed again adds nothing.
    const again = await replayInto(db);
    expect(again.summary.raised.every((r) => r.change === 'unchanged')).toBe(true);
    expect(again.alerts).toEqual(alerts);
  }, 300_000);

  it('keeps every alert written before the process is killed, and a rerun completes the store', async () => {
    const db = path.join(dir, 'killed.db');
    const args = [
      'replay',
      '--tlog',
      flight.tlog,
      '--video',
      flight.video,
      '--sites',
      DEMO_SITES,
      '--db',
      db,
    ];
    const child = startCli([...args, '--hfov', '82']);
    // Each alert line is printed after its transaction committed: kill right after the first.
    const firstAlert = await new Promise<string>((resolve, reject) => {
      let stderr = '';
      child.stderr?.on('data', (chunk) => {
        stderr += chunk;
        const line = /^alert (A-\d+) .*$/m.exec(stderr);
        if (line) {
          child.kill('SIGKILL');
          resolve(line[1]);
        }
      });
      child.on('close', () => reject(new Error(`replay ended before any alert: ${stderr}`)));
    });
    await new Promise((resolve) => child.on('close', resolve));

    const raw = new Database(db, { readonly: true });
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    raw.close();
    const store = openAlertStore(db);
    const killedAt = store.listAlerts();
    store.close();
    expect(killedAt.map((a) => a.code)).toContain(firstAlert);

    const rerun = startCli(args);
    const code = await new Promise((resolve) => rerun.on('close', resolve));
    expect(code).toBe(0);
    const after = openAlertStore(db);
    const final = after.listAlerts();
    after.close();
    // What was stored before the kill is still there, unchanged apart from later sightings of it.
    for (const before of killedAt) {
      const now = final.find((a) => a.code === before.code);
      expect(now?.firstSeenUs).toBe(before.firstSeenUs);
      expect(now?.siteId).toBe(before.siteId);
    }
    // And the store ends as an uninterrupted replay leaves it: one alert per plume.
    expect(final.length).toBe(FLOWN_OVER.length);
  }, 300_000);
});

/**
 * The demo world with its wind turned to blow from the north (the file's blows from 250°), watched as
 * a patrol's point watch does: from south of each site, camera on its centre, about 40° down. The
 * plumes drift toward the camera, so their lowest part in the picture is their downwind end, not their
 * source; placement must follow the wind the vehicle reports (WIND), not the picture's up.
 */
describe('replay of point watches with the plumes drifting toward the camera', () => {
  let watchDir: string;
  let watched: SimFlight;

  beforeAll(async () => {
    watchDir = await mkdtemp(path.join(tmpdir(), 'dustpatrol-replay-north-'));
    const doc = JSON.parse(await readFile(DEMO_WORLD, 'utf8'));
    const worldFile = path.join(watchDir, 'world.geojson');
    await writeFile(worldFile, JSON.stringify({ ...doc, windFromDeg: 0 }));
    const world = await loadWorld(worldFile);
    const watches = ['D-01', 'D-04', 'D-03', 'D-02', 'D-05'].map((siteId) => ({ siteId, altRelM: 60 }));
    watched = await flySimFlight({
      dir: watchDir,
      route: [],
      mission: pointWatchMission(world, watches, 6),
      altRelM: 60,
      camera: CAMERA,
      speedup: 10,
      worldFile,
      positionNoiseM: 1.5,
      attitudeNoiseDeg: 1,
      seed: 2,
    });
  }, 600_000);

  afterAll(async () => {
    await rm(watchDir, { recursive: true, force: true });
  });

  it('raises one alert per plume, at its site, within the bound, and none elsewhere', async () => {
    const { alerts } = await replayInto(path.join(watchDir, 'replay.db'), watched);
    expectOneAlertPerPlume(watched, alerts);
  }, 300_000);
});
