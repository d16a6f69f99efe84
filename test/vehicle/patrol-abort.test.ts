import { expect, it } from 'vitest';
import { resumeMission } from '../../src/plan/index.js';
import { PatrolFlight, type PatrolProgress } from '../../src/vehicle/index.js';
import { closestApproach, distanceFromHomeM, patrolMission, recordPatrol, rigPerTest } from './patrol-sim.js';

// In simulated time (PatrolRig): the simulator, the link and the patrol on one fake clock.
const startRig = rigPerTest();

const A = { northM: 100, eastM: 0 };
const B = { northM: 100, eastM: 100 };
const C = { northM: 0, eastM: 100 };
const D = { northM: -100, eastM: 100 };
const options = { minBatteryPct: 50, reserveBatteryPct: 20 };

it('abort returns home and lands; after a battery swap the resumed mission flies the waypoints left', async () => {
  const rig = await startRig();
  const items = patrolMission([A, B, C, D]); // seq 2 A, 3 B, 4 C, 5 D, 6 RTL
  const patrol = new PatrolFlight(rig.vehicle, items, options);
  const { notices, statuses } = recordPatrol(patrol);
  const flight = patrol.fly();
  await rig.next(patrol, 'reached', (seq) => seq === 3);

  await rig.run(patrol.abort());
  expect(patrol.progress).toMatchObject({ status: 'returning', modeName: 'RTL', ending: 'aborted' });
  await expect(patrol.abort()).rejects.toThrow(
    'cannot abort: the vehicle is already going home (aborted by the pilot)',
  );
  await expect(patrol.pause()).rejects.toThrow(
    'cannot pause: the vehicle is going home (aborted by the pilot)',
  );
  const result = await rig.run(flight);

  expect(result).toMatchObject({ ending: 'aborted', endingText: 'aborted by the pilot', lastReachedSeq: 3 });
  expect(statuses.slice(-3)).toEqual(['flying', 'returning', 'aborted']);
  expect(notices.map((n) => n.kind)).toEqual(['aborted']);
  expect(notices[0].message).toBe('aborted by the pilot at item 4/6: returning to launch (RTL)');
  expect(rig.sim.state()).toMatchObject({ armed: false, landed: true, modeName: 'RTL' });
  expect(distanceFromHomeM(rig.sim)).toBeLessThan(3);
  expect(closestApproach(rig.track, C).distanceM).toBeGreaterThan(20);

  // A fresh battery, and the rest of the patrol: back to B (the last waypoint reached), then C and D.
  rig.sim.setBatteryPercent(100);
  const resumed = resumeMission(items, result.lastReachedSeq);
  const resumedFromS = rig.sim.state().simTimeS;
  const second = new PatrolFlight(rig.vehicle, resumed, options);
  const secondResult = await rig.run(second.fly());

  expect(secondResult.ending).toBe('completed');
  const visits = [B, C, D].map((p) => closestApproach(rig?.track ?? [], p, resumedFromS));
  for (const visit of visits) expect(visit.distanceM).toBeLessThan(3);
  expect(visits.map((v) => v.simTimeS)).toEqual([...visits.map((v) => v.simTimeS)].sort((a, b) => a - b));
  expect(closestApproach(rig.track, A, resumedFromS).distanceM).toBeGreaterThan(20);
  expect(rig.sim.state()).toMatchObject({ armed: false, landed: true });
  expect(distanceFromHomeM(rig.sim)).toBeLessThan(3);
});

it('abort before take-off cancels the sortie: the vehicle never arms', async () => {
  const rig = await startRig();
  const patrol = new PatrolFlight(rig.vehicle, patrolMission([A, B]), options);
  const { notices, statuses } = recordPatrol(patrol);
  await expect(patrol.abort()).rejects.toThrow('cannot abort: the patrol has not started');
  const flight = patrol.fly();
  await rig.next(patrol, 'progress', (p: PatrolProgress) => p.status === 'checks');

  await rig.run(patrol.abort());
  const result = await rig.run(flight);

  expect(result).toMatchObject({ ending: 'aborted', lastReachedSeq: null, reachedSeqs: [] });
  expect(statuses).toEqual(['uploading', 'checks', 'aborted']);
  expect(notices.map((n) => n.message)).toEqual([
    'aborted by the pilot before take-off: the sortie will not start',
  ]);
  expect(rig.sim.state()).toMatchObject({ armed: false, landed: true });
  expect(rig.vehicle.state.statusTexts.map((t) => t.text)).not.toContain('Arming motors');
});
