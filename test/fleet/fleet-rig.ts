// What `dustpatrol serve` runs, in this process, over real parts: the simulator on a UDP port, the fleet
// with a SQLite store, the HTTP + WebSocket server, a supervisor's WebSocket client. The store's retry
// timer runs on a FakeClock the test moves; everything else on the wall clock.
import path from 'node:path';
import { AlertService, type AlertStore, openAlertStore } from '../../src/alerts/index.js';
import { DEFAULT_CAMERA } from '../../src/camera.js';
import type { Detector } from '../../src/detect/index.js';
import { PatrolFleet, type SortiePlan, sortiePlanOf } from '../../src/fleet/index.js';
import { cameraFromSpec } from '../../src/geotag/index.js';
import { fromMissionItems } from '../../src/plan/index.js';
import type { HubEvent, VehicleSnapshot } from '../../src/server/index.js';
import { type Simulator, startSimulator } from '../../src/sim/index.js';
import { loadSiteFiles } from '../../src/sites/index.js';
import { STORE_TIMING } from '../../src/timing.js';
import { tempDir } from '../alerts/sightings.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { freeUdpPort } from '../helpers/ports.js';
import { DEMO_HOME, DEMO_ROUTE, DEMO_SITES, missionOver } from '../helpers/sim-flight.js';
import {
  auth,
  json,
  PILOT_TOKEN,
  startTestServer,
  TestClient,
  type TestServer,
  VIEWER_TOKEN,
} from '../server/harness.js';

export const VEHICLE = 'drone-1';

export interface FleetRig {
  dir: string;
  sim: Simulator;
  store: AlertStore;
  alerts: AlertService;
  fleet: PatrolFleet;
  server: TestServer;
  viewer: TestClient;
  plan: SortiePlan;
  /** The store's retry timer. */
  storeClock: FakeClock;
  /** What the fleet logged, one entry per line it logged (a fault's stack comes with its line). */
  logs: { level: string; text: string }[];
  events: HubEvent[];
  vehicle(): VehicleSnapshot;
  /** A pilot's command over the HTTP API: its status and body. */
  command(command: 'start' | 'pause' | 'resume' | 'abort'): Promise<{ status: number; body: unknown }>;
  health(): Promise<{ status: number; body: Record<string, unknown> }>;
  until(condition: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface FleetRigOptions {
  speedup?: number;
  videoUrl?: string | null;
  detector?: Detector;
  evidenceImages?: number;
  /** The log: records the line (and may throw, for a test of what a throwing part costs). */
  log?: (level: string, text: string) => void;
  linkLossWarnAfterS?: number;
}

/** The demo route at 60 m: a few minutes of flight, sped up. */
export function demoRoutePlan(): SortiePlan {
  const items = missionOver(DEMO_ROUTE, 60, 0);
  return sortiePlanOf('demo route', fromMissionItems(items, 'ardupilot', 'demo-route.plan'), null);
}

export async function startFleetRig(opts: FleetRigOptions = {}): Promise<FleetRig> {
  const dir = tempDir('fleet-rig');
  const port = await freeUdpPort();
  const sim = await startSimulator({
    connect: `udpin://127.0.0.1:${port}`,
    home: DEMO_HOME,
    speedup: opts.speedup ?? 10,
  });
  const registry = await loadSiteFiles([DEMO_SITES]);
  // As openFleet opens it: a short busy wait, and what cannot be written held.
  const store = openAlertStore(path.join(dir, 'alerts.db'), {
    busyTimeoutMs: STORE_TIMING.daemonBusyTimeoutMs,
  });
  const storeClock = new FakeClock();
  const alerts = new AlertService({
    store,
    sites: registry,
    hold: { clock: storeClock, evidenceImages: opts.evidenceImages },
  });
  const logs: FleetRig['logs'] = [];
  const plan = demoRoutePlan();
  const fleet = new PatrolFleet({
    registry,
    vehicles: [
      {
        id: VEHICLE,
        connect: `udpout://127.0.0.1:${port}`,
        videoUrl: opts.videoUrl ?? null,
        camera: cameraFromSpec(DEFAULT_CAMERA),
        videoLatencyMs: 0,
      },
    ],
    plans: new Map([[VEHICLE, plan]]),
    alerts,
    // Without a video stream the model is never asked.
    detector: opts.detector ?? (null as unknown as Detector),
    dataDir: path.join(dir, 'flights'),
    analysis: { fps: 5 },
    patrol: { minBatteryPct: 50, reserveBatteryPct: 20, linkLossWarnAfterS: opts.linkLossWarnAfterS },
    log: (level, text) => {
      logs.push({ level, text });
      opts.log?.(level, text);
    },
  });
  const events: HubEvent[] = [];
  fleet.subscribe((e) => events.push(e));
  fleet.start();
  const server = await startTestServer(fleet);
  const viewer = await TestClient.open(server.url, { token: VIEWER_TOKEN });

  const until = async (condition: () => boolean, what: string, timeoutMs = 120_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for ${what}; vehicle ${JSON.stringify(fleet.vehicles()[0])}\n` +
            logs.map((l) => `${l.level} ${l.text}`).join('\n'),
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await fleet.connected(VEHICLE, 30_000);

  return {
    dir,
    sim,
    store,
    alerts,
    fleet,
    server,
    viewer,
    plan,
    storeClock,
    logs,
    events,
    vehicle: () => fleet.vehicles()[0],
    async command(command) {
      const res = await fetch(`${server.url}/api/vehicles/${VEHICLE}/commands`, {
        method: 'POST',
        headers: { ...auth(PILOT_TOKEN), 'Content-Type': 'application/json' },
        body: JSON.stringify({ command }),
        signal: AbortSignal.timeout(30_000),
      });
      return { status: res.status, body: await json(res) };
    },
    async health() {
      const res = await fetch(`${server.url}/api/health`, { signal: AbortSignal.timeout(5000) });
      return { status: res.status, body: await json(res) };
    },
    until,
    async close() {
      await viewer.close();
      await server.close();
      await fleet.close();
      alerts.stopHolding();
      store.close();
      await sim.close();
    },
  };
}
