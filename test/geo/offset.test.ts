import { describe, expect, it } from 'vitest';
import {
  closestPointOnRings,
  distanceM,
  offsetOutward,
  pointInRing,
  type Ring,
  signedAreaM2,
} from '../../src/geo/index.js';
import { randomStar, rect, seeded } from './shapes.js';

/** Tangent pieces at most 45° apart reach out to d / cos(22.5°) at their corners. */
const CORNER_FACTOR = 1 / Math.cos(Math.PI / 8);

function edgesCross(ring: Ring): boolean {
  const n = ring.length;
  const cross = (o: Ring[0], a: Ring[0], b: Ring[0]) => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
  for (let i = 0; i < n; i++) {
    for (let j = i + 2; j < n; j++) {
      if (i === 0 && j === n - 1) continue;
      const [a, b, c, d] = [ring[i], ring[(i + 1) % n], ring[j], ring[(j + 1) % n]];
      if (cross(a, b, c) * cross(a, b, d) < 0 && cross(c, d, a) * cross(c, d, b) < 0) return true;
    }
  }
  return false;
}

function samples(ring: Ring, stepM: number): Ring {
  return ring.flatMap((a, i) => {
    const b = ring[(i + 1) % ring.length];
    const n = Math.max(1, Math.ceil(distanceM(a, b) / stepM));
    return Array.from({ length: n }, (_, k) => ({
      x: a.x + ((b.x - a.x) * k) / n,
      y: a.y + ((b.y - a.y) * k) / n,
    }));
  });
}

describe('offsetOutward', () => {
  const random = seeded(7);
  const polygons = Array.from({ length: 40 }, () =>
    randomStar(random, 5 + Math.floor(random() * 12), 40, 200),
  );

  it.each([5, 30, 80])('keeps between d and d / cos 22.5° from random concave polygons (d = %i m)', (d) => {
    for (const polygon of polygons) {
      const rings = offsetOutward([polygon], d);
      expect(rings).toHaveLength(1);
      const [ring] = rings;
      expect(signedAreaM2(ring)).toBeGreaterThan(signedAreaM2(polygon));
      expect(edgesCross(ring)).toBe(false);
      for (const p of polygon) expect(pointInRing(p, ring)).toBe(true);
      for (const p of samples(ring, 5)) {
        const dM = distanceM(p, closestPointOnRings(p, [polygon]));
        expect(dM).toBeGreaterThanOrEqual(d - 1e-6);
        expect(dM).toBeLessThanOrEqual(d * CORNER_FACTOR + 1e-6);
      }
    }
  });

  it('closes a notch narrower than twice the offset', () => {
    const u = [
      { x: 0, y: 0 },
      { x: 130, y: 0 },
      { x: 130, y: 100 },
      { x: 70, y: 100 },
      { x: 70, y: 20 },
      { x: 60, y: 20 },
      { x: 60, y: 100 },
      { x: 0, y: 100 },
    ];
    const [ring] = offsetOutward([u], 30);
    expect(pointInRing({ x: 65, y: 60 }, ring)).toBe(true);
    // The top runs straight at the offset, corner pieces included.
    expect(Math.max(...ring.map((p) => p.y))).toBeCloseTo(130, 6);
  });

  it('merges parts closer than twice the offset and keeps far ones apart', () => {
    expect(offsetOutward([rect(0, 0, 100, 80), rect(130, 0, 200, 90)], 30)).toHaveLength(1);
    expect(offsetOutward([rect(0, 0, 100, 80), rect(130, 0, 200, 90)], 10)).toHaveLength(2);
    expect(
      offsetOutward([rect(0, 0, 100, 80), rect(600, 0, 700, 90), rect(130, 0, 200, 90)], 30),
    ).toHaveLength(2);
  });

  it('gives a convex ring 2 pieces per right-angled corner', () => {
    const [ring] = offsetOutward([rect(0, 0, 100, 50)], 10);
    expect(ring).toHaveLength(8);
    expect(signedAreaM2(ring)).toBeGreaterThan(0);
  });
});
