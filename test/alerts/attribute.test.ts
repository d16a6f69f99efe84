import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_RULES, SiteLocator } from '../../src/alerts/index.js';
import { offset, S1_CENTRE, smallSites } from './sightings.js';

const MAX_M = DEFAULT_ALERT_RULES.nearestSiteMaxM;
let locator: SiteLocator;
beforeAll(async () => {
  locator = new SiteLocator(await smallSites());
});

describe('site attribution', () => {
  it('gives the site whose polygon contains the point, at distance 0', () => {
    const a = locator.attribute(S1_CENTRE.latDeg, S1_CENTRE.lonDeg, MAX_M);
    expect(a.site?.id).toBe('S-1');
    expect(a.site?.contractor).toBe('Acme Build');
    expect(a.distanceM).toBe(0);
  });

  it('finds a point in either part of a multipolygon site', () => {
    const a = locator.attribute(34.732, 113.6235, MAX_M);
    expect(a.site?.id).toBe('S-4');
    expect(a.distanceM).toBe(0);
  });

  it('gives the nearest site within the distance, with that distance', () => {
    // S-1's east edge is lon 113.621093; 20 m east of it (S-2 is some 80 m further).
    const p = offset({ latDeg: 34.7303, lonDeg: 113.621093 }, 0, 20);
    const a = locator.attribute(p.latDeg, p.lonDeg, MAX_M);
    expect(a.site?.id).toBe('S-1');
    expect(a.distanceM).toBeCloseTo(20, 0);
  });

  it('treats a hole as outside its site: the hole edge is the distance', () => {
    // The middle of S-3's courtyard hole, about 20 m from its edges.
    const a = locator.attribute(34.7322458, 113.6206558, MAX_M);
    expect(a.site?.id).toBe('S-3');
    expect(a.distanceM).toBeGreaterThan(15);
    expect(a.distanceM).toBeLessThan(25);
  });

  it('gives no site beyond the distance', () => {
    const p = offset({ latDeg: 34.73, lonDeg: 113.6205 }, -60, 0); // 60 m south of S-1
    expect(locator.attribute(p.latDeg, p.lonDeg, MAX_M)).toEqual({ site: null, distanceM: null });
    const q = locator.attribute(p.latDeg, p.lonDeg, 70);
    expect(q.site?.id).toBe('S-1');
    expect(q.distanceM).toBeCloseTo(60, 0);
  });
});
