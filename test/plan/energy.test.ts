import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { powerRatio } from '../../src/energy.js';
import { type PlanSettings, planPatrol, planSettings } from '../../src/plan/index.js';
import { loadSiteFiles, type PatternKind } from '../../src/sites/index.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { SITL_BATTERY } from '../helpers/sitl.js';

// The planner's battery estimate against what ArduPilot Copter SITL really used flying the same
// sorties with `dustpatrol fly` (scripts/bench/energy.ts: BATTERY_STATUS current_consumed at landing
// over BATT_CAPACITY 3300 mAh, calm air). The planner is told SITL's battery: a full one hovers
// 3300 mAh / 28.1 A; no head-wind allowance, since the flights had no wind.

const SITES = path.join(REPO_ROOT, 'missions/demo-sites.geojson');

const FLOWN: { siteId: string; pattern: PatternKind; settings?: Partial<PlanSettings>; sitlMah: number }[] = [
  { siteId: 'D-01', pattern: 'perimeter', sitlMah: 2122 },
  { siteId: 'D-03', pattern: 'coverage', sitlMah: 2226 },
  { siteId: 'D-04', pattern: 'point', sitlMah: 2366 },
  // Not fitted on: lower, slower.
  {
    siteId: 'D-01',
    pattern: 'coverage',
    settings: { altitudeRelM: 40, transitAltitudeRelM: 50, cruiseSpeedMs: 6 },
    sitlMah: 1686,
  },
];

describe('the energy model', () => {
  it("draws SITL's steady currents over its hover current", () => {
    // SITL's default quad, 28.10 A in hover (src/energy.ts); within 1 % of each.
    expect(powerRatio(0)).toBe(1);
    const measured: [airspeedMs: number, climbMs: number, currentA: number][] = [
      [5, 0, 28.35],
      [7.5, 0, 28.89],
      [10, 0, 30.55],
      [0, 2.5, 30.56],
      [0, -1.5, 26.84],
      [0, -0.5, 27.63],
    ];
    for (const [airspeedMs, climbMs, currentA] of measured) {
      expect(Math.abs(powerRatio(airspeedMs, climbMs) - currentA / 28.1)).toBeLessThan(0.01);
    }
  });

  it('estimates within 5 points of what SITL used on a perimeter, a survey, a far point watch and a hold-out', async () => {
    const registry = await loadSiteFiles([SITES]);
    for (const flown of FLOWN) {
      const site = registry.sites.filter((s) => s.id === flown.siteId);
      const settings = planSettings({
        enduranceS: SITL_BATTERY.hoverEnduranceS,
        headwindMs: 0,
        patternOverride: flown.pattern,
        ...flown.settings,
      });
      const plan = planPatrol({ ...registry, sites: site }, settings);
      expect(plan.sorties).toHaveLength(1);
      const usedPct = (100 * flown.sitlMah) / SITL_BATTERY.capacityMah;
      const what = `${flown.pattern} ${flown.siteId}: planned ${plan.sorties[0].batteryPct.toFixed(1)} %, SITL ${usedPct.toFixed(1)} %`;
      expect(Math.abs(plan.sorties[0].batteryPct - usedPct), what).toBeLessThan(5);
    }
  });

  it('asks more of the battery for a head-wind allowance, and never more than the usable share', async () => {
    const registry = await loadSiteFiles([SITES]);
    const site = registry.sites.filter((s) => s.id === 'D-01');
    const calm = planSettings({
      enduranceS: SITL_BATTERY.hoverEnduranceS,
      headwindMs: 0,
      patternOverride: 'perimeter',
    });
    const windy = { ...calm, headwindMs: 3 };
    const calmPct = planPatrol({ ...registry, sites: site }, calm).sorties[0].batteryPct;
    const windyPct = planPatrol({ ...registry, sites: site }, windy).sorties[0].batteryPct;
    expect(windyPct).toBeGreaterThan(calmPct + 2);
    expect(windyPct).toBeLessThanOrEqual(100 - windy.reservePct);
  });
});
