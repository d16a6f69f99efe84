import { expect, it } from 'vitest';
import { MissionType, setParam, uploadMission } from '../../src/mavlink/index.js';
import { type GeoFence, toFenceItems } from '../../src/plan/index.js';
import { PatrolFlight, waitForBoot } from '../../src/vehicle/index.js';
import {
  closestApproach,
  distanceFromHomeM,
  LONG_LEGS,
  patrolMission,
  recordPatrol,
  rigPerTest,
  toLatLon,
} from './patrol-sim.js';

// In simulated time (PatrolRig): the battery, the fence and the patrol's reactions on one fake clock.
const startRig = rigPerTest();

it('battery at the reserve in flight: one notice, RTL, lands at home, ended by the battery reserve', async () => {
  // A 5-minute battery: from 100 % it reaches an 85 % reserve well before the patrol is flown.
  const rig = await startRig({ batteryEnduranceS: 300 });
  const items = patrolMission(LONG_LEGS);
  const patrol = new PatrolFlight(rig.vehicle, items, { minBatteryPct: 95, reserveBatteryPct: 85 });
  const { notices, statuses } = recordPatrol(patrol);

  const result = await rig.run(patrol.fly());

  expect(result.ending).toBe('battery-reserve');
  expect(result.endingText).toMatch(/^battery at (8[0-5]) %, at or below the 85 % reserve$/);
  expect(notices.map((n) => n.kind)).toEqual(['battery-reserve']);
  expect(notices[0].message).toMatch(
    /^battery at \d+ %, at or below the 85 % reserve: returning to launch \(RTL\)$/,
  );
  expect(statuses.slice(-2)).toEqual(['returning', 'landed']);
  expect(rig.vehicle.state.modeName).toBe('RTL');
  expect(result.reachedSeqs).not.toContain(5);
  expect(closestApproach(rig.track, LONG_LEGS[3]).distanceM).toBeGreaterThan(50);
  expect(rig.sim.state()).toMatchObject({ armed: false, landed: true });
  expect(distanceFromHomeM(rig.sim)).toBeLessThan(3);
});

/** A 400 m square around home; the patrol's second waypoint is 100 m outside it. */
const SQUARE: GeoFence = {
  polygons: [
    {
      inclusion: true,
      vertices: [
        toLatLon({ northM: -200, eastM: -200 }),
        toLatLon({ northM: 200, eastM: -200 }),
        toLatLon({ northM: 200, eastM: 200 }),
        toLatLon({ northM: -200, eastM: 200 }),
      ],
    },
  ],
  circles: [],
};
const OUT_OF_FENCE = [
  { northM: 150, eastM: 0 },
  { northM: 300, eastM: 0 },
  { northM: 300, eastM: 150 },
];

it("fence breach seen by our own check (the vehicle's fence is off): RTL from the boundary, lands at home", async () => {
  const rig = await startRig();
  const patrol = new PatrolFlight(rig.vehicle, patrolMission(OUT_OF_FENCE), {
    minBatteryPct: 50,
    reserveBatteryPct: 20,
    fence: SQUARE,
  });
  const { notices } = recordPatrol(patrol);

  const result = await rig.run(patrol.fly());

  expect(result.ending).toBe('geofence');
  expect(notices.map((n) => n.kind)).toEqual(['geofence']);
  expect(notices[0].message).toBe(
    'geofence breached: the vehicle is outside inclusion polygon 1: returning to launch (RTL)',
  );
  // It turned back at the fence: a little past it while braking, never near the waypoint beyond.
  const furthestNorthM = Math.max(...rig.track.map((p) => p.northM));
  expect(furthestNorthM).toBeGreaterThan(200);
  expect(furthestNorthM).toBeLessThan(240);
  expect(rig.sim.state()).toMatchObject({ armed: false, landed: true, modeName: 'RTL' });
  expect(distanceFromHomeM(rig.sim)).toBeLessThan(3);
});

it("fence breach reported by the vehicle's FENCE_STATUS (its own fence on): the patrol names it as the ending", async () => {
  const rig = await startRig();
  const { vehicle } = rig;
  // The vehicle holds the fence and enforces it; the patrol is not given the fence to check itself.
  await rig.run(waitForBoot(vehicle));
  await rig.run(
    uploadMission(vehicle.link, vehicle.target, toFenceItems(SQUARE), { missionType: MissionType.Fence }),
  );
  await rig.run(setParam(vehicle.link, vehicle.target, 'FENCE_ENABLE', 1));
  const patrol = new PatrolFlight(vehicle, patrolMission(OUT_OF_FENCE), {
    minBatteryPct: 50,
    reserveBatteryPct: 20,
  });
  const { notices } = recordPatrol(patrol);

  const result = await rig.run(patrol.fly());

  expect(result.ending).toBe('geofence');
  expect(result.endingText).toBe(
    'geofence breached: the vehicle reports a fence breach (outside the boundary)',
  );
  // The vehicle turned itself round (its FENCE_ACTION 1: RTL); the patrol saw it leave, then why.
  expect(notices.map((n) => n.kind)).toEqual(['vehicle', 'geofence']);
  expect(notices[0].message).toBe(
    'the vehicle left the mission for RTL on its own (it said: Fence Breached)',
  );
  expect(Math.max(...rig.track.map((p) => p.northM))).toBeLessThan(240);
  expect(rig.sim.state()).toMatchObject({ armed: false, landed: true, modeName: 'RTL' });
  expect(distanceFromHomeM(rig.sim)).toBeLessThan(3);
});
