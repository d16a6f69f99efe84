import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { planPatrol, planSettings } from '../../../src/plan/index.js';
import { siteBoundaryLengthM } from '../../../src/plan/tour/plan-inputs.js';
import { registryFromFeatures, type SiteRegistry } from '../../../src/sites/index.js';
import { polygon, square } from './instances.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/sites');

/**
 * The small fixture with site S-3 grown to 0.03° square (3.3 km north-south by 2.7 km east-west), 3 km
 * east of the others: its boundary, 12.2 km, takes 20.3 min to fly round at 10 m/s.
 */
function registryWithLargeSite(): SiteRegistry {
  const text = fs.readFileSync(path.join(FIXTURES, 'small-sites.geojson'), 'utf8');
  const features = JSON.parse(text).features;
  const [lon, lat, half] = [113.66, 34.73, 0.015];
  features[2].geometry.coordinates = [
    [
      [lon - half, lat - half],
      [lon + half, lat - half],
      [lon + half, lat + half],
      [lon - half, lat + half],
      [lon - half, lat - half],
    ],
  ];
  // A loop round it keeps the plan small; the battery question is the same for any pattern.
  features[2].properties.pattern = 'perimeter';
  return registryFromFeatures([{ source: 'sites.geojson', features }]);
}

describe('whether a site fits one battery: the planner asks, with the pilot’s settings', () => {
  it('measures the boundary of every part, holes left out', () => {
    expect(siteBoundaryLengthM(polygon(square([0, 0], 500)))).toBeCloseTo(4000, -1);
  });

  it('refuses, under the default battery, a site whose boundary alone outlasts it: one line naming it and why', () => {
    const registry = registryWithLargeSite();
    let message = '';
    try {
      planPatrol(registry, planSettings());
    } catch (err) {
      expect(err).toBeInstanceOf(UserError);
      message = (err as Error).message;
    }
    expect(message).toBe(
      "sites.geojson: feature 2 (id 'S-3'): the site is too large for one battery: its boundary is 12.2 km, " +
        // Battery is hover time: a lap at 10 m/s draws 1.08 × hover power (src/energy.ts), 88 % of 25 min.
        'one lap at 10 m/s takes 20.3 min and 88 % of a battery, more than the 75 % usable with a 25 % reserve; ' +
        'split it into smaller sites',
    );
  });

  it('plans the same site for a pilot with a bigger battery', () => {
    const settings = planSettings({ enduranceS: 45 * 60 });
    const plan = planPatrol(registryWithLargeSite(), settings);
    const visits = plan.sorties.flatMap((s) => s.visits).filter((v) => v.siteId === 'S-3');
    expect(visits.length).toBeGreaterThan(0);
    for (const s of plan.sorties) expect(s.batteryPct + settings.reservePct).toBeLessThanOrEqual(100);
  });
});
