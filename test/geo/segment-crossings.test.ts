import { describe, expect, it } from 'vitest';
import { firstRingContact } from '../../src/geo/segment-crossings.js';
import { seededRandom } from '../../src/random.js';

type Pt = [number, number];

/** A closed circle of `n` points: a big valid ring. */
function circle(n: number, radius = 0.01): Pt[] {
  const ring: Pt[] = [];
  for (let k = 0; k < n; k++) {
    const a = (2 * Math.PI * k) / n;
    ring.push([113.6 + radius * Math.cos(a), 34.7 + radius * Math.sin(a)]);
  }
  ring.push(ring[0]);
  return ring;
}

/** Every pair of edges, the way the sweep replaces: whether any two edges meet where they may not. */
function bruteForceMeets(rings: Pt[][]): boolean {
  const edges: { ring: number; k: number; n: number; p: Pt; q: Pt }[] = [];
  rings.forEach((raw, r) => {
    const pts = raw.filter((p, i) => i === 0 || p[0] !== raw[i - 1][0] || p[1] !== raw[i - 1][1]);
    while (pts.length > 1 && pts[0][0] === pts.at(-1)?.[0] && pts[0][1] === pts.at(-1)?.[1]) pts.pop();
    pts.forEach((p, k) => {
      edges.push({ ring: r, k, n: pts.length, p, q: pts[(k + 1) % pts.length] });
    });
  });
  const cross = (a: Pt, b: Pt, c: Pt) =>
    Math.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]));
  const on = (a: Pt, b: Pt, c: Pt) =>
    cross(a, b, c) === 0 &&
    Math.min(a[0], b[0]) <= c[0] &&
    c[0] <= Math.max(a[0], b[0]) &&
    Math.min(a[1], b[1]) <= c[1] &&
    c[1] <= Math.max(a[1], b[1]);
  for (let i = 0; i < edges.length; i++) {
    for (let j = i + 1; j < edges.length; j++) {
      const s = edges[i];
      const t = edges[j];
      const adjacent = s.ring === t.ring && (j - i === 1 || j - i === s.n - 1);
      if (adjacent) {
        // They share one point; they overlap when the far ends fold back onto each other's line.
        const shared = s.q === t.p ? s.q : s.p;
        const a = s.q === t.p ? s.p : s.q;
        const b = s.q === t.p ? t.q : t.p;
        const dot = (a[0] - shared[0]) * (b[0] - shared[0]) + (a[1] - shared[1]) * (b[1] - shared[1]);
        if (cross(shared, a, b) === 0 && dot > 0) return true;
        continue;
      }
      const d1 = cross(s.p, s.q, t.p);
      const d2 = cross(s.p, s.q, t.q);
      const d3 = cross(t.p, t.q, s.p);
      const d4 = cross(t.p, t.q, s.q);
      if (d1 * d2 < 0 && d3 * d4 < 0) return true;
      if (on(s.p, s.q, t.p) || on(s.p, s.q, t.q) || on(t.p, t.q, s.p) || on(t.p, t.q, s.q)) return true;
    }
  }
  return false;
}

describe('firstRingContact: where rings meet that should not', () => {
  it('finds a crossing where it is, naming both edges', () => {
    // A bow tie: edge 0 (0,0)→(2,2) crosses edge 2 (2,0)→(0,2) at (1,1).
    const contact = firstRingContact([
      [
        [0, 0],
        [2, 2],
        [2, 0],
        [0, 2],
        [0, 0],
      ],
    ]);
    expect(contact).toEqual({ kind: 'crossing', ringA: 0, edgeA: 0, ringB: 0, edgeB: 2, at: [1, 1] });
  });

  it('accepts a big valid ring and does not report neighbours sharing their point', () => {
    expect(firstRingContact([circle(200_000)])).toBeNull();
    expect(firstRingContact([circle(3)])).toBeNull();
  });

  it('reports collinear overlaps: a spike that doubles back, and two edges along one line', () => {
    const spike = firstRingContact([
      [
        [0, 0],
        [4, 0],
        [2, 0],
        [2, 2],
        [0, 0],
      ],
    ]);
    expect(spike?.kind).toBe('overlap');
    const alongOneLine = firstRingContact([
      [
        [0, 0],
        [3, 0],
        [3, 1],
        [2, 1],
        [2, 0],
        [1, 0],
        [1, -1],
        [0, -1],
        [0, 0],
      ],
    ]);
    expect(alongOneLine?.at).toEqual([1, 0]);
  });

  it('reports a ring touching itself at a point and a hole touching its outer ring', () => {
    const pinched = firstRingContact([
      [
        [0, 0],
        [4, 0],
        [2, 2],
        [4, 4],
        [0, 4],
        [2, 2],
        [0, 0],
      ],
    ]);
    expect(pinched?.at).toEqual([2, 2]);
    const touchingHole = firstRingContact([
      [
        [0, 0],
        [4, 0],
        [4, 4],
        [0, 4],
        [0, 0],
      ],
      [
        [0, 2],
        [2, 3],
        [2, 1],
        [0, 2],
      ],
    ]);
    expect(touchingHole).toMatchObject({ ringA: 0, ringB: 1, at: [0, 2] });
  });

  it('agrees with a check of every pair on small random rings full of ties (lattice points)', () => {
    const random = seededRandom(13);
    let meeting = 0;
    for (let trial = 0; trial < 3000; trial++) {
      const size = 3 + Math.floor(random() * 6);
      const rings: Pt[][] = [];
      for (let r = 0; r < 1 + Math.floor(random() * 2); r++) {
        const ring: Pt[] = Array.from({ length: size }, () => [
          Math.floor(random() * 5),
          Math.floor(random() * 5),
        ]);
        ring.push(ring[0]);
        rings.push(ring);
      }
      const expected = bruteForceMeets(rings);
      if (expected) meeting++;
      expect(firstRingContact(rings) !== null, JSON.stringify(rings)).toBe(expected);
    }
    // Both answers were exercised.
    expect(meeting).toBeGreaterThan(300);
    expect(meeting).toBeLessThan(2700);
  });
});
