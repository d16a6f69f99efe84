import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAlertStore } from '../../src/alerts/index.js';
import { startCli } from '../helpers/cli.js';
import { expectOneAlertPerPlume, FLOWN_OVER } from '../helpers/plume-alerts.js';
import {
  DEMO_ROUTE,
  DEMO_SITES,
  flySimFlight,
  replaySimFlight,
  type SimFlight,
} from '../helpers/sim-flight.js';

/**
 * A simulated flight at 60 m over the demo world (missions/demo-world.geojson): over the plumes in
 * sites D-01, D-04, D-05 and D-02, and over site D-03, which has none. The reported telemetry carries
 * realistic errors (position σ 1.5 m, attitude σ 1°), the video shows the truth; the replay must place
 * each plume within its bound (test/helpers/plume-alerts.ts). The drone hovers 6 s over each point, as a point watch does, so that
 * whether the model sees a plume does not hang on its billows at one instant. D-05's dust is the colour of
 * the pale soil it rises from: it must be found, and that soil must raise nothing.
 * The wind blowing the other way is replay-toward-camera.test.ts.
 */
/** Rendered at the 2 fps the replays analyse, so that no frame is drawn only to be skipped. */
const CAMERA = { widthPx: 640, heightPx: 360, hfovDeg: 82, fps: 2 };
const SPEEDUP = 20;

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
    speedup: SPEEDUP,
    positionNoiseM: 1.5,
    attitudeNoiseDeg: 1,
  });
}, 600_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function replayInto(db: string) {
  return replaySimFlight(flight, { db, fps: 2, camera: CAMERA });
}

describe('replay of a simulated flight over plumes with known positions', () => {
  it('raises one alert per plume, at its site, within its bound, and none at a plume-free site', async () => {
    const db = path.join(dir, 'replay.db');
    const { summary, alerts } = await replayInto(db);
    expect(summary.videoDurationS).toBeGreaterThan(150);
    expectOneAlertPerPlume(flight.truth.plumes, alerts);

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
