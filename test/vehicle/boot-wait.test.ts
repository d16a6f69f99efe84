import { common, minimal } from 'node-mavlink';
import { afterEach, expect, it } from 'vitest';
import { MissionServer, type Peer, uploadMission } from '../../src/mavlink/index.js';
import { LINK_TIMING } from '../../src/timing.js';
import { uploadWhenBooted, Vehicle } from '../../src/vehicle/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { type LinkPair, openSimulatedLinkPair } from '../helpers/link-pair.js';
import { fourWaypointMission, type SimAndGcs, startSimulatedSimAndGcs } from '../helpers/sim-gcs.js';

// In simulated time: the simulator boots as SITL does (MAV_STATE_BOOT, uploads refused), and a vehicle
// that never says BOOT refuses uploads for a while.

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

it('uploads to a vehicle found while it boots once it has booted, not before', async () => {
  const clock = new FakeClock();
  const s: SimAndGcs = await startSimulatedSimAndGcs(clock);
  open.push(s);
  const first = await s.run(s.gcs.waitForVehicle(LINK_TIMING.vehicleDiscoveryTimeoutMs));
  expect(first.systemStatus).toBe(minimal.MavState.BOOT);
  const vehicle = new Vehicle(s.gcs, first);
  const mission = fourWaypointMission();

  await s.run(
    uploadWhenBooted(vehicle, () => uploadMission(s.gcs, s.target, mission, { clock }), undefined, clock),
  );

  expect(vehicle.state.systemStatus).toBe(minimal.MavState.STANDBY);
  expect(s.sim.state().simTimeS).toBeLessThan(5);
  vehicle.close();
});

/** A vehicle that says STANDBY from the start but refuses uploads (NO_SPACE) until `readyAtMs`. */
function slowStorageVehicle(readyAtMs: number): {
  pair: LinkPair;
  clock: FakeClock;
  counts: number[];
  vehicle: Vehicle;
} {
  const clock = new FakeClock();
  const pair = openSimulatedLinkPair(clock);
  open.push(pair);
  const server = new MissionServer(pair.vehicle, { clock, ready: () => clock.nowMs() >= readyAtMs });
  open.push({ close: async () => server.close() });
  const counts: number[] = [];
  pair.vehicle.onMessage(({ message }) => {
    if (message instanceof common.MissionCount) counts.push(clock.nowMs());
  });
  const peer: Peer = {
    sysid: 1,
    compid: 1,
    type: minimal.MavType.QUADROTOR,
    autopilot: minimal.MavAutopilot.ARDUPILOTMEGA,
    baseMode: 0,
    customMode: 0,
    systemStatus: minimal.MavState.STANDBY,
    lastHeartbeatUs: 1,
    lost: false,
  };
  return { pair, clock, counts, vehicle: new Vehicle(pair.gcs, peer) };
}

it('retries an upload refused for lack of space a bounded number of times, then says so', async () => {
  const retryMs = LINK_TIMING.bootUploadRetryDelayMs;
  const late = slowStorageVehicle(1.5 * retryMs);
  const mission = fourWaypointMission();
  const upload = (s: ReturnType<typeof slowStorageVehicle>) =>
    s.clock.run(
      uploadWhenBooted(
        s.vehicle,
        () => uploadMission(s.pair.gcs, s.pair.target, mission, { clock: s.clock }),
        undefined,
        s.clock,
      ),
    );

  await upload(late);
  expect(late.counts).toHaveLength(3);

  const never = slowStorageVehicle(Number.POSITIVE_INFINITY);
  await expect(upload(never)).rejects.toThrow('vehicle has no space for 6 items (MAV_MISSION_NO_SPACE)');
  expect(never.counts).toHaveLength(LINK_TIMING.bootUploadRetries + 1);
  late.vehicle.close();
  never.vehicle.close();
});
