import type { Ring } from '../../src/geo/index.js';

/** A small seeded generator (mulberry32), so property tests are repeatable. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A counter-clockwise star-shaped polygon: n vertices at random radii in [minM, maxM], often concave. */
export function randomStar(random: () => number, n: number, minM: number, maxM: number): Ring {
  return Array.from({ length: n }, (_, i) => {
    const a = ((i + 0.2 + 0.6 * random()) / n) * 2 * Math.PI;
    const r = minM + (maxM - minM) * random();
    return { x: r * Math.cos(a), y: r * Math.sin(a) };
  });
}

export function rect(x0: number, y0: number, x1: number, y1: number): Ring {
  return [
    { x: x0, y: y0 },
    { x: x1, y: y0 },
    { x: x1, y: y1 },
    { x: x0, y: y1 },
  ];
}
