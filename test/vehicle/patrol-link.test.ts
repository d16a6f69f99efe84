import { expect, it } from 'vitest';
import { setParam } from '../../src/mavlink/index.js';
import { PatrolFlight, type Vehicle } from '../../src/vehicle/index.js';
import { distanceFromHomeM, LONG_LEGS, patrolMission, recordPatrol, rigPerTest } from './patrol-sim.js';

// In simulated time (PatrolRig): the outage, the link's loss and the vehicle's GCS failsafe all count
// the one fake clock, so no scheduling delay under load can move one against another.
const startRig = rigPerTest();

const OUTAGE_S = 5;
/** Just past LINK_TIMING.vehicleLostAfterMs (3.5 s) and inside the outage. */
const WARN_AFTER_S = 4;
/**
 * An outage long enough for the vehicle's GCS failsafe to bring it home from just after take-off and
 * land it (some 35 s), and shorter than LINK_TIMING.flightLinkLossGiveUpMs (60 s), after which the patrol
 * stops waiting for a silent vehicle. (Sped up ×20 on the wall clock, 5 s of outage were 100 s of flight.)
 */
const RTL_OUTAGE_S = 45;

/** The patrol every test here flies: the long legs, warned of a silent link after WARN_AFTER_S. */
const longPatrol = (vehicle: Vehicle) =>
  new PatrolFlight(vehicle, patrolMission(LONG_LEGS), {
    minBatteryPct: 50,
    reserveBatteryPct: 20,
    linkLossWarnAfterS: WARN_AFTER_S,
  });

it("a 5 s link outage: lost, a warning saying what the vehicle's failsafe does, back, and the patrol lands", async () => {
  const rig = await startRig();
  const patrol = longPatrol(rig.vehicle);
  const { notices } = recordPatrol(patrol);
  const lostSeen: boolean[] = [];
  patrol.on('progress', (p) => lostSeen.push(p.linkLost));
  const flight = patrol.fly();
  await rig.next(patrol, 'reached', (seq) => seq === 2);
  rig.sim.startOutage(OUTAGE_S);

  const result = await rig.run(flight);

  expect(notices.map((n) => n.kind)).toEqual(['link-lost', 'link-warning', 'link-regained']);
  expect(notices[0].message).toMatch(/^link lost: no heartbeat for 3.5 s \(last seen in AUTO at item 3\/6\)/);
  // The simulator ships ArduPilot's default: no GCS failsafe.
  expect(notices[1].message).toBe(
    'no link for 4 s: its GCS failsafe is off (FS_GCS_ENABLE 0, FS_GCS_TIMEOUT 5 s): it carries on in its ' +
      'present mode without the ground station (in AUTO it flies the rest of the mission on its own)',
  );
  expect(notices[2].message).toMatch(/^link back after [5-7] s without heartbeats$/);
  expect(lostSeen).toContain(true);
  expect(patrol.progress.linkLost).toBe(false);
  expect(patrol.linkFailsafe?.params).toEqual({ FS_GCS_ENABLE: 0, FS_GCS_TIMEOUT: 5 });
  expect(result).toMatchObject({ ending: 'completed', linkLosses: 1, lastReachedSeq: 6 });
  expect(rig.sim.state()).toMatchObject({ armed: false, landed: true, modeName: 'AUTO' });
  expect(distanceFromHomeM(rig.sim)).toBeLessThan(3);
});

it('with FS_GCS_ENABLE 1 the vehicle returns and lands on its own during the outage; the patrol says so', async () => {
  const rig = await startRig();
  const { vehicle } = rig;
  await rig.run(setParam(vehicle.link, vehicle.target, 'FS_GCS_ENABLE', 1));
  await rig.run(setParam(vehicle.link, vehicle.target, 'FS_GCS_TIMEOUT', 2));
  const patrol = longPatrol(vehicle);
  const { notices } = recordPatrol(patrol);
  const flight = patrol.fly();
  // Just after take-off, near home: the outage outlasts the trip home and the landing.
  await rig.next(patrol, 'reached', (seq) => seq === 1);
  rig.sim.startOutage(RTL_OUTAGE_S);

  const result = await rig.run(flight);

  expect(notices.map((n) => n.kind)).toEqual(['link-lost', 'link-warning', 'link-regained', 'vehicle']);
  expect(notices[1].message).toBe(
    'no link for 4 s: its GCS failsafe (FS_GCS_ENABLE 1, FS_GCS_TIMEOUT 2 s): after 2 s without the ' +
      'ground station it returns to launch (RTL)',
  );
  // The vehicle is home and disarmed before the link is back.
  expect(notices[3].message).toMatch(/^the vehicle landed in RTL without finishing the mission \(it said: /);
  expect(result).toMatchObject({
    ending: 'vehicle',
    endingText: 'it landed in RTL without finishing the mission',
  });
  expect(result.reachedSeqs).not.toContain(5);
  expect(rig.sim.state()).toMatchObject({ armed: false, landed: true, modeName: 'RTL' });
  expect(distanceFromHomeM(rig.sim)).toBeLessThan(3);
});

it("the ground station's wall clock set an hour back mid-flight: the loss, the warning and the return are timed as before", async () => {
  // Date.now() jumps (NTP, an operator); the link's and the patrol's clock (performance.now() in
  // production, the rig's fake clock here) does not: whatever read Date.now() would see the jump.
  const rig = await startRig();
  const patrol = longPatrol(rig.vehicle);
  const { notices } = recordPatrol(patrol);
  const flight = patrol.fly();
  await rig.next(patrol, 'reached', (seq) => seq === 2);
  const realNow = Date.now;
  Date.now = () => realNow() - 3_600_000;
  try {
    rig.sim.startOutage(OUTAGE_S);
    const result = await rig.run(flight);
    expect(notices.map((n) => n.kind)).toEqual(['link-lost', 'link-warning', 'link-regained']);
    expect(notices[1].message).toMatch(/^no link for 4 s: /);
    expect(notices[2].message).toMatch(/^link back after [5-7] s without heartbeats$/);
    expect(result).toMatchObject({ ending: 'completed', linkLosses: 1, lastReachedSeq: 6 });
    // The flight's duration is its own, not the clock's jump.
    expect(result.durationS).toBeGreaterThan(0);
    expect(result.durationS).toBeLessThan(600);
  } finally {
    Date.now = realNow;
  }
});
