import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { planPatrol } from '../../../src/plan/index.js';
import { planSettings } from '../../../src/plan/settings.js';
import {
  launch,
  loopPattern,
  oneWayPattern,
  pointPattern,
  randomInstance,
  registry,
  site,
  square,
  sweepPattern,
} from './instances.js';
import { batteryProblems, coverageProblems, planProblems } from './plan-checks.js';

const settings = planSettings();
const THREE_LAUNCHES: [number, number][] = [
  [-1500, -1000],
  [1500, -1000],
  [0, 1500],
];

describe('sorties over many sites', () => {
  it.each([1, 2, 3])('cover every site within the battery from three launch points (seed %i)', (seed) => {
    const { registry: reg, patterns } = randomInstance(seed, 120, 5000, THREE_LAUNCHES);
    const plan = planPatrol(reg, settings, patterns);
    expect(planProblems(plan, reg, settings)).toEqual([]);
    expect(new Set(plan.sorties.map((s) => s.launch.id))).toEqual(new Set(['L1', 'L2', 'L3']));
    for (const s of plan.sorties) {
      expect(s.batteryPct).toBeGreaterThan(0);
      expect(s.distanceM).toBeGreaterThan(0);
      expect(s.visits.length).toBeGreaterThan(0);
      for (const v of s.visits) expect(v.timeS).toBeGreaterThan(0);
    }
    expect(plan.sorties.map((s) => s.index)).toEqual(plan.sorties.map((_, k) => k + 1));
  });

  it('beats plain nearest neighbour on the same instance', () => {
    const { registry: reg, patterns } = randomInstance(7, 150, 5000, THREE_LAUNCHES);
    const total = (ordering: 'improved' | 'nearest-neighbour') =>
      planPatrol(reg, settings, patterns, { ordering }).sorties.reduce((sum, s) => sum + s.timeS, 0);
    expect(total('improved')).toBeLessThan(total('nearest-neighbour'));
  });

  it('records the time and battery the waypoints take, with a small reserve too', () => {
    const small = planSettings({ reservePct: 5, enduranceS: 15 * 60 });
    const { registry: reg, patterns } = randomInstance(4, 60, 4000, THREE_LAUNCHES);
    const plan = planPatrol(reg, small, patterns);
    expect(batteryProblems(plan, small)).toEqual([]);
    expect(Math.max(...plan.sorties.map((s) => s.batteryPct))).toBeGreaterThan(80);
  });

  it('splits a site too big for one battery at waypoints and resumes where the last sortie stopped', () => {
    const sites = [
      site('big', square([600, 0], 600)),
      site('a', square([-300, 200], 40)),
      site('b', square([0, -400], 40)),
    ];
    const big = sweepPattern('big', [600, 0], 600, 24);
    const patterns = [big, loopPattern('a', [-300, 200], 70, 8), pointPattern('b', [0, -400])];
    const reg = registry(sites, [launch('L1', [0, 0])]);
    expect(big.timeS).toBeGreaterThan(settings.enduranceS);
    const plan = planPatrol(reg, settings, patterns);
    expect(planProblems(plan, reg, settings)).toEqual([]);
    const parts = plan.sorties
      .flatMap((s) => s.visits)
      .filter((v) => v.siteId === 'big')
      .sort((x, y) => x.fromIndex - y.fromIndex);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts[0].fromIndex).toBe(0);
    expect(parts.at(-1)?.toIndex).toBe(big.waypoints.length - 1);
    for (let k = 1; k < parts.length; k++) expect(parts[k].fromIndex).toBe(parts[k - 1].toIndex);
    expect(new Set(plan.sorties.filter((s) => s.visits.some((v) => v.siteId === 'big'))).size).toBe(
      parts.length,
    );
  });

  it('flies a one-way pattern forwards only', () => {
    const sites = [site('w', square([800, 0], 100)), site('p', square([900, 300], 20))];
    const patterns = [oneWayPattern('w', [800, 0], 100), pointPattern('p', [900, 300])];
    const reg = registry(sites, [launch('L1', [2000, 0])]);
    const plan = planPatrol(reg, settings, patterns);
    expect(coverageProblems(plan)).toEqual([]);
    const visit = plan.sorties.flatMap((s) => s.visits).find((v) => v.siteId === 'w');
    expect(visit).toMatchObject({ reversed: false, fromIndex: 0, toIndex: patterns[0].waypoints.length - 1 });
  });

  it('points the camera as the pattern means when it is flown backwards, and frees the ROI after a watch', () => {
    const sweep = sweepPattern('sweep', [0, 0], 100, 4);
    sweep.waypoints[0] = { ...sweep.waypoints[0], gimbalPitchDeg: -90, roi: null };
    const ring = loopPattern('ring', [0, 600], 60, 8);
    const roi = { latDeg: ring.waypoints[0].latDeg, lonDeg: ring.waypoints[0].lonDeg, altRelM: 0 };
    ring.waypoints = ring.waypoints.map((w) => ({ ...w, roi, gimbalPitchDeg: -30 }));
    const end = sweep.waypoints.at(-1);
    if (!end) throw new Error('empty sweep');
    const sites = [site('sweep', square([0, 0], 100)), site('ring', square([0, 600], 30))];
    const reg = registry(sites, [launch('L1', [100, -150])]);
    const plan = planPatrol(reg, settings, [sweep, ring]);
    const visit = plan.sorties[0].visits.find((v) => v.siteId === 'sweep');
    expect(visit?.reversed).toBe(true);
    const wps = plan.sorties[0].waypoints;
    const first = wps.find((w) => w.siteId === 'sweep');
    expect(first).toMatchObject({ latDeg: end.latDeg, lonDeg: end.lonDeg, gimbalPitchDeg: -90, roi: null });
    const afterRing = wps.findIndex((w, i) => i > 0 && wps[i - 1].siteId === 'ring' && w.role === 'transit');
    expect(wps[afterRing].roi).toBeNull();
  });

  it('enters a loop at the vertex nearest the way in and records it as a whole lap', () => {
    const sites = [site('ring', square([0, 1000], 100))];
    const ring = loopPattern('ring', [0, 1000], 130, 12, 0.1);
    const plan = planPatrol(registry(sites, [launch('L1', [0, 0])]), settings, [ring]);
    const [visit] = plan.sorties[0].visits;
    expect(visit.toIndex - visit.fromIndex).toBe(ring.waypoints.length - 1);
    const entry = ring.waypoints[visit.fromIndex % (ring.waypoints.length - 1)];
    const southmost = Math.min(...ring.waypoints.map((w) => w.latDeg));
    expect(entry.latDeg).toBeCloseTo(southmost, 6);
    expect(visit.lengthM).toBeCloseTo(ring.lengthM, 6);
  });

  it('names every site no battery reaches', () => {
    const sites = [
      site('near', square([200, 0], 30)),
      site('far1', square([9000, 0], 30)),
      site('far2', square([0, -9500], 30)),
    ];
    const patterns = [
      pointPattern('near', [200, 0]),
      pointPattern('far1', [9000, 0]),
      pointPattern('far2', [0, -9500]),
    ];
    const plan = () => planPatrol(registry(sites, [launch('L1', [0, 0])]), settings, patterns);
    expect(plan).toThrow(UserError);
    expect(plan).toThrow(/2 site\(s\) cannot be flown.*far1.*far2/);
  });

  it('refuses patterns that do not match the sites', () => {
    const sites = [site('a', square([0, 300], 30)), site('b', square([300, 0], 30))];
    const reg = registry(sites, [launch('L1', [0, 0])]);
    expect(() => planPatrol(reg, settings, [pointPattern('a', [0, 300])])).toThrow(
      /no pattern given for sites: b/,
    );
    expect(() =>
      planPatrol(reg, settings, [
        pointPattern('a', [0, 300]),
        pointPattern('b', [300, 0]),
        pointPattern('c', [9, 9]),
      ]),
    ).toThrow(/unknown sites: c/);
    expect(() => planPatrol({ ...reg, launchPoints: [] }, settings, [])).toThrow(/no launch point/);
  });
});
