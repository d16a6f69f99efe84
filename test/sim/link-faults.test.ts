import { common, minimal } from 'node-mavlink';
import { afterEach, expect, it } from 'vitest';
import { missionsDiffer, uploadAndVerifyMission, uploadMission } from '../../src/mavlink/index.js';
import type { LinkFaults } from '../../src/sim/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import {
  arm,
  fourWaypointMission,
  isArmed,
  MODE,
  nextMessage,
  type SimAndGcs,
  setMode,
  startSimAndGcs,
  startSimulatedSimAndGcs,
  waitForBoot,
  waitForEkfPosition,
} from '../helpers/sim-gcs.js';

/** Simulated time to wait for the EKF after boot (35–40 s on ArduPilot) and for a flight, ms. */
const EKF_TIMEOUT_MS = 60_000;
const FLIGHT_TIMEOUT_MS = 300_000;
const LOSSY: Partial<LinkFaults> = { lossIn: 0.1, lossOut: 0.1, duplicate: 0.05, latencyMs: 5, jitterMs: 20 };

const open: SimAndGcs[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

// The flights run in simulated time (a FakeClock): the outage, the ground station's vehicle-lost timer and
// every resend are on the same clock as the flight, whatever the machine's load.

it('keeps flying through a link outage: heartbeats stop reaching the ground station, resume, and the flight ends', async () => {
  const clock = new FakeClock();
  const s = await startSimulatedSimAndGcs(clock);
  open.push(s);
  const events: string[] = [];
  s.gcs.on('peer-lost', () => events.push('lost'));
  s.gcs.on('peer-regained', () => events.push('regained'));
  await s.run(waitForBoot(s));
  await s.run(uploadMission(s.gcs, s.target, fourWaypointMission(), { clock }));
  await s.run(waitForEkfPosition(s, EKF_TIMEOUT_MS));
  await s.run(setMode(s, MODE.GUIDED));
  await s.run(arm(s));
  await s.run(setMode(s, MODE.AUTO));

  await s.run(nextMessage(s, common.MissionItemReached, (m) => m.seq === 2, FLIGHT_TIMEOUT_MS));
  // Longer than LINK_TIMING.vehicleLostAfterMs: the ground station declares the vehicle lost, then regained.
  const outageAtMs = clock.nowMs();
  s.sim.startOutage(4);
  await s.run(new Promise<void>((resolve) => s.gcs.once('peer-lost', () => resolve())));
  expect(clock.nowMs() - outageAtMs).toBeLessThan(4_000);
  await s.run(new Promise<void>((resolve) => s.gcs.once('peer-regained', () => resolve())));
  expect(clock.nowMs() - outageAtMs).toBeGreaterThanOrEqual(4_000);
  expect(events).toEqual(['lost', 'regained']);

  await s.run(nextMessage(s, minimal.Heartbeat, (m) => !isArmed(m), FLIGHT_TIMEOUT_MS));
  expect(s.reached).toContain(5);
  expect(s.sim.state()).toMatchObject({ armed: false, landed: true, modeName: 'AUTO' });
});

it('uploads and flies the mission over a lossy, duplicating, reordering link', async () => {
  const clock = new FakeClock();
  const s = await startSimulatedSimAndGcs(clock, { seed: 7, faults: LOSSY });
  open.push(s);
  await s.run(waitForBoot(s));
  await s.run(uploadMission(s.gcs, s.target, fourWaypointMission(), { clock }));
  await s.run(waitForEkfPosition(s, EKF_TIMEOUT_MS));
  await s.run(setMode(s, MODE.GUIDED));
  await s.run(arm(s));
  await s.run(setMode(s, MODE.AUTO));
  await s.run(nextMessage(s, minimal.Heartbeat, (m) => !isArmed(m), FLIGHT_TIMEOUT_MS));

  const end = s.sim.state();
  expect(end).toMatchObject({ armed: false, landed: true, modeName: 'AUTO', missionSeq: 5 });
  // Some MISSION_ITEM_REACHED may be lost on the way; those that arrive come in order, duplicates aside.
  const distinct = s.reached.filter((seq, i) => seq !== s.reached[i - 1]);
  expect(distinct).toEqual([...distinct].sort((a, b) => a - b));
  expect(s.gcs.stats.dropped).toBeGreaterThan(0);
});

// Over real UDP in wall time: the same faults on the simulator's socket, with Node's timers.
it('uploads a mission intact over a lossy, duplicating, reordering real UDP link', async () => {
  const s = await startSimAndGcs({ speedup: 10, seed: 7, faults: LOSSY });
  open.push(s);
  await waitForBoot(s);
  const mission = fourWaypointMission();
  const onBoard = await uploadAndVerifyMission(s.gcs, s.target, mission);
  expect(missionsDiffer(mission, onBoard, { skipHome: true })).toBeUndefined();
});
