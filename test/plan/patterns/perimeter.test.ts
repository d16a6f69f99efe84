import { describe, expect, it } from 'vitest';
import { buildSitePattern } from '../../../src/plan/patterns/index.js';
import { planSettings } from '../../../src/plan/settings.js';
import { distanceToAreaM, loadShape, MetricView, type XY } from './shapes.js';

const SHAPES = ['convex', 'l-shape', 'u-shape', 'comb', 'holed', 'two-parts', 'far-parts'];
/** Longest leg, so that the camera re-aims at the nearest stretch of boundary often enough. */
const MAX_LEG_M = 50;

/** Points every stepM along the loop legs (a hop between the loops of separate parts is longer: left out). */
function sampleLoops(path: XY[], stepM: number): XY[] {
  const out: XY[] = [];
  for (let i = 1; i < path.length; i++) {
    const [a, b] = [path[i - 1], path[i]];
    const lengthM = Math.hypot(b.x - a.x, b.y - a.y);
    if (lengthM > MAX_LEG_M + 1e-6) continue;
    const n = Math.max(1, Math.ceil(lengthM / stepM));
    for (let k = 0; k <= n; k++) out.push({ x: a.x + ((b.x - a.x) * k) / n, y: a.y + ((b.y - a.y) * k) / n });
  }
  return out;
}

describe.each([30, 12])('perimeter watch at a %i m offset', (perimeterOffsetM) => {
  const settings = planSettings({ perimeterOffsetM, patternOverride: 'perimeter' });

  it.each(SHAPES)('%s: every point of the loop keeps the offset from the site, and not much more', (name) => {
    const { site } = loadShape(name);
    const pattern = buildSitePattern(site, settings, []);
    const view = new MetricView(site.geometry);
    const sitePolys = view.polygons(site.geometry);
    const distances = sampleLoops(view.path(pattern.waypoints), 1).map((p) => distanceToAreaM(p, sitePolys));
    expect(Math.min(...distances)).toBeGreaterThanOrEqual(perimeterOffsetM - 1);
    // Drawn 2 m out, corners cut by tangents at most 22.5° apart; a loop round parts' hull: 2 offsets.
    const hull = pattern.notes?.some((n) => n.includes('hull'));
    const limitM = hull ? 2 * perimeterOffsetM : (perimeterOffsetM + 2) / Math.cos(Math.PI / 8);
    expect(Math.max(...distances)).toBeLessThanOrEqual(limitM + 1);
  });

  it.each(SHAPES)('%s: every waypoint looks at the site, pitched down toward it', (name) => {
    const { site } = loadShape(name);
    const pattern = buildSitePattern(site, settings, []);
    const view = new MetricView(site.geometry);
    const sitePolys = view.polygons(site.geometry);
    for (const wp of pattern.waypoints) {
      expect(wp.roi).toBeTruthy();
      const roi = view.xy(wp.roi?.latDeg ?? 0, wp.roi?.lonDeg ?? 0);
      expect(distanceToAreaM(roi, sitePolys)).toBeLessThanOrEqual(0.01);
      const at = view.xy(wp.latDeg, wp.lonDeg);
      const horizontalM = Math.hypot(roi.x - at.x, roi.y - at.y);
      const expectedDeg = (-Math.atan2(wp.altRelM, horizontalM) * 180) / Math.PI;
      expect(wp.gimbalPitchDeg).toBeCloseTo(expectedDeg, 2);
      expect(wp.gimbalPitchDeg).toBeLessThan(0);
      expect(wp.altRelM).toBeLessThanOrEqual(settings.maxAltitudeAglM);
    }
  });

  it.each(SHAPES)('%s: short legs, few waypoints, a time that covers the flight', (name) => {
    const { site } = loadShape(name);
    const pattern = buildSitePattern(site, settings, []);
    const path = new MetricView(site.geometry).path(pattern.waypoints);
    const long = path.filter(
      (p, i) => i > 0 && Math.hypot(p.x - path[i - 1].x, p.y - path[i - 1].y) > MAX_LEG_M + 1e-6,
    );
    // Only the hop between two separate loops is longer.
    expect(long.length).toBe(pattern.closed ? 0 : 1);
    expect(pattern.waypoints.length).toBeLessThanOrEqual(pattern.lengthM / (MAX_LEG_M / 2) + 16);
    expect(pattern.timeS).toBeGreaterThan(pattern.lengthM / settings.cruiseSpeedMs);
    expect(pattern.reversible).toBe(true);
  });
});

describe('perimeter loops', () => {
  const settings = planSettings({ patternOverride: 'perimeter' });

  it('a single site is one closed loop', () => {
    const { site } = loadShape('l-shape');
    const pattern = buildSitePattern(site, settings, []);
    const wps = pattern.waypoints;
    expect(pattern.closed).toBe(true);
    expect(wps[wps.length - 1].latDeg).toBe(wps[0].latDeg);
    expect(wps[wps.length - 1].lonDeg).toBe(wps[0].lonDeg);
  });

  it('two parts closer than twice the offset share one loop', () => {
    const { site } = loadShape('two-parts');
    expect(buildSitePattern(site, settings, []).closed).toBe(true);
  });

  it('two far parts get a loop each, both flown', () => {
    const { site } = loadShape('far-parts');
    const pattern = buildSitePattern(site, settings, []);
    expect(pattern.closed).toBe(false);
    const view = new MetricView(site.geometry);
    const [a, b] = view.polygons(site.geometry);
    const path = view.path(pattern.waypoints);
    for (const part of [a, b]) {
      const near = path.filter((p) => distanceToAreaM(p, [part]) <= settings.perimeterOffsetM + 5);
      expect(near.length).toBeGreaterThan(4);
    }
  });

  it('parts a little more than twice the offset apart are circled as one when that is faster', () => {
    const { site } = loadShape('two-parts');
    // At a 12 m offset the 30 m gap keeps the parts apart; one loop round the hull beats two loops and a hop.
    const pattern = buildSitePattern(
      site,
      planSettings({ patternOverride: 'perimeter', perimeterOffsetM: 12 }),
      [],
    );
    expect(pattern.closed).toBe(true);
    expect(pattern.notes?.join(' ')).toContain('hull');
  });

  it('refuses an offset of zero', () => {
    const { site } = loadShape('convex');
    expect(() =>
      buildSitePattern(site, planSettings({ patternOverride: 'perimeter', perimeterOffsetM: 0 }), []),
    ).toThrow(/perimeter offset 0 m/);
  });
});
