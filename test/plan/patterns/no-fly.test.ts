import { booleanIntersects, booleanPointInPolygon, lineString, point } from '@turf/turf';
import { describe, expect, it } from 'vitest';
import { buildSitePattern, swathWidthM } from '../../../src/plan/patterns/index.js';
import { planSettings } from '../../../src/plan/settings.js';
import type { SitePattern } from '../../../src/plan/types.js';
import type { NoFlyZone } from '../../../src/sites/types.js';
import { uncoveredPct } from './footprint.js';
import { distanceToAreaM, loadShape, MetricView } from './shapes.js';

function legsInto(pattern: SitePattern, zone: NoFlyZone): number {
  const wps = pattern.waypoints;
  let hits = 0;
  for (let i = 1; i < wps.length; i++) {
    const leg = lineString([
      [wps[i - 1].lonDeg, wps[i - 1].latDeg],
      [wps[i].lonDeg, wps[i].latDeg],
    ]);
    if (booleanIntersects(leg, zone.geometry)) hits++;
  }
  if (wps.length === 1 && booleanPointInPolygon(point([wps[0].lonDeg, wps[0].latDeg]), zone.geometry)) hits++;
  return hits;
}

describe.each([60, 25])('a U-shaped site with a school filling its notch, at %i m', (altitudeRelM) => {
  const settings = planSettings({ altitudeRelM, patternOverride: 'coverage' });
  const { site, noFlyZones } = loadShape('u-notch-no-fly');
  const [school] = noFlyZones;

  it('no leg of the coverage touches the no-fly zone', () => {
    const pattern = buildSitePattern(site, settings, noFlyZones);
    expect(legsInto(pattern, school)).toBe(0);
    expect(pattern.notes?.join(' ')).toContain('school');
  });

  it('still leaves at most 1 % of the site outside every footprint', () => {
    const pattern = buildSitePattern(site, settings, noFlyZones);
    const view = new MetricView(site.geometry);
    expect(uncoveredPct(pattern, view, site.geometry, swathWidthM(altitudeRelM, 80))).toBeLessThanOrEqual(1);
  });

  it('is never faster than the same site with the notch free to fly over', () => {
    const free = buildSitePattern(site, settings, []);
    const constrained = buildSitePattern(site, settings, noFlyZones);
    expect(free.timeS).toBeLessThanOrEqual(constrained.timeS);
  });
});

describe('a site beside a hospital', () => {
  const { site, noFlyZones } = loadShape('edge-no-fly');
  const [hospital] = noFlyZones;

  it.each([60, 25])('coverage at %i m turns around short of the hospital', (altitudeRelM) => {
    const pattern = buildSitePattern(
      site,
      planSettings({ altitudeRelM, patternOverride: 'coverage' }),
      noFlyZones,
    );
    expect(legsInto(pattern, hospital)).toBe(0);
  });

  it('the perimeter loop is pulled in around the hospital and says so', () => {
    const settings = planSettings({ patternOverride: 'perimeter' });
    const pattern = buildSitePattern(site, settings, noFlyZones);
    expect(legsInto(pattern, hospital)).toBe(0);
    expect(pattern.notes?.join(' ')).toMatch(/pulled inward .*hospital/);
    // Away from the hospital the loop keeps its offset.
    const view = new MetricView(site.geometry);
    const far = view
      .path(pattern.waypoints)
      .filter((p) => distanceToAreaM(p, view.polygons(hospital.geometry)) > 60);
    expect(far.length).toBeGreaterThan(0);
    for (const p of far) {
      expect(distanceToAreaM(p, view.polygons(site.geometry))).toBeGreaterThanOrEqual(
        settings.perimeterOffsetM - 1,
      );
    }
  });

  it('the point watch moves off the south side, which the hospital takes', () => {
    const pattern = buildSitePattern(site, planSettings({ patternOverride: 'point' }), noFlyZones);
    expect(legsInto(pattern, hospital)).toBe(0);
    expect(pattern.notes?.join(' ')).toMatch(/hovers (south-east|west|east|north)/);
  });

  it('without the hospital the perimeter loop is not pulled in', () => {
    const pattern = buildSitePattern(site, planSettings({ patternOverride: 'perimeter' }), []);
    expect(pattern.notes ?? []).toEqual([]);
  });
});
