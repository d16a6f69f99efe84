// A daemon restarted mid-patrol adopts the flight: its vehicle's alert count goes on from the alerts the
// patrol raised before the restart (in the store), not from 0. Real parts: the simulator, the fleet, a
// SQLite alert store; the alerts are raised straight into the store's service (no video). In simulated
// time: the simulator, the fleet and its links on one fake clock, each daemon's link an in-memory
// ground-station end to the simulator, which answers the one it heard last (a restarted daemon on a new
// port, as its udpin does: test/mavlink/link.test.ts checks that over real UDP).
// demo.plan, as QGroundControl writes it, leaves the take-off's yaw unset (NaN): the stored mission must
// still match the one on board, or the restart would not adopt the flight at all.
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { AlertService, openAlertStore } from '../../src/alerts/index.js';
import { DEFAULT_CAMERA } from '../../src/camera.js';
import type { Clock } from '../../src/clock.js';
import type { Detector } from '../../src/detect/index.js';
import { PatrolFleet, sortiePlanOf } from '../../src/fleet/index.js';
import { cameraFromSpec } from '../../src/geotag/index.js';
import { MavLinkConnection, type Transport } from '../../src/mavlink/index.js';
import { loadMissionFile } from '../../src/plan/index.js';
import type { VehicleSnapshot } from '../../src/server/index.js';
import { type Simulator, startSimulator } from '../../src/sim/index.js';
import { loadSiteFiles, type SiteRegistry } from '../../src/sites/index.js';
import { offset, sighting, tempDir } from '../alerts/sightings.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { openSimulatedTransportPair } from '../helpers/link-pair.js';
import { DEMO_HOME, DEMO_SITES } from '../helpers/sim-flight.js';

const VEHICLE = 'V1';
/** Points inside demo sites D-01 and D-02. */
const D01 = { latDeg: 34.7262023, lonDeg: 113.6317302 };
const D02 = { latDeg: 34.7238, lonDeg: 113.6262 };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * A fleet of one vehicle on `transport` (on `clock`), with `alerts` on the store: what `dustpatrol serve`
 * runs.
 */
function fleetOn(
  clock: Clock,
  transport: Transport,
  alerts: AlertService,
  registry: SiteRegistry,
  dataDir: string,
): PatrolFleet {
  const fleet = new PatrolFleet({
    clock,
    openLink: async () => new MavLinkConnection(transport, { clock }),
    registry,
    vehicles: [
      {
        id: VEHICLE,
        connect: 'udpout://simulated:0',
        videoUrl: null,
        camera: cameraFromSpec(DEFAULT_CAMERA),
        videoLatencyMs: 0,
      },
    ],
    plans: new Map(),
    alerts,
    // No video stream, so no analytics: the model is never asked.
    detector: null as unknown as Detector,
    dataDir,
    analysis: { fps: 2 },
    patrol: { minBatteryPct: 50, reserveBatteryPct: 20 },
    log: () => {},
  });
  fleet.start();
  return fleet;
}

/** Advances `clock` 100 ms at a time until the fleet's vehicle is `ok`. */
async function snapshotWhen(
  clock: FakeClock,
  fleet: PatrolFleet,
  ok: (v: VehicleSnapshot) => boolean,
  timeoutMs = 120_000,
): Promise<VehicleSnapshot> {
  const untilMs = clock.nowMs() + timeoutMs;
  for (;;) {
    const v = fleet.vehicles()[0];
    if (ok(v)) return v;
    if (clock.nowMs() > untilMs) throw new Error(`vehicle never got there: ${JSON.stringify(v)}`);
    await clock.advance(100);
  }
}

it('after a restart adopts the patrol, its vehicle counts the alerts the patrol already raised', async () => {
  const dir = tempDir('fleet-adopt');
  const clock = new FakeClock();
  const ends = openSimulatedTransportPair(clock);
  const sim: Simulator = await startSimulator({ transport: ends.vehicle, home: DEMO_HOME, clock });
  cleanups.push(() => sim.close());
  const registry = await loadSiteFiles([DEMO_SITES]);
  const plan = sortiePlanOf('demo.plan', await loadMissionFile('missions/demo.plan'), null);
  const store = openAlertStore(path.join(dir, 'alerts.db'));
  cleanups.push(() => store.close());

  // The first daemon flies the patrol and raises two alerts on it; another flight's alert is not its own.
  const alerts = new AlertService({ store, sites: registry });
  const first = fleetOn(clock, ends.gcs, alerts, registry, dir);
  await clock.run(first.connected(VEHICLE, 30_000));
  const flying = first.fly(VEHICLE, plan);
  flying.catch(() => {});
  expect((await snapshotWhen(clock, first, (v) => v.patrolStatus === 'flying')).alertsRaised).toBe(0);
  const flightId = store.unfinishedPatrol(VEHICLE)?.flightId as string;
  alerts.registerFlight({ id: 'F-OTHER', name: 'another flight', vehicleSysid: 2 });
  await alerts.raise(sighting({ flightId: 'F-OTHER', ...offset(D01, 300, 0) }));
  await alerts.raise(sighting({ flightId, ...D01 }));
  await alerts.raise(sighting({ flightId, ...D02 }));
  expect(first.vehicles()[0].alertsRaised).toBe(2);

  // The daemon stops following (a restart); the vehicle flies on.
  await clock.run(first.close());
  await expect(flying).rejects.toThrow();

  const second = fleetOn(
    clock,
    ends.connectGcs(),
    new AlertService({ store, sites: registry }),
    registry,
    dir,
  );
  cleanups.push(() => second.close());
  const adopted = await snapshotWhen(clock, second, (v) => v.patrolStatus === 'flying');
  expect(second.vehicles()[0]).toMatchObject({ id: VEHICLE, patrolStatus: 'flying' });
  expect(adopted.alertsRaised).toBe(2);
});
