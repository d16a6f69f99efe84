import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { loadWorld } from '../../src/sim/camera/index.js';
import { expectOneAlertPerPlume } from '../helpers/plume-alerts.js';
import {
  DEMO_WORLD,
  flySimFlight,
  pointWatchMission,
  replaySimFlight,
  type SimFlight,
} from '../helpers/sim-flight.js';

/** Rendered at the 2 fps the replay analyses. */
const CAMERA = { widthPx: 640, heightPx: 360, hfovDeg: 82, fps: 2 };
const SPEEDUP = 20;

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
      speedup: SPEEDUP,
      worldFile,
      positionNoiseM: 1.5,
      attitudeNoiseDeg: 1,
      seed: 2,
    });
  }, 600_000);

  afterAll(async () => {
    await rm(watchDir, { recursive: true, force: true });
  });

  it('raises one alert per plume, at its site, within its bound, and none at a plume-free site', async () => {
    const { alerts } = await replaySimFlight(watched, {
      db: path.join(watchDir, 'replay.db'),
      fps: 2,
      camera: CAMERA,
    });
    expectOneAlertPerPlume(watched.truth.plumes, alerts);
  }, 300_000);
});
