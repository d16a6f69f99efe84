import { describe, expect, it } from 'vitest';
import { buildSitePattern } from '../../../src/plan/patterns/index.js';
import { planSettings } from '../../../src/plan/settings.js';
import { distanceToAreaM, loadShape, MetricView } from './shapes.js';

describe.each(['convex', 'u-shape', 'holed', 'far-parts'])('point watch of %s', (name) => {
  const settings = planSettings({ patternOverride: 'point', pointWatchHoldS: 45 });
  const { site } = loadShape(name);
  const pattern = buildSitePattern(site, settings, []);
  const view = new MetricView(site.geometry);
  const sitePolys = view.polygons(site.geometry);
  const [wp] = pattern.waypoints;

  it('is one hover for the hold time', () => {
    expect(pattern.waypoints).toHaveLength(1);
    expect(wp.holdS).toBe(45);
    expect(pattern.timeS).toBe(45);
    expect(pattern.lengthM).toBe(0);
  });

  it('looks at a point of the site, pitched down at it', () => {
    const roi = view.xy(wp.roi?.latDeg ?? 0, wp.roi?.lonDeg ?? 0);
    expect(distanceToAreaM(roi, sitePolys)).toBeLessThanOrEqual(0.01);
    const at = view.xy(wp.latDeg, wp.lonDeg);
    const expectedDeg = (-Math.atan2(wp.altRelM, Math.hypot(roi.x - at.x, roi.y - at.y)) * 180) / Math.PI;
    expect(wp.gimbalPitchDeg).toBeCloseTo(expectedDeg, 2);
    expect(wp.altRelM).toBeLessThanOrEqual(settings.maxAltitudeAglM);
  });

  it('hovers south of the site, at least the offset from it', () => {
    const at = view.xy(wp.latDeg, wp.lonDeg);
    expect(distanceToAreaM(at, sitePolys)).toBeGreaterThanOrEqual(settings.perimeterOffsetM - 1e-6);
    const southM = Math.min(...sitePolys.flatMap((rings) => rings[0].map(([, y]) => y)));
    expect(at.y).toBeCloseTo(southM - settings.perimeterOffsetM, 6);
  });
});
