import { expect, it } from 'vitest';
import { PatrolFlight } from '../../src/vehicle/index.js';
import {
  closestApproach,
  distanceFromHomeM,
  fromLatLon,
  patrolMission,
  recordPatrol,
  rigPerTest,
} from './patrol-sim.js';

// In simulated time (PatrolRig): the simulator, the link and the patrol on one fake clock.
const startRig = rigPerTest();

const A = { northM: 120, eastM: 0 };
const B = { northM: 120, eastM: 120 };
const C = { northM: 0, eastM: 120 };

it('pause holds the vehicle where it is; resume flies the rest of the mission in order and lands', async () => {
  const rig = await startRig();
  const items = patrolMission([A, B, C]); // seq 2 A, 3 B, 4 C, 5 RTL
  const patrol = new PatrolFlight(rig.vehicle, items, { minBatteryPct: 50, reserveBatteryPct: 20 });
  const { notices, statuses } = recordPatrol(patrol);
  const reached: number[] = [];
  patrol.on('reached', (seq) => reached.push(seq));

  await expect(patrol.pause()).rejects.toThrow('cannot pause while idle: the mission has not started yet');
  const flight = patrol.fly();
  await rig.next(patrol, 'reached', (seq) => seq === 2);
  await expect(patrol.resume()).rejects.toThrow('cannot resume: the patrol is not paused (it is flying)');

  await rig.run(patrol.pause());
  expect(patrol.progress).toMatchObject({
    status: 'paused',
    modeName: 'LOITER',
    lastReachedSeq: 2,
    currentSeq: 3,
    totalItems: 5,
  });
  await expect(patrol.pause()).rejects.toThrow('cannot pause: the patrol is already paused');
  // Let it brake to a stop, then it must stay put for a minute of hover.
  await rig.clock.advance(10_000);
  const heldFrom = rig.sim.state().simTimeS;
  await rig.clock.advance(60_000);
  const held = rig.track.filter((p) => p.simTimeS >= heldFrom);
  expect(held.length).toBeGreaterThan(50);
  const first = held[0];
  for (const p of held) {
    expect(Math.hypot(p.northM - first.northM, p.eastM - first.eastM)).toBeLessThan(2);
    expect(Math.abs(p.altRelM - 20)).toBeLessThan(1);
  }
  // It held on the leg from A to B, short of B.
  expect(Math.hypot(first.northM - B.northM, first.eastM - B.eastM)).toBeGreaterThan(10);
  expect(reached).toEqual([1, 2]);

  await rig.run(patrol.resume());
  expect(patrol.progress).toMatchObject({ status: 'flying', modeName: 'AUTO', currentSeq: 3 });
  const result = await rig.run(flight);

  expect(reached).toEqual([1, 2, 3, 4, 5]);
  const atB = closestApproach(rig.track, B, heldFrom);
  const atC = closestApproach(rig.track, C, heldFrom);
  expect(atB.distanceM).toBeLessThan(3);
  expect(atC.distanceM).toBeLessThan(3);
  expect(atC.simTimeS).toBeGreaterThan(atB.simTimeS);
  expect(result).toMatchObject({ ending: 'completed', lastReachedSeq: 5, lastSeq: 5, adopted: false });
  expect(statuses).toEqual([
    'uploading',
    'checks',
    'arming',
    'taking off',
    'flying',
    'paused',
    'flying',
    'returning',
    'landed',
  ]);
  expect(notices.map((n) => n.kind)).toEqual(['paused', 'resumed']);
  expect(notices[0].message).toBe('paused at item 3/5: holding position in LOITER');
  expect(rig.sim.state()).toMatchObject({ armed: false, landed: true });
  expect(distanceFromHomeM(rig.sim)).toBeLessThan(3);
  const last = rig.vehicle.state.position;
  expect(last && fromLatLon(last.latDeg, last.lonDeg).northM).toBeLessThan(3);

  await expect(patrol.resume()).rejects.toThrow('cannot resume: the patrol is over (landed)');
  await expect(patrol.abort()).rejects.toThrow('cannot abort: the patrol is over (landed)');
});
