import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openAlertStore } from '../../src/alerts/index.js';
import { loadWorld } from '../../src/sim/camera/index.js';
import { startCli } from '../helpers/cli.js';
import { distanceM, expectAlertNearEachPlume } from '../helpers/plume-alerts.js';
import { freeUdpPort } from '../helpers/ports.js';
import { DEMO_HOME, DEMO_SITES, DEMO_WORLD } from '../helpers/sim-flight.js';
import { type Sitl, sitlMissing, startSitl } from '../helpers/sitl.js';

// A patrol planned over the demo sites (a coverage sortie, the camera straight down) and flown by the
// real autopilot, ArduPilot Copter SITL, with the simulator's camera following what the vehicle reports
// on SITL's second port (`sim-camera`) and the patrol's live analytics on that video: each plume of the
// demo world is raised at its site, near its source (test/helpers/plume-alerts.ts).

const SPEEDUP = 5;
/** The world's breeze, which drifts its plumes: SITL flies in it too. */
const WIND_MS = 3;

/**
 * The vehicle the patrol is planned for, on top of the README's copter and gimbal defaults:
 * - a battery for the plan: SITL's (BATT_CAPACITY 3300 mAh on this airframe) empties in ~8 simulated
 *   minutes, the planner counts on 25 (its default endurance), and the sortie would end at the 25 %
 *   reserve halfway;
 * - a self-stabilising gimbal (MNT1_TYPE 7, brushless PWM): copter-gimbal.parm's servo mount reports its
 *   servo demand, a body-frame angle, as GIMBAL_DEVICE_ATTITUDE_STATUS's earth-frame pitch (-60° for a
 *   camera held at -90° in a 30° cruise lean), so the camera, which renders what is reported, would look
 *   ahead;
 * - the world's wind, and EKF3's drag fusion at the values SITL suggests for this airframe, so that the
 *   vehicle reports the wind in WIND: geotag places a plume cut by the picture's edge only when it knows
 *   which end is upwind.
 */
function vehicleParams(windFromDeg: number): Record<string, number> {
  return {
    BATT_CAPACITY: 11_000,
    MNT1_TYPE: 7,
    SIM_WIND_SPD: WIND_MS,
    SIM_WIND_DIR: windFromDeg,
    EK3_DRAG_BCOEF_X: 17.209,
    EK3_DRAG_BCOEF_Y: 17.209,
    EK3_DRAG_MCOEF: 0.209,
  };
}
/** The frames both ends agree on: the camera renders 2 per second of the vehicle, all analysed. */
const CAMERA = ['--camera-size', '640x360'];
const CAMERA_FPS = '2';
/** Coverage of five sites: ~15 simulated minutes, ~3 wall minutes at ×5 (measured beside other tests). */
const PATROL_TIMEOUT_MS = 540_000;

const missing = sitlMissing();
if (missing) console.log(`test/sitl skipped: ${missing}`);

describe.skipIf(missing !== null)('a patrol on ArduPilot SITL with the camera following it', () => {
  let sitl: Sitl | undefined;
  let camera: ChildProcess | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sitl-patrol-camera-'));
  afterAll(async () => {
    if (camera && camera.exitCode === null) {
      const exited = new Promise((resolve) => camera?.once('exit', resolve));
      camera.kill('SIGINT');
      await exited;
    }
    await sitl?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(
    "raises an alert at each plume it flies over, near the plume's source, and none at a site without one",
    async () => {
      const world = await loadWorld(DEMO_WORLD);
      sitl = await startSitl({
        home: DEMO_HOME,
        speedup: SPEEDUP,
        secondPort: true,
        params: vehicleParams(world.windFromDeg),
      });
      const db = path.join(dir, 'alerts.db');
      const videoPort = await freeUdpPort();
      const patrol = startCli([
        ...['patrol', DEMO_SITES, '--pattern', 'coverage', '--connect', sitl.url],
        ...['--video', `udp://127.0.0.1:${videoPort}`, ...CAMERA, '--fps', CAMERA_FPS],
        ...['--db', db, '--data-dir', path.join(dir, 'patrols')],
      ]);
      // Started at once: it waits for SITL's serial 1, which opens once the patrol has connected.
      camera = startCli([
        ...['sim-camera', '--connect', sitl.secondUrl as string, '--world', DEMO_WORLD],
        ...['--video', `udpout://127.0.0.1:${videoPort}`, ...CAMERA, '--camera-fps', CAMERA_FPS],
      ]);
      let out = '';
      let cameraOut = '';
      patrol.stdout?.on('data', (d) => {
        out += d;
      });
      patrol.stderr?.on('data', (d) => {
        out += d;
      });
      camera.stdout?.on('data', (d) => {
        cameraOut += d;
      });
      camera.stderr?.on('data', (d) => {
        cameraOut += d;
      });
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => patrol.kill('SIGKILL'), PATROL_TIMEOUT_MS);
        patrol.once('exit', (c) => {
          clearTimeout(timer);
          resolve(c);
        });
      });

      const context = () =>
        `patrol:\n${out.slice(-4000)}\ncamera:\n${cameraOut.slice(-1500)}\nSITL:\n${sitl?.log().slice(-1500)}`;
      expect(code, context()).toBe(0);
      expect(out, context()).toMatch(/ended\s+landed: the mission ran to its end/);
      expect(out, context()).toMatch(/video live \(640×360\)/);
      expect(cameraOut, context()).toMatch(/first frame at the vehicle's/);

      const store = openAlertStore(db, { mustExist: true });
      const alerts = store.listAlerts();
      store.close();
      // What this run found, in its output: each alert and its distance from the nearest plume.
      for (const a of alerts) {
        const [nearest] = world.plumes
          .map((p) => ({ id: p.id, m: distanceM(a, p) }))
          .sort((x, y) => x.m - y.m);
        console.info(`${a.code} ${a.siteId ?? 'no site'}: ${nearest.m.toFixed(1)} m from ${nearest.id}`);
      }
      expectAlertNearEachPlume(world.plumes, alerts);
    },
    PATROL_TIMEOUT_MS + 30_000,
  );
});
