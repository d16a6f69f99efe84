import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { area, booleanConcave, coordAll, distance, polygon } from '@turf/turf';
import { describe, expect, it } from 'vitest';
import { DISTRICT_FILE, districtText } from '../../scripts/make-district.js';
import { loadSiteFiles, type Site, summariseSites } from '../../src/sites/index.js';

const MISSIONS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../missions');
const DEMO_FILE = path.join(MISSIONS, 'demo-sites.geojson');
const SIM_HOME = [113.6302, 34.7245];

const areaHa = (site: Site) => area(site.geometry) / 10_000;
const hasHole = (site: Site) =>
  site.geometry.type === 'Polygon'
    ? site.geometry.coordinates.length > 1
    : site.geometry.coordinates.some((p) => p.length > 1);

describe('missions/demo-sites.geojson', () => {
  it('loads cleanly: five sites around the simulator home, one no-fly zone, an operating area', async () => {
    const registry = await loadSiteFiles([DEMO_FILE]);
    expect(registry.warnings).toEqual([]);
    expect(registry.sites).toHaveLength(5);
    expect(registry.noFlyZones).toHaveLength(1);
    expect(registry.operatingArea).not.toBeNull();
    expect(registry.launchPoints).toEqual([
      { id: 'L-HOME', latDeg: 34.7245, lonDeg: 113.6302, altAmslM: 110 },
    ]);
    for (const site of registry.sites) {
      expect(site.contractor).toEqual(expect.any(String));
      expect(site.address).toEqual(expect.any(String));
      expect(site.riskLevel).toEqual(expect.any(String));
      expect(areaHa(site)).toBeGreaterThanOrEqual(0.5);
      expect(areaHa(site)).toBeLessThanOrEqual(4);
      for (const [lon, lat] of coordAll(site.geometry)) {
        expect(distance(SIM_HOME, [lon, lat], { units: 'meters' })).toBeLessThan(800);
      }
    }
    const outers = registry.sites.flatMap((s) =>
      s.geometry.type === 'Polygon' ? [s.geometry.coordinates[0]] : [],
    );
    expect(outers.some((ring) => booleanConcave(polygon([ring])))).toBe(true);
    expect(registry.sites.some(hasHole)).toBe(true);
  });
});

describe('missions/district.geojson', () => {
  it('is what scripts/make-district.ts writes, byte for byte', () => {
    expect(fs.readFileSync(DISTRICT_FILE, 'utf8')).toBe(districtText());
  });

  it('says it is synthetic, as a whole and site by site', () => {
    const doc = JSON.parse(fs.readFileSync(DISTRICT_FILE, 'utf8'));
    expect(doc.properties.synthetic).toBe(true);
    expect(doc.properties.note).toMatch(/^Synthetic data/);
    for (const feature of doc.features) expect(feature.properties.synthetic).toBe(true);
  });

  it('loads cleanly: 278 sites of 0.2-6 ha and varied shapes, 3 launch points, a few no-fly zones', async () => {
    const registry = await loadSiteFiles([DISTRICT_FILE]);
    expect(registry.warnings).toEqual([]);
    const summary = summariseSites(registry);
    expect(summary).toMatchObject({ sites: 278, launchPoints: 3, hasOperatingArea: true });
    expect(summary.noFlyZones).toBeGreaterThanOrEqual(3);
    expect(summary.noFlyZones).toBeLessThanOrEqual(5);
    expect(summary.smallestSite.areaHa).toBeGreaterThanOrEqual(0.2);
    expect(summary.largestSite.areaHa).toBeLessThanOrEqual(6);
    const shapes = new Set(registry.sites.map((s) => s.properties.shape));
    expect([...shapes].sort()).toEqual([
      'L',
      'U',
      'comb',
      'courtyard',
      'quadrilateral',
      'rectangle',
      'two-plots',
    ]);
    expect(registry.sites.filter(hasHole).length).toBeGreaterThan(5);
    expect(registry.sites.filter((s) => s.geometry.type === 'MultiPolygon').length).toBeGreaterThan(5);
    // Erqi District, Zhengzhou, about 8 by 8 km.
    for (const l of registry.launchPoints) {
      expect(distance([113.63, 34.72], [l.lonDeg, l.latDeg], { units: 'kilometers' })).toBeLessThan(5);
    }
  });
});
