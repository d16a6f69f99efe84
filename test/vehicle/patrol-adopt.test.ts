import { common } from 'node-mavlink';
import { expect, it } from 'vitest';
import { PatrolFlight } from '../../src/vehicle/index.js';
import { closestApproach, distanceFromHomeM, patrolMission, recordPatrol, rigPerTest } from './patrol-sim.js';

// In simulated time (PatrolRig): the simulator, the links and the patrols on one fake clock; the
// restarted daemon's new link is a second in-memory ground-station end, which the simulator answers once
// it hears it, as its udpin answers the ground station that spoke last (test/mavlink/link.test.ts checks
// that over real UDP).
const startRig = rigPerTest();

const A = { northM: 150, eastM: 0 };
const B = { northM: 150, eastM: 150 };
const C = { northM: 0, eastM: 150 };
const options = { minBatteryPct: 50, reserveBatteryPct: 20 };

it('a restarted daemon adopts the flight in the air on a new link and follows it to landing without uploading', async () => {
  const rig = await startRig();
  const items = patrolMission([A, B, C]); // seq 2 A, 3 B, 4 C, 5 RTL
  const stop = new AbortController();
  const first = new PatrolFlight(rig.vehicle, items, { ...options, signal: stop.signal });
  const flight = first.fly();
  await rig.next(first, 'reached', (seq) => seq === 2);
  const lastKnown = first.progress.lastReachedSeq;

  // The process dies: the first patrol stops following, its link goes; the vehicle flies on.
  stop.abort();
  await expect(rig.run(flight)).rejects.toThrow(
    'flight monitoring cancelled; the vehicle keeps flying its mission',
  );
  expect(first.status).toBe('detached');
  rig.vehicle.close();
  await rig.link.close();

  const sent: string[] = [];
  rig.sim.link.onMessage(({ message }) => {
    if (message instanceof common.MissionCount) sent.push('MISSION_COUNT');
    if (message instanceof common.CommandLong) sent.push(common.MavCmd[message.command]);
  });
  const { vehicle } = await rig.reconnect();
  const second = new PatrolFlight(vehicle, items, options);
  const { statuses } = recordPatrol(second);
  const adoptedAtS = rig.sim.state().simTimeS;
  const result = await rig.run(second.adopt(lastKnown));

  expect(lastKnown).toBe(2);
  expect(result).toMatchObject({ adopted: true, ending: 'completed', lastReachedSeq: 5 });
  expect(result.reachedSeqs).toEqual([3, 4, 5]);
  expect(statuses[0]).toBe('flying');
  expect(statuses.at(-1)).toBe('landed');
  // No upload, no arming, no mode change: only the telemetry requests every new link makes.
  expect(new Set(sent)).toEqual(new Set(['SET_MESSAGE_INTERVAL']));
  expect(closestApproach(rig.track, B, adoptedAtS).distanceM).toBeLessThan(3);
  expect(closestApproach(rig.track, C, adoptedAtS).distanceM).toBeLessThan(3);
  expect(rig.sim.state()).toMatchObject({ armed: false, landed: true });
  expect(distanceFromHomeM(rig.sim)).toBeLessThan(3);

  // On the ground there is nothing to adopt.
  await expect(rig.run(new PatrolFlight(vehicle, items, options).adopt(null))).rejects.toThrow(
    /^cannot adopt the flight: the vehicle is not armed \(mode AUTO\)/,
  );
});
