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
} from './instances.js';

/** A battery that takes every site in one sortie, so the order alone decides the distance. */
const settings = planSettings({ enduranceS: 20 * 3600 });

function randomSites(seed: number, count: number): SitePattern[] {
  const rnd = seeded(seed);
  return Array.from({ length: count }, (_, i) => {
    const id = `s${i + 1}`;
    const c: Xy = [(rnd() - 0.5) * 3000, (rnd() - 0.5) * 3000];
    const half = 20 + rnd() * 50;
    const kind = rnd();
    if (kind < 0.45) return loopPattern(id, c, half + 30, 4 + Math.floor(rnd() * 7), rnd() * 6);
    if (kind < 0.85) return sweepPattern(id, c, half, 2 + Math.floor(rnd() * 3));
    return pointPattern(id, c);
  });
}

/** The ways into and out of a pattern, as metres in FRAME: a loop at any vertex, else either end. */
function ends(p: SitePattern): { entry: Xy; exit: Xy }[] {
  const xy = p.waypoints.map((w): Xy => {
    const l = FRAME.toLocal(w.latDeg, w.lonDeg, 0);
    return [l.eastM, l.northM];
  });
  if (p.closed) return xy.slice(0, -1).map((v) => ({ entry: v, exit: v }));
  const forward = { entry: xy[0], exit: xy[xy.length - 1] };
  return p.reversible ? [forward, { entry: forward.exit, exit: forward.entry }] : [forward];
}

const gap = (a: Xy, b: Xy) => Math.hypot(a[0] - b[0], a[1] - b[1]);

/** Held–Karp over (visited set, last site, its way through): the least transit from launch and back. */
function exactTransitM(patterns: SitePattern[], home: Xy): number {
  const opts = patterns.map(ends);
  const n = patterns.length;
  const width = Math.max(...opts.map((o) => o.length));
  const idx = (mask: number, i: number, k: number) => (mask * n + i) * width + k;
  const best = new Float64Array((1 << n) * n * width).fill(Infinity);
  for (let i = 0; i < n; i++) {
    opts[i].forEach((o, k) => {
      best[idx(1 << i, i, k)] = gap(home, o.entry);
    });
  }
  for (let mask = 1; mask < 1 << n; mask++) {
    for (let i = 0; i < n; i++) {
      if (!(mask & (1 << i))) continue;
      for (let k = 0; k < opts[i].length; k++) {
        const here = best[idx(mask, i, k)];
        if (here === Infinity) continue;
        const exit = opts[i][k].exit;
        for (let j = 0; j < n; j++) {
          if (mask & (1 << j)) continue;
          const next = mask | (1 << j);
          opts[j].forEach((o, m) => {
            const t = here + gap(exit, o.entry);
            if (t < best[idx(next, j, m)]) best[idx(next, j, m)] = t;
          });
        }
      }
    }
  }
  const full = (1 << n) - 1;
  let total = Infinity;
  for (let i = 0; i < n; i++) {
    opts[i].forEach((o, k) => {
      total = Math.min(total, best[idx(full, i, k)] + gap(o.exit, home));
    });
  }
  return total;
}

describe('order within one launch point', () => {
  const cases = [
    [1, 6],
    [2, 7],
    [3, 8],
    [4, 9],
    [5, 10],
    [6, 10],
    [7, 10],
    [8, 9],
  ];
  it.each(cases)('is within 2 percent of the exact optimum (seed %i, %i sites)', (seed, count) => {
    const home: Xy = [0, 0];
    const patterns = randomSites(seed, count);
    const sites = patterns.map((p) => site(p.siteId, square([0, 0], 10)));
    const plan = planPatrol(registry(sites, [launch('L1', home)]), settings, patterns);
    expect(plan.sorties).toHaveLength(1);
    const [sortie] = plan.sorties;
    const transitM = sortie.distanceM - sortie.visits.reduce((sum, v) => sum + v.lengthM, 0);
    const optimumM = exactTransitM(patterns, home);
    expect(transitM).toBeGreaterThan(optimumM - 1);
    expect(transitM).toBeLessThanOrEqual(optimumM * 1.02);
  });
});
