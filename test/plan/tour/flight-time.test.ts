import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { planSettings } from '../../../src/plan/settings.js';
import { FlightTimeModel } from '../../../src/plan/tour/flight-time.js';
import { loopPattern, pointPattern, sweepPattern } from './instances.js';

describe('flight time model', () => {
  const settings = planSettings({ cruiseSpeedMs: 10, headwindMs: 3, climbSpeedMs: 2.5, descentSpeedMs: 1.5 });
  const model = new FlightTimeModel(settings);

  it('flies every leg into the head-wind and adds climbs and descents', () => {
    expect(model.groundSpeedMs).toBe(7);
    expect(model.horizontalTimeS(700)).toBeCloseTo(100, 9);
    expect(model.verticalTimeS(0, 80)).toBeCloseTo(32, 9);
    expect(model.verticalTimeS(80, 60)).toBeCloseTo(20 / 1.5, 9);
    expect(model.sortieOverheadS()).toBeCloseTo(80 / 2.5 + 80 / 1.5, 9);
  });

  it('counts battery in percent of a full one and keeps the reserve out of reach', () => {
    expect(model.usableS).toBeCloseTo(settings.enduranceS * 0.75, 9);
    expect(model.batteryPct(settings.enduranceS / 4)).toBeCloseTo(25, 9);
  });

  it('prorates a pattern by length, slows its moving part and adds its holds', () => {
    const sweep = sweepPattern('s', [0, 0], 50, 3);
    const whole = model.patternTimeS(sweep, 0, sweep.waypoints.length - 1);
    const descentAndClimb = 20 / 1.5 + 20 / 2.5;
    expect(whole).toBeCloseTo((sweep.timeS * 10) / 7 + descentAndClimb, 6);
    const firstLeg = model.patternTimeS(sweep, 0, 1);
    expect(firstLeg).toBeCloseTo((100 / 10) * (10 / 7) + descentAndClimb, 3);
    const point = pointPattern('p', [0, 0], 45);
    expect(model.patternTimeS(point, 0, 0)).toBeCloseTo(45 + descentAndClimb, 9);
    const loop = loopPattern('l', [0, 0], 100, 10);
    expect(model.patternTimeS(loop, 3, 3 + 10)).toBeCloseTo(model.patternTimeS(loop, 0, 10), 9);
  });

  it('rejects settings that leave no way to fly', () => {
    expect(() => new FlightTimeModel(planSettings({ cruiseSpeedMs: 3, headwindMs: 3 }))).toThrow(UserError);
    expect(() => new FlightTimeModel(planSettings({ reservePct: 100 }))).toThrow(/usable/);
    expect(() => new FlightTimeModel(planSettings({ climbSpeedMs: 0 }))).toThrow(/climb/);
  });
});
