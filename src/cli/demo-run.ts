import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CAMERA } from '../camera.js';
import { DEFAULT_PLAN_SETTINGS } from '../plan/index.js';
import { loadWorld, SimCamera } from '../sim/camera/index.js';
import { startSimulator } from '../sim/index.js';
import type { DemoOptions } from './demo.js';
import { DEFAULT_VIDEO_LATENCY_MS } from './options.js';
import { runPatrol } from './patrol-run.js';
import { DEFAULT_HOME } from './sim.js';

const DEMO_SITES = fileURLToPath(new URL('../../missions/demo-sites.geojson', import.meta.url));
/** The same sites with dust plumes where the simulated camera shows them. */
const DEMO_WORLD = fileURLToPath(new URL('../../missions/demo-world.geojson', import.meta.url));
/** What the camera renders: at the default speed-up two cores keep up with it (see DEMO_SPEEDUP). */
const DEMO_CAMERA = { widthPx: 640, heightPx: 360, hfovDeg: DEFAULT_CAMERA.hfovDeg, fps: 4 };
/** The breeze that makes the demo's plumes drift, m/s. */
const DEMO_WIND_MS = 3;

export async function runDemo(opts: DemoOptions): Promise<void> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-demo-'));
  const world = await loadWorld(DEMO_WORLD);
  const sim = await startSimulator({
    connect: `udpin://127.0.0.1:${opts.port}`,
    home: DEFAULT_HOME,
    speedup: opts.speedup,
    windSpeedMs: DEMO_WIND_MS,
    windFromDeg: world.windFromDeg,
  });
  const videoUrl = `udp://127.0.0.1:${opts.videoPort}`;
  const camera = new SimCamera(sim, { world, camera: DEMO_CAMERA, streamUrl: videoUrl });
  process.stdout.write(
    `demo: simulated copter at ${DEFAULT_HOME.latDeg}, ${DEFAULT_HOME.lonDeg} (Erqi District, Zhengzhou), ` +
      `speed-up ×${opts.speedup}, its camera streaming ${DEMO_CAMERA.widthPx}×${DEMO_CAMERA.heightPx} to ` +
      `${videoUrl}; alerts and the flight log go to ${outDir}\n`,
  );
  try {
    // The same path a pilot takes: `dustpatrol patrol SITES --connect … --video … --serve 0`.
    await runPatrol(DEMO_SITES, {
      connect: `udpout://127.0.0.1:${opts.port}`,
      video: videoUrl,
      db: path.join(outDir, 'dustpatrol.db'),
      dataDir: outDir,
      sortie: 1,
      // A point watch over each site: the drone hovers where its camera sees the whole site.
      pattern: 'point',
      cameraSize: { widthPx: DEMO_CAMERA.widthPx, heightPx: DEMO_CAMERA.heightPx },
      cameraHfov: DEMO_CAMERA.hfovDeg,
      videoLatency: DEFAULT_VIDEO_LATENCY_MS,
      fps: 2,
      minBattery: 50,
      reserve: DEFAULT_PLAN_SETTINGS.reservePct,
      linkLossWarn: 5,
      vehicle: 'demo-drone',
      serve: 0,
    });
    process.stdout.write(
      `demo: done. Look again with: dustpatrol alerts list --db ${path.join(outDir, 'dustpatrol.db')}\n`,
    );
  } finally {
    await camera.close();
    await sim.close();
  }
}
