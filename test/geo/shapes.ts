import type { Ring } from '../../src/geo/index.js';
import { seededRandom as seeded } from '../../src/random.js';

export { seeded };

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
