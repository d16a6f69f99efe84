import { describe, expect, it } from 'vitest';
import { planPatrol } from '../../../src/plan/index.js';
import { planSettings } from '../../../src/plan/settings.js';
import type { SitePattern } from '../../../src/plan/types.js';
import {
  FRAME,
  launch,
  loopPattern,
  pointPattern,
  registry,
  seeded,
  site,
  square,
  sweepPattern,
  type Xy,
  zone,
} from './instances.js';
import { airspaceProblems, planProblems } from './plan-checks.js';

const settings = planSettings();

function rect(x0: number, y0: number, x1: number, y1: number): Xy[] {
  return [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
  ];
}

const local = (w: { latDeg: number; lonDeg: number }) => FRAME.toLocal(w.latDeg, w.lonDeg, 0);

describe('transit legs and the airspace', () => {
  const target = [site('t', square([1200, 0], 20))];
  const targetPattern = [pointPattern('t', [1200, 0])];
  const wall = zone('wall', rect(500, -400, 700, 300));

  it('go round a no-fly zone in the way, the short way', () => {
    const reg = registry(target, [launch('L1', [0, 0])], [wall]);
    const plan = planPatrol(reg, settings, targetPattern);
    expect(planProblems(plan, reg, settings)).toEqual([]);
    const [sortie] = plan.sorties;
    expect(sortie.distanceM).toBeGreaterThan(2 * 1200 + 100);
    const corners = sortie.waypoints.filter((w) => w.role === 'transit').map(local);
    expect(corners.some((p) => p.northM > 300)).toBe(true);
    expect(corners.every((p) => p.northM > -400)).toBe(true);
  });

  it('take the other side when the short way round would leave the operating area', () => {
    const area = rect(-300, -700, 1500, 310);
    const reg = registry(target, [launch('L1', [0, 0])], [wall], area);
    const plan = planPatrol(reg, settings, targetPattern);
    expect(planProblems(plan, reg, settings)).toEqual([]);
    const corners = plan.sorties[0].waypoints.filter((w) => w.role === 'transit').map(local);
    expect(corners.some((p) => p.northM < -400)).toBe(true);
  });

  it('follow a concave operating area round its inner corner', () => {
    const lShape: Xy[] = [
      [-200, -200],
      [400, -200],
      [400, 800],
      [1500, 800],
      [1500, 1200],
      [-200, 1200],
    ];
    const sites = [site('far', square([1300, 1000], 20))];
    const reg = registry(sites, [launch('L1', [0, 0])], [], lShape);
    const plan = planPatrol(reg, settings, [pointPattern('far', [1300, 1000])]);
    expect(airspaceProblems(plan, reg, settings)).toEqual([]);
    expect(plan.sorties[0].distanceM).toBeGreaterThan(2 * Math.hypot(1300, 1000));
  });

  it('fail naming the site when no way round stays inside the operating area', () => {
    const area = rect(-300, -700, 1500, 700);
    const barrier = zone('barrier', rect(500, -1000, 700, 1000));
    const reg = registry(target, [launch('L1', [0, 0])], [barrier], area);
    expect(() => planPatrol(reg, settings, targetPattern)).toThrow(/\bt \(no transit reaches it/);
  });

  it('refuse patterns inside a no-fly zone or outside the operating area, naming the sites', () => {
    const sites = [site('in-zone', square([600, 0], 20)), site('outside', square([3000, 0], 20))];
    const patterns = [pointPattern('in-zone', [600, 0]), pointPattern('outside', [3000, 0])];
    const reg = registry(sites, [launch('L1', [0, 0])], [wall], rect(-300, -700, 1500, 700));
    expect(() => planPatrol(reg, settings, patterns)).toThrow(/at sites: in-zone, outside/);
    const launchInZone = registry(target, [launch('L1', [600, 0])], [wall]);
    expect(() => planPatrol(launchInZone, settings, targetPattern)).toThrow(/launch point L1/);
  });

  it('keep within the altitude limit', () => {
    const reg = registry(target, [launch('L1', [0, 0])]);
    expect(() => planPatrol(reg, planSettings({ transitAltitudeRelM: 130 }), targetPattern)).toThrow(
      /transit altitude 130 m is above the 120 m/,
    );
    const high = {
      ...targetPattern[0],
      waypoints: targetPattern[0].waypoints.map((w) => ({ ...w, altRelM: 150 })),
    };
    expect(() => planPatrol(reg, settings, [high])).toThrow(/above ground at sites: t/);
  });

  it.each([11, 12, 14, 16])('keep every leg clear on a random district with zones (seed %i)', (seed) => {
    const rnd = seeded(seed);
    const zones = Array.from({ length: 5 }, (_, k) => {
      const x = (rnd() - 0.5) * 3000;
      const y = (rnd() - 0.5) * 3000;
      return zone(`z${k}`, rect(x, y, x + 150 + rnd() * 300, y + 150 + rnd() * 300));
    });
    const area: Xy[] = [
      [-2200, -2200],
      [2200, -2200],
      [2200, 600],
      [600, 600],
      [600, 2200],
      [-2200, 2200],
    ];
    const clear = (c: Xy, r: number) =>
      zones.every((z) => {
        const ring = (z.geometry.coordinates[0] as [number, number][]).map(([lon, lat]) =>
          FRAME.toLocal(lat, lon, 0),
        );
        const xs = ring.map((p) => p.eastM);
        const ys = ring.map((p) => p.northM);
        return (
          c[0] + r < Math.min(...xs) - 20 ||
          c[0] - r > Math.max(...xs) + 20 ||
          c[1] + r < Math.min(...ys) - 20 ||
          c[1] - r > Math.max(...ys) + 20
        );
      }) &&
      !(c[0] + r > 580 && c[1] + r > 580) &&
      Math.max(Math.abs(c[0]), Math.abs(c[1])) + r < 2150;
    const sites = [];
    const patterns: SitePattern[] = [];
    while (patterns.length < 40) {
      const c: Xy = [(rnd() - 0.5) * 4200, (rnd() - 0.5) * 4200];
      const half = 20 + rnd() * 40;
      if (!clear(c, half + 40)) continue;
      const id = `s${patterns.length + 1}`;
      sites.push(site(id, square(c, half)));
      patterns.push(rnd() < 0.5 ? loopPattern(id, c, half + 30, 8) : sweepPattern(id, c, half, 3));
    }
    const launches = [
      launch('L1', [-1200, -1200]),
      launch('L2', [1200, -1200]),
      launch('L3', [-1200, 1200]),
    ].filter((l) => {
      const p = local(l);
      return clear([p.eastM, p.northM], 30);
    });
    const reg = registry(sites, launches, zones, area);
    const plan = planPatrol(reg, settings, patterns);
    expect(planProblems(plan, reg, settings)).toEqual([]);
  });
});
