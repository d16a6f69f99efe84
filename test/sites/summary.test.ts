import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  boundaryLapS,
  loadSiteFiles,
  siteBoundaryLengthM,
  siteFitsOneBattery,
  summariseSites,
  usableEnduranceS,
} from '../../src/sites/index.js';

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

describe('siteFitsOneBattery', () => {
  const square = (sideM: number) => {
    const dLat = sideM / 111_195;
    const dLon = dLat / Math.cos((34.72 * Math.PI) / 180);
    const ring = [
      [113.63, 34.72],
      [113.63 + dLon, 34.72],
      [113.63 + dLon, 34.72 + dLat],
      [113.63, 34.72 + dLat],
      [113.63, 34.72],
    ];
    return { geometry: { type: 'Polygon' as const, coordinates: [ring] } };
  };
  const settings = { cruiseSpeedMs: 10, enduranceS: 1000, reservePct: 20 };

  it('compares one lap of the boundary at cruise speed with the battery less its reserve', () => {
    expect(usableEnduranceS(settings)).toBe(800);
    expect(siteBoundaryLengthM(square(1000).geometry)).toBeCloseTo(4000, -1);
    expect(boundaryLapS(square(1000), settings)).toBeCloseTo(400, 0);
    expect(siteFitsOneBattery(square(1900), settings)).toBe(true);
    expect(siteFitsOneBattery(square(2100), settings)).toBe(false);
  });

  it('uses the plan defaults when given no settings: 25 minutes, 25 % reserve, 10 m/s', () => {
    expect(usableEnduranceS()).toBe(1125);
    expect(siteFitsOneBattery(square(2500))).toBe(true);
    expect(siteFitsOneBattery(square(3000))).toBe(false);
  });
});
