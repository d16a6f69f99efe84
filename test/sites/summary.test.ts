import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSiteFiles, summariseSites } from '../../src/sites/index.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/sites');
const SITES = path.join(FIXTURES, 'small-sites.geojson');
const AIRSPACE = path.join(FIXTURES, 'small-airspace.geojson');

describe('summariseSites', () => {
  it('counts features, areas, contractors and risk levels', async () => {
    const summary = summariseSites(await loadSiteFiles([SITES, AIRSPACE]));
    expect(summary).toMatchObject({
      sources: [SITES, AIRSPACE],
      sites: 4,
      noFlyZones: 1,
      launchPoints: 1,
      hasOperatingArea: true,
      contractors: 2,
      riskLevels: { high: 1, low: 1, medium: 1, none: 1 },
      warnings: [],
    });
    // S-1 is 100 m by 80 m; S-2 an L of 120 x 50 plus 50 x 90; S-3 120 x 100 less a 40 x 40 yard.
    expect(summary.largestSite.id).toBe('S-2');
    expect(summary.largestSite.areaHa).toBeCloseTo(1.05, 2);
    expect(summary.smallestSite.id).toBe('S-4');
    expect(summary.totalAreaHa).toBeCloseTo(0.8 + 1.05 + 1.04 + 0.72, 1);
  });
});
