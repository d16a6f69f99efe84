import { describe, expect, it } from 'vitest';
import {
  centreWithin,
  closestPointOnSegment,
  convexHull,
  densify,
  distanceM,
  pointInPolygon,
  type Ring,
  segmentClear,
  shortestClearPath,
  signedAreaM2,
  simplifyRing,
  subtractPolygons,
  unionPolygons,
} from '../../src/geo/index.js';
import { outerBoundaries } from '../../src/geo/outer-boundary.js';
import { randomStar, rect, seeded } from './shapes.js';

describe('simplifyRing', () => {
  const random = seeded(3);
  it('keeps every dropped vertex within the tolerance and the result within it of the input', () => {
    for (let k = 0; k < 15; k++) {
      const ring = densify([...randomStar(random, 12, 50, 150)], 7);
      const simple = simplifyRing(ring, 2);
      expect(simple.length).toBeLessThan(ring.length);
      const near = (p: Ring[0], r: Ring) =>
        Math.min(...r.map((a, i) => distanceM(p, closestPointOnSegment(p, a, r[(i + 1) % r.length]))));
      for (const p of ring) expect(near(p, simple)).toBeLessThanOrEqual(2 + 1e-9);
      for (const p of densify([...simple, simple[0]], 2)) expect(near(p, ring)).toBeLessThanOrEqual(2 + 1e-9);
    }
  });
});

describe('outerBoundaries', () => {
  it('traces a figure eight as its two lobes joined at the crossing', () => {
    const eight = [
      { x: 0, y: 0 },
      { x: 10, y: 10 },
      { x: 10, y: 0 },
      { x: 0, y: 10 },
    ];
    const rings = outerBoundaries([eight]);
    expect(rings).toHaveLength(1);
    expect(signedAreaM2(rings?.[0] ?? [])).toBeCloseTo(50, 9);
  });

  it('gives overlapping squares one ring of their union, separate squares one each', () => {
    const union = outerBoundaries([rect(0, 0, 10, 10), rect(5, 5, 15, 15)]);
    expect(union?.map(signedAreaM2)).toEqual([175]);
    const apart = outerBoundaries([rect(0, 0, 10, 10), rect(20, 0, 30, 10)]);
    expect(apart?.map(signedAreaM2)).toEqual([100, 100]);
  });

  it('drops a curve that lies inside another', () => {
    expect(outerBoundaries([rect(0, 0, 10, 10), rect(2, 2, 4, 4)])?.map(signedAreaM2)).toEqual([100]);
  });
});

describe('boolean operations on metric polygons', () => {
  it('subtracts and unites with holes oriented clockwise', () => {
    const [donut] = subtractPolygons(
      [{ outer: rect(0, 0, 10, 10), holes: [] }],
      [{ outer: rect(4, 4, 6, 6), holes: [] }],
    );
    expect(signedAreaM2(donut.outer)).toBeCloseTo(100, 9);
    expect(donut.holes.map(signedAreaM2)).toEqual([-4]);
    expect(unionPolygons([{ outer: rect(0, 0, 10, 10), holes: [] }])).toHaveLength(1);
  });
});

describe('clear paths', () => {
  const block = { outer: rect(0, 0, 10, 10), holes: [] };

  it('tells a segment through a polygon from one past it', () => {
    expect(segmentClear({ x: -5, y: 5 }, { x: 15, y: 5 }, [block])).toBe(false);
    expect(segmentClear({ x: -5, y: -1 }, { x: 15, y: -1 }, [block])).toBe(true);
    expect(segmentClear({ x: -5, y: 5 }, { x: -1, y: 20 }, [block])).toBe(true);
    // Corner to corner: both ends on the boundary, the middle inside.
    expect(segmentClear({ x: 0, y: 0 }, { x: 10, y: 10 }, [block])).toBe(false);
  });

  it('goes round an obstacle by the shorter side, through its corners', () => {
    const corners = rect(-1, -1, 11, 12);
    const path = shortestClearPath({ x: -5, y: 5 }, { x: 15, y: 5 }, [block], corners);
    expect(path).not.toBeNull();
    const full = [{ x: -5, y: 5 }, ...(path ?? [])];
    const lengthM = full.slice(1).reduce((s, p, i) => s + distanceM(full[i], p), 0);
    expect(lengthM).toBeCloseTo(2 * Math.hypot(4, 6) + 12, 9);
    for (let i = 1; i < full.length; i++) expect(segmentClear(full[i - 1], full[i], [block])).toBe(true);
  });

  it('says when there is no way through', () => {
    expect(shortestClearPath({ x: 5, y: 5 }, { x: 15, y: 5 }, [block], [])).toBeNull();
  });
});

describe('small helpers', () => {
  it('convexHull is counter-clockwise and holds every point', () => {
    const random = seeded(11);
    const points = Array.from({ length: 50 }, () => ({ x: random() * 100, y: random() * 100 }));
    const hull = convexHull(points);
    expect(signedAreaM2(hull)).toBeGreaterThan(0);
    for (const p of points) {
      const inside = hull.every((a, i) => {
        const b = hull[(i + 1) % hull.length];
        return (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x) >= -1e-9;
      });
      expect(inside).toBe(true);
    }
  });

  it('centreWithin falls back to the boundary when the centroid is outside (a U)', () => {
    const u = [
      { x: 0, y: 0 },
      { x: 90, y: 0 },
      { x: 90, y: 90 },
      { x: 60, y: 90 },
      { x: 60, y: 10 },
      { x: 30, y: 10 },
      { x: 30, y: 90 },
      { x: 0, y: 90 },
    ];
    // The centroid (45, 42.9) lies in the notch, 15 m from either wall.
    const c = centreWithin([{ outer: u, holes: [] }]);
    expect(pointInPolygon({ x: 45, y: 42.9 }, { outer: u, holes: [] })).toBe(false);
    expect([30, 60]).toContain(c.x);
    expect(c.y).toBeCloseTo(244_500 / 5_700, 9);
  });
});
