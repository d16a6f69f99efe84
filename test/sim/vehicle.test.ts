import { ardupilotmega, common } from 'node-mavlink';
import { expect, it } from 'vitest';
import type { MissionItem } from '../../src/mavlink/index.js';
import { seededRandom } from '../../src/random.js';
import { SimVehicle } from '../../src/sim/vehicle.js';
import { fourWaypointMission, HOME } from '../helpers/sim-gcs.js';

const { CopterMode } = ardupilotmega;
const STEP_S = 0.02;

/** The vehicle without a link: stepped as fast as the CPU goes, so the numbers are exact. */
function vehicle(items: MissionItem[] = [], options: { batteryEnduranceS?: number } = {}) {
  const reached: number[] = [];
  const v = new SimVehicle(
    {
      home: HOME,
      windSpeedMs: 0,
      windFromDeg: 0,
      gpsNoiseM: 0,
      batteryEnduranceS: options.batteryEnduranceS ?? 1200,
      random: seededRandom(1),
      missionItems: () => items,
    },
    {
      text: () => {},
      missionItemReached: (seq) => reached.push(seq),
      missionCurrentChanged: () => {},
      homeChanged: () => {},
      statusChanged: () => {},
    },
  );
  const runUntil = (done: () => boolean, limitS = 600) => {
    const endS = v.timeS + limitS;
    while (!done() && v.timeS < endS) v.step(STEP_S);
    expect(done()).toBe(true);
  };
  return { v, reached, runUntil };
}

it('flies the reference mission in ArduPilot time whether AUTO starts on the ground or after a GUIDED takeoff', () => {
  const fromGround = vehicle(fourWaypointMission());
  fromGround.runUntil(() => fromGround.v.ekf.usesGps);
  expect(fromGround.v.setMode(CopterMode.GUIDED)).toBe(common.MavResult.ACCEPTED);
  expect(fromGround.v.arm()).toBe(common.MavResult.ACCEPTED);
  expect(fromGround.v.setMode(CopterMode.AUTO)).toBe(common.MavResult.ACCEPTED);
  const groundStartS = fromGround.v.timeS;
  fromGround.runUntil(() => !fromGround.v.armed);
  const groundFlightS = fromGround.v.timeS - groundStartS;
  expect(fromGround.reached).toEqual([1, 2, 3, 4, 5]);

  // What dustpatrol's fly command does: take off in GUIDED, switch to AUTO at 90 % of the altitude.
  const afterTakeoff = vehicle(fourWaypointMission());
  const { v } = afterTakeoff;
  afterTakeoff.runUntil(() => v.ekf.usesGps);
  v.setMode(CopterMode.GUIDED);
  v.arm();
  expect(v.takeoff(30)).toBe(common.MavResult.ACCEPTED);
  afterTakeoff.runUntil(() => v.altRelM >= 27);
  v.setMode(CopterMode.AUTO);
  const autoAtS = v.timeS;
  afterTakeoff.runUntil(() => !v.armed);
  const guidedFlightS = v.timeS - autoAtS;
  expect(afterTakeoff.reached).toEqual([1, 2, 3, 4, 5]);

  console.log(
    `reference mission, AUTO to disarmed: ${groundFlightS.toFixed(1)} s from the ground, ` +
      `${guidedFlightS.toFixed(1)} s after a GUIDED takeoff (ArduPilot: ~114 s)`,
  );
  for (const flightS of [groundFlightS, guidedFlightS]) {
    expect(flightS).toBeGreaterThan(114 * 0.8);
    expect(flightS).toBeLessThan(114 * 1.2);
  }
});

it('drains the battery in its hover endurance', () => {
  const { v, runUntil } = vehicle([], { batteryEnduranceS: 600 });
  runUntil(() => v.ekf.usesGps);
  v.setMode(CopterMode.GUIDED);
  v.arm();
  v.takeoff(10);
  runUntil(() => v.altRelM > 9.9);
  const startPct = v.battery.percent;
  const startS = v.timeS;
  runUntil(() => v.timeS - startS >= 120);
  // 120 s of hover out of 600 s: a fifth of the pack.
  expect(startPct - v.battery.percent).toBeCloseTo(20, 0);
  expect(v.battery.voltageV).toBeLessThan(16.8);
  expect(v.battery.voltageV).toBeGreaterThan(14);
});

it("draws ArduPilot SITL's current: hover, climbing, descending and cruising at 10 m/s", () => {
  // SITL's battery: 3300 mAh hovering 423 s (28.1 A). Its steady currents, measured on its default
  // quad (src/energy.ts): 30.56 A climbing at 2.5 m/s, 26.84 A descending at 1.5 m/s, 30.55 A at
  // 10 m/s level in calm air.
  const { v, runUntil } = vehicle([], { batteryEnduranceS: 423 });
  const hoverA = 3.3 / (423 / 3600);
  const ratio = () => v.battery.currentA / hoverA;
  runUntil(() => v.ekf.usesGps);
  v.setMode(CopterMode.GUIDED);
  v.arm();
  expect(ratio()).toBe(0);
  v.takeoff(60);
  runUntil(() => v.altRelM > 30);
  expect(ratio()).toBeCloseTo(30.56 / 28.1, 1);
  runUntil(() => v.altRelM > 59.9);
  const hoverStartS = v.timeS;
  runUntil(() => v.timeS - hoverStartS > 10);
  expect(ratio()).toBeCloseTo(1, 2);
  const north = HOME.latDeg + 1000 / 111_195;
  expect(v.goTo(north, HOME.lonDeg, 60, common.MavFrame.GLOBAL_RELATIVE_ALT)).toBe(common.MavResult.ACCEPTED);
  runUntil(() => v.model.groundSpeedMs > 9.99);
  const cruiseStartS = v.timeS;
  runUntil(() => v.timeS - cruiseStartS > 5);
  expect(ratio()).toBeCloseTo(30.55 / 28.1, 1);
  expect(Math.abs(ratio() - 30.55 / 28.1)).toBeLessThan(0.01);
  runUntil(() => v.model.groundSpeedMs < 0.01, 300);
  expect(v.goTo(north, HOME.lonDeg, 30, common.MavFrame.GLOBAL_RELATIVE_ALT)).toBe(common.MavResult.ACCEPTED);
  runUntil(() => v.altRelM < 45);
  expect(Math.abs(ratio() - 26.84 / 28.1)).toBeLessThan(0.01);
});
