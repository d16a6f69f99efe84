import { booleanPointInPolygon, point } from '@turf/turf';
import { describe, expect, it } from 'vitest';
import {
  buildCoveragePattern,
  buildSitePattern,
  swathWidthM,
  TURNAROUND_M,
} from '../../../src/plan/patterns/index.js';
import { planSettings } from '../../../src/plan/settings.js';
import { transects, uncoveredPct } from './footprint.js';
import { distanceToAreaM, loadShape, MetricView } from './shapes.js';

const SHAPES = ['convex', 'l-shape', 'u-shape', 'comb', 'holed', 'two-parts', 'far-parts'];
/** The default height (swath ~100 m) and a low one (swath ~42 m, many transects). */
const ALTITUDES_M = [60, 25];

describe.each(ALTITUDES_M)('coverage at %i m', (altitudeRelM) => {
  const settings = planSettings({ altitudeRelM, patternOverride: 'coverage' });
  const swathM = swathWidthM(altitudeRelM, settings.cameraHfovDeg);

  it.each(SHAPES)('%s: at most 1 %% of the site lies outside every camera footprint', (name) => {
    const { site } = loadShape(name);
    const pattern = buildSitePattern(site, settings, []);
    const view = new MetricView(site.geometry);
    expect(pattern.kind).toBe('coverage');
    expect(uncoveredPct(pattern, view, site.geometry, swathM)).toBeLessThanOrEqual(1);
  });

  it.each(SHAPES)(
    '%s: flies level at the pattern altitude, within the limit, camera down from either end',
    (name) => {
      const { site } = loadShape(name);
      const pattern = buildSitePattern(site, settings, []);
      for (const wp of pattern.waypoints) {
        expect(wp.altRelM).toBe(altitudeRelM);
        expect(wp.altRelM).toBeLessThanOrEqual(settings.maxAltitudeAglM);
        expect(wp.role).toBe('pattern');
        expect(wp.siteId).toBe(site.id);
      }
      for (const end of [pattern.waypoints[0], pattern.waypoints[pattern.waypoints.length - 1]]) {
        expect(end.gimbalPitchDeg).toBe(-90);
        expect(end.roi).toBeNull();
      }
    },
  );

  it.each(SHAPES)('%s: length and time match the waypoints', (name) => {
    const { site } = loadShape(name);
    const pattern = buildSitePattern(site, settings, []);
    const path = new MetricView(site.geometry).path(pattern.waypoints);
    const lengthM = path.slice(1).reduce((s, p, i) => s + Math.hypot(p.x - path[i].x, p.y - path[i].y), 0);
    expect(pattern.lengthM).toBeCloseTo(lengthM, 0);
    // Turns cost time on top of the straight legs.
    expect(pattern.timeS).toBeGreaterThan(pattern.lengthM / settings.cruiseSpeedMs);
    expect(pattern.reversible).toBe(true);
  });

  it.each(SHAPES)('%s: transects turn around outside the site', (name) => {
    const { site } = loadShape(name);
    const pattern = buildSitePattern(site, settings, []);
    const view = new MetricView(site.geometry);
    const sitePolys = view.polygons(site.geometry);
    const ends = transects(pattern, view).flat();
    expect(ends.length).toBeGreaterThan(0);
    for (const end of ends) expect(distanceToAreaM(end, sitePolys)).toBeGreaterThan(0);
  });

  it.each(SHAPES)('%s: the chosen sweep is no slower than sweeping at 0°, 45° or 90°', (name) => {
    const { site } = loadShape(name);
    const chosen = buildSitePattern(site, settings, []);
    for (const headingDeg of [0, 45, 90]) {
      const fixed = buildCoveragePattern(site, settings, [], headingDeg);
      expect(chosen.timeS).toBeLessThanOrEqual(fixed.timeS + 1e-9);
    }
  });
});

describe('coverage edges', () => {
  it('places the outer transects half a spacing in and adds the last one (a 300 m wide rectangle)', () => {
    // Spacing 80.6 m: 300 m needs 4 transects (3 would leave 58 m at one edge).
    const { site } = loadShape('holed');
    const settings = planSettings({ patternOverride: 'coverage' });
    // The holed fixture's outer ring is a 400 × 300 m rectangle whose long side runs at 60° (compass).
    const pattern = buildCoveragePattern(site, settings, [], 60);
    const view = new MetricView(site.geometry);
    expect(transects(pattern, view)).toHaveLength(4);
    const outer = view.polygons(site.geometry)[0][0];
    const headingRad = (60 * Math.PI) / 180;
    const across = (p: { x: number; y: number }) => p.x * Math.cos(headingRad) - p.y * Math.sin(headingRad);
    const edges = outer.map(([x, y]) => across({ x, y }));
    const [lo, hi] = [Math.min(...edges), Math.max(...edges)];
    const offsets = transects(pattern, view)
      .map(([a]) => across(a))
      .sort((a, b) => a - b);
    expect(offsets[0] - lo).toBeCloseTo((hi - lo) / 8, 0);
    expect(hi - offsets[3]).toBeCloseTo((hi - lo) / 8, 0);
  });

  it('reaches turnaroundM past the site on a rectangle swept along its side', () => {
    const { site } = loadShape('holed');
    const pattern = buildCoveragePattern(site, planSettings(), [], 60);
    const view = new MetricView(site.geometry);
    const sitePolys = view.polygons(site.geometry);
    for (const end of transects(pattern, view).flat()) {
      expect(distanceToAreaM(end, sitePolys)).toBeCloseTo(TURNAROUND_M, 3);
    }
  });

  it('flies over holes rather than around them when nothing there is no-fly', () => {
    const { site } = loadShape('holed');
    const pattern = buildSitePattern(
      site,
      planSettings({ patternOverride: 'coverage', altitudeRelM: 25 }),
      [],
    );
    const hole = site.geometry.type === 'Polygon' ? site.geometry.coordinates[1] : [];
    const overHole = pattern.waypoints.some((wp, i) => {
      const next = pattern.waypoints[i + 1];
      if (!next) return false;
      const mid = point([(wp.lonDeg + next.lonDeg) / 2, (wp.latDeg + next.latDeg) / 2]);
      return booleanPointInPolygon(mid, { type: 'Polygon', coordinates: [hole] });
    });
    expect(overHole).toBe(true);
  });

  it('refuses an altitude above the limit, naming both', () => {
    const { site } = loadShape('convex');
    expect(() =>
      buildSitePattern(site, planSettings({ altitudeRelM: 130, patternOverride: 'coverage' }), []),
    ).toThrow(/130 m .*120 m AGL/);
  });
});
