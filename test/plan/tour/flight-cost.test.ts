import { describe, expect, it } from 'vitest';
import { ARDUPILOT_NAV, powerRatio } from '../../../src/energy.js';
import { UserError } from '../../../src/errors.js';
import { planSettings } from '../../../src/plan/settings.js';
import { accelTimeS, FlightCostModel, peakSpeedMs } from '../../../src/plan/tour/flight-cost.js';
import { loopPattern, pointPattern, sweepPattern } from './instances.js';

describe('flight cost model', () => {
  const calm = planSettings({ cruiseSpeedMs: 10, headwindMs: 0, climbSpeedMs: 2.5, descentSpeedMs: 1.5 });
  const model = new FlightCostModel(calm);

  it('flies a long leg at cruise speed, paying its S-curve start and stop at hover power', () => {
    // WPNAV_ACCEL 2.5 m/s², WPNAV_JERK 1 m/s³: 0 → 10 m/s in 10 / 2.5 + 2.5 / 1 = 6.5 s, half of it lost
    // at each end (SITL flew a 371 m transit in 43.5 s: 37.1 + 6.4).
    expect(accelTimeS(10)).toBeCloseTo(6.5, 9);
    const leg = model.leg(1000);
    expect(leg.timeS).toBeCloseTo(100 + 6.5, 9);
    expect(leg.batteryS).toBeCloseTo(100 * powerRatio(10) + 6.5, 9);
    expect(model.leg(0)).toEqual({ timeS: 0, batteryS: 0 });
  });

  it('flies a short leg no faster than it can reach and brake within its length', () => {
    // SITL held 5.3, 6.5 and 7.3 m/s on perimeter legs of 26.5, 35.2 and 42.2 m.
    expect(peakSpeedMs(26.5)).toBeCloseTo(5.6, 1);
    expect(peakSpeedMs(35.2)).toBeCloseTo(6.8, 1);
    expect(peakSpeedMs(42.2)).toBeCloseTo(7.6, 1);
    expect(peakSpeedMs(1000)).toBeGreaterThan(10);
    const v = peakSpeedMs(30);
    expect(model.leg(30).timeS).toBeCloseTo(30 / v + accelTimeS(v), 9);
  });

  it('holds the ground speed into the head-wind allowance until the airspeed tops out', () => {
    // ArduPilot flies DO_CHANGE_SPEED over the ground; SITL's quad reaches 30° ANGLE_MAX at 10 m/s airspeed.
    const slow = new FlightCostModel({ ...calm, cruiseSpeedMs: 6, headwindMs: 3 });
    expect(slow.groundSpeedMs).toBe(6);
    expect(slow.leg(600).batteryS).toBeCloseTo(100 * powerRatio(9) + accelTimeS(6), 9);
    const fast = new FlightCostModel({ ...calm, headwindMs: 3 });
    expect(fast.groundSpeedMs).toBe(7);
    expect(fast.leg(700).timeS).toBeCloseTo(100 + accelTimeS(7), 9);
    expect(fast.leg(700).batteryS).toBeCloseTo(100 * powerRatio(10) + accelTimeS(7), 9);
    expect(fast.batteryPerM).toBeCloseTo(powerRatio(10) / 7, 9);
  });

  it('climbs dearer than it descends, each move ramping in and out', () => {
    const climb = model.vertical(0, 80);
    expect(climb.timeS).toBeCloseTo(32 + 2.5, 9);
    expect(climb.batteryS).toBeCloseTo(32 * powerRatio(0, 2.5) + 2.5, 9);
    const descent = model.vertical(80, 60);
    expect(descent.timeS).toBeCloseTo(20 / 1.5 + 1.5, 9);
    expect(descent.batteryS).toBeCloseTo((20 / 1.5) * powerRatio(0, -1.5) + 1.5, 9);
    expect(powerRatio(0, 2.5)).toBeGreaterThan(1);
    expect(powerRatio(0, -1.5)).toBeLessThan(1);
  });

  it("pays take-off, RTL's hover over home and its two-speed landing once per sortie", () => {
    const nav = ARDUPILOT_NAV;
    const overhead = model.sortieOverhead();
    const expectedS =
      nav.spoolUpS +
      (80 / 2.5 + 2.5) +
      nav.rtlHoverS +
      (70 / 1.5 + 1.5) +
      (10 / nav.landSpeedMs + nav.landSpeedMs) +
      nav.touchdownS;
    expect(overhead.timeS).toBeCloseTo(expectedS, 9);
    // On the ground the motors idle and draw next to nothing: battery only in the air.
    expect(overhead.batteryS).toBeLessThan(overhead.timeS - nav.spoolUpS - nav.touchdownS + 3);
  });

  it('counts battery in percent of a full one (its hover time) and keeps the reserve out of reach', () => {
    expect(model.usableS).toBeCloseTo(calm.enduranceS * 0.75, 9);
    expect(model.batteryPct(calm.enduranceS / 4)).toBeCloseTo(25, 9);
  });

  it('prices a pattern from its waypoints: legs, turns, holds, the descent to it and the climb back', () => {
    const descentAndClimb = model.vertical(80, 60).timeS + model.vertical(60, 80).timeS;
    const point = pointPattern('p', [0, 0], 45);
    const watch = model.pattern(point, 0, 0);
    expect(watch.timeS).toBeCloseTo(45 + descentAndClimb, 9);
    expect(watch.batteryS).toBeCloseTo(
      45 + model.vertical(80, 60).batteryS + model.vertical(60, 80).batteryS,
      9,
    );

    const sweep = sweepPattern('s', [0, 0], 50, 3);
    const whole = model.pattern(sweep, 0, sweep.waypoints.length - 1);
    // 100 m transects and 50 m steps, stopping at neither end of a turn: more than flying the length
    // straight at its legs' speeds, less than stopping at every waypoint.
    const legsS = 3 * (100 / peakSpeedMs(100)) + 2 * (50 / peakSpeedMs(50));
    expect(whole.timeS - descentAndClimb).toBeGreaterThan(legsS + accelTimeS(peakSpeedMs(100)));
    const stopEverywhereS = legsS + 3 * accelTimeS(peakSpeedMs(100)) + 2 * accelTimeS(peakSpeedMs(50));
    expect(whole.timeS - descentAndClimb).toBeLessThan(stopEverywhereS);
    expect(whole.batteryS).toBeGreaterThan(whole.timeS * 0.95);

    const loop = loopPattern('l', [0, 0], 100, 10);
    expect(model.pattern(loop, 3, 3 + 10).timeS).toBeCloseTo(model.pattern(loop, 0, 10).timeS, 3);
    expect(model.pattern(loop, 0, 5).timeS).toBeLessThan(model.pattern(loop, 0, 10).timeS);
  });

  it('rejects settings that leave no way to fly', () => {
    expect(() => new FlightCostModel(planSettings({ headwindMs: 10 }))).toThrow(UserError);
    expect(() => new FlightCostModel(planSettings({ reservePct: 100 }))).toThrow(/usable/);
    expect(() => new FlightCostModel(planSettings({ climbSpeedMs: 0 }))).toThrow(/climb/);
  });
});
