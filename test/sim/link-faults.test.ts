import { common, minimal } from 'node-mavlink';
import { afterEach, expect, it } from 'vitest';
import { setParam, uploadMission } from '../../src/mavlink/index.js';
import {
  arm,
  fourWaypointMission,
  isArmed,
  MODE,
  nextMessage,
  type SimAndGcs,
  setMode,
  startSimAndGcs,
  waitForEkfPosition,
} from '../helpers/sim-gcs.js';

const open: SimAndGcs[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

it('keeps flying through a link outage: heartbeats stop reaching the ground station, resume, and the flight ends', async () => {
  const s = await startSimAndGcs({ speedup: 10 });
  open.push(s);
  const events: string[] = [];
  s.gcs.on('peer-lost', () => events.push('lost'));
  s.gcs.on('peer-regained', () => events.push('regained'));
  await nextMessage(s, minimal.Heartbeat);
  await uploadMission(s.gcs, s.target, fourWaypointMission());
  await waitForEkfPosition(s);
  await setMode(s, MODE.GUIDED);
  await arm(s);
  await setMode(s, MODE.AUTO);

  await nextMessage(s, common.MissionItemReached, (m) => m.seq === 2, 30_000);
  // Longer than LINK_TIMING.vehicleLostAfterMs: the ground station declares the vehicle lost, then regained.
  s.sim.startOutage(4);
  await new Promise<void>((resolve) => s.gcs.once('peer-regained', () => resolve()));
  expect(events).toEqual(['lost', 'regained']);

  await nextMessage(s, minimal.Heartbeat, (m) => !isArmed(m), 30_000);
  expect(s.reached).toContain(5);
  expect(s.sim.state()).toMatchObject({ armed: false, landed: true, modeName: 'AUTO' });
});

it('uploads and flies the mission over a lossy, duplicating, reordering link', async () => {
  const s = await startSimAndGcs({
    speedup: 10,
    seed: 7,
    faults: { lossIn: 0.1, lossOut: 0.1, duplicate: 0.05, latencyMs: 5, jitterMs: 20 },
  });
  open.push(s);
  await nextMessage(s, minimal.Heartbeat);
  await uploadMission(s.gcs, s.target, fourWaypointMission());
  // A lost mode command is resent after a second of wall time, which sped up is many simulated seconds:
  // give the vehicle its longest auto-disarm delay so it does not disarm on the ground meanwhile.
  await setParam(s.gcs, s.target, 'DISARM_DELAY', 127);
  await waitForEkfPosition(s);
  await setMode(s, MODE.GUIDED);
  await arm(s);
  await setMode(s, MODE.AUTO);
  await nextMessage(s, minimal.Heartbeat, (m) => !isArmed(m), 30_000);

  const end = s.sim.state();
  expect(end).toMatchObject({ armed: false, landed: true, modeName: 'AUTO', missionSeq: 5 });
  // Some MISSION_ITEM_REACHED may be lost on the way; those that arrive come in order, duplicates aside.
  const distinct = s.reached.filter((seq, i) => seq !== s.reached[i - 1]);
  expect(distinct).toEqual([...distinct].sort((a, b) => a - b));
  expect(s.gcs.stats.dropped).toBeGreaterThan(0);
});
