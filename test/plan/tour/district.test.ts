import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { patrolLowerBound, planPatrol } from '../../../src/plan/index.js';
import { planSettings } from '../../../src/plan/settings.js';
import { loadSiteFiles } from '../../../src/sites/index.js';
import { planProblems } from './plan-checks.js';

const DISTRICT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../missions/district.geojson',
);
/** The defaults a pilot gets: 10 m/s, 3 m/s head-wind margin, 25 min battery, 25 % reserve. */
const settings = planSettings();

describe('the 278-site district', () => {
  it('is planned whole, with every property, from its own patterns', async () => {
    const registry = await loadSiteFiles([DISTRICT]);
    const plan = planPatrol(registry, settings);
    expect(plan.patterns).toHaveLength(278);
    expect(planProblems(plan, registry, settings)).toEqual([]);
    const totalM = plan.sorties.reduce((sum, s) => sum + s.distanceM, 0);
    const bound = patrolLowerBound(plan, registry.launchPoints);
    expect(totalM).toBeGreaterThanOrEqual(bound.boundM);
    const baseline = planPatrol(registry, settings, plan.patterns, { ordering: 'nearest-neighbour' });
    expect(totalM).toBeLessThan(baseline.sorties.reduce((sum, s) => sum + s.distanceM, 0));
  });
});
