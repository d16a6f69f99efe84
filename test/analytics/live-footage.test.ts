import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AlertService,
  type AlertStore,
  type FootagePlace,
  findFootage,
  openAlertStore,
} from '../../src/alerts/index.js';
import { finishRecordings, LiveAnalytics, replayFlight } from '../../src/analytics/index.js';
import { type Detector, loadDetector } from '../../src/detect/index.js';
import { cameraFromFov } from '../../src/geotag/index.js';
import { MavLinkConnection, TlogWriter } from '../../src/mavlink/index.js';
import { loadWorld, SimCamera } from '../../src/sim/camera/index.js';
import { type Simulator, startSimulator } from '../../src/sim/index.js';
import { loadSiteFiles, type SiteRegistry } from '../../src/sites/index.js';
import { flyMission, Vehicle } from '../../src/vehicle/index.js';
import { tempDir } from '../alerts/sightings.js';
import { freeUdpPort } from '../helpers/ports.js';
import { DEMO_HOME, DEMO_SITES, DEMO_WORLD, missionOver } from '../helpers/sim-flight.js';

// The footage index filled live: the simulator flies over site D-01 and back, its camera streams H.264
// over UDP, live analytics (the real model, a real store, holding as the daemon does) records the stream
// and indexes what the camera saw from the telemetry the link brings. Replaying the same flight's
// recording and tlog must index the same stretch for D-01.

const CAMERA = { widthPx: 320, heightPx: 180, hfovDeg: 82, fps: 2 };
const SPEEDUP = 5;
/**
 * Live, a frame's time on the vehicle's clock is the arrival clock's estimate as it stood then; replayed,
 * the recording's start as that clock settled later: on a loaded machine they differ by up to about half a
 * second (test/analytics/live-patrol.test.ts). A range's ends are a view (a second) apart at most besides.
 */
const SAME_TIME_S = 1.6;

let dir: string;
let sim: Simulator;
let camera: SimCamera;
let store: AlertStore;
let detector: Detector;
let registry: SiteRegistry;
let recordings: string[];
const events: string[] = [];

const site = (id: string): FootagePlace => {
  const found = registry.sites.find((s) => s.id === id);
  if (!found) throw new Error(`no site ${id}`);
  return { kind: 'area', geometry: found.geometry };
};

beforeAll(async () => {
  dir = tempDir('live-footage');
  registry = await loadSiteFiles([DEMO_SITES]);
  detector = await loadDetector({});
  const world = await loadWorld(DEMO_WORLD);
  const simPort = await freeUdpPort();
  const videoUrl = `udp://127.0.0.1:${await freeUdpPort()}`;
  const tlog = new TlogWriter(path.join(dir, 'flight.tlog'));
  sim = await startSimulator({
    connect: `udpin://127.0.0.1:${simPort}`,
    home: DEMO_HOME,
    speedup: SPEEDUP,
    seed: 1,
    windSpeedMs: 3,
    windFromDeg: world.windFromDeg,
    tlog,
  });
  camera = new SimCamera(sim, { world, camera: CAMERA, streamUrl: videoUrl });
  const link = await MavLinkConnection.open(`udpout://127.0.0.1:${simPort}`);
  store = openAlertStore(path.join(dir, 'live.db'));
  const alerts = new AlertService({ store, sites: registry, hold: {} });
  try {
    const vehicle = await Vehicle.connect(link);
    const analytics = new LiveAnalytics({
      link,
      sysid: vehicle.state.sysid,
      videoUrl,
      camera: cameraFromFov({ ...CAMERA, horizontalFovDeg: CAMERA.hfovDeg }),
      detector,
      alerts,
      flightId: 'F-LIVE',
      fps: CAMERA.fps,
      videoLatencyMs: 180,
      recordTo: (n) => path.join(dir, `F-LIVE-video-${n}.mkv`),
      onEvent: (level, text) => events.push(`${level}: ${text}`),
    });
    analytics.start();
    try {
      await flyMission(vehicle, missionOver([{ latDeg: 34.7262, lonDeg: 113.63173 }], 60, 0), {
        minBatteryPct: 30,
      });
    } finally {
      await analytics.stop();
    }
    vehicle.close();
  } finally {
    await link.close();
    await camera.close();
    await sim.close();
    tlog.close();
  }
  recordings = await finishRecordings(dir, 'F-LIVE', (text) => events.push(`warning: ${text}`));
}, 180_000);

afterAll(async () => {
  store?.close();
  await detector?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the footage index of a live flight', () => {
  it('indexes the recorded stream as it comes: D-01 in view, in that recording, D-05 never', () => {
    expect(recordings.length, events.join('\n')).toBeGreaterThan(0);
    const indexed = store.footage.recordings('F-LIVE');
    expect(indexed.map((r) => r.path)).toEqual(recordings.map((f) => path.resolve(f)));
    const views = indexed.flatMap((r) => store.footage.views(r.id));
    expect(views.length).toBeGreaterThan(30);

    const d01 = findFootage(store.footage, site('D-01'));
    expect(d01, events.join('\n')).toHaveLength(1);
    expect(d01[0].viewShare).toBeGreaterThan(0.5);
    expect(d01[0].startOffsetS).toBeGreaterThan(0);
    expect(findFootage(store.footage, site('D-05'))).toEqual([]);
  });

  it('indexes the same stretch of the recording for D-01 as a replay of it does', async () => {
    const [live] = findFootage(store.footage, site('D-01'));
    const replayStore = openAlertStore(path.join(dir, 'replay.db'));
    try {
      await replayFlight({
        tlogPath: path.join(dir, 'flight.tlog'),
        videoPath: live.recording.path,
        fps: CAMERA.fps,
        camera: cameraFromFov({ ...CAMERA, horizontalFovDeg: CAMERA.hfovDeg }),
        detector,
        alerts: new AlertService({ store: replayStore, sites: registry }),
      });
      const replayed = findFootage(replayStore.footage, site('D-01'));
      expect(replayed).toHaveLength(1);
      expect(replayed[0].recording.path).toBe(live.recording.path);
      expect(Math.abs(replayed[0].startOffsetS - live.startOffsetS)).toBeLessThan(SAME_TIME_S);
      expect(Math.abs(replayed[0].endOffsetS - live.endOffsetS)).toBeLessThan(SAME_TIME_S);
      expect(Math.abs(replayed[0].startUs - live.startUs) / 1e6).toBeLessThan(SAME_TIME_S);
    } finally {
      replayStore.close();
    }
  });
});
