import type { Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import {
  buildSitePattern,
  choosePattern,
  PERIMETER_MAX_AREA_M2,
  POINT_WATCH_MAX_AREA_M2,
  patternForAreaM2,
} from '../../../src/plan/patterns/index.js';
import { planSettings } from '../../../src/plan/settings.js';
import type { PatternKind, Site } from '../../../src/sites/types.js';

/** A square site of the given area near Zhengzhou. */
function squareSite(areaM2: number, pattern: PatternKind | null = null): Site {
  const sideM = Math.sqrt(areaM2);
  const dLat = (sideM / 6_378_137) * (180 / Math.PI);
  const dLon = dLat / Math.cos((34.72 * Math.PI) / 180);
  const geometry: Polygon = {
    type: 'Polygon',
    coordinates: [
      [
        [113.63, 34.72],
        [113.63 + dLon, 34.72],
        [113.63 + dLon, 34.72 + dLat],
        [113.63, 34.72 + dLat],
        [113.63, 34.72],
      ],
    ],
  };
  return {
    id: `sq-${areaM2}`,
    name: 'square',
    contractor: null,
    address: null,
    riskLevel: null,
    pattern,
    geometry,
    properties: {},
    featureIndex: 0,
    source: 'test',
  };
}

describe('choosing a pattern', () => {
  it('goes by size: small sites a point, middling a perimeter, large a coverage', () => {
    const settings = planSettings();
    expect(choosePattern(squareSite(POINT_WATCH_MAX_AREA_M2 * 0.9), settings)).toBe('point');
    expect(choosePattern(squareSite(POINT_WATCH_MAX_AREA_M2 * 1.1), settings)).toBe('perimeter');
    expect(choosePattern(squareSite(PERIMETER_MAX_AREA_M2 * 0.9), settings)).toBe('perimeter');
    expect(choosePattern(squareSite(PERIMETER_MAX_AREA_M2 * 1.1), settings)).toBe('coverage');
  });

  it('the thresholds are 0.5 ha and 3 ha', () => {
    expect(patternForAreaM2(4_999)).toBe('point');
    expect(patternForAreaM2(5_000)).toBe('perimeter');
    expect(patternForAreaM2(29_999)).toBe('perimeter');
    expect(patternForAreaM2(30_000)).toBe('coverage');
  });

  it("the site's own pattern property beats the size rule", () => {
    expect(choosePattern(squareSite(1_000, 'coverage'), planSettings())).toBe('coverage');
  });

  it('the command line beats the site property', () => {
    expect(choosePattern(squareSite(1_000, 'coverage'), planSettings({ patternOverride: 'perimeter' }))).toBe(
      'perimeter',
    );
  });

  it.each([
    [2_000, 'point'],
    [20_000, 'perimeter'],
    [60_000, 'coverage'],
  ] as const)('buildSitePattern gives a %i m² square its %s pattern', (areaM2, kind) => {
    const pattern = buildSitePattern(squareSite(areaM2), planSettings(), []);
    expect(pattern.kind).toBe(kind);
    expect(pattern.siteId).toBe(`sq-${areaM2}`);
    expect(pattern.waypoints.length).toBeGreaterThan(0);
  });
});
