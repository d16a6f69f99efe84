/** Deterministic hashing and value noise on a world grid: the same texture wherever it is asked for. */

/** A hash of two integers and a seed to [0, 1). */
export function hash2(ix: number, iy: number, seed: number): number {
  let h = Math.imul(ix | 0, 0x27d4eb2d) ^ Math.imul(iy | 0, 0x165667b1) ^ Math.imul(seed | 0, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** A string's 31-bit hash (FNV-1a), to seed per-plume streams from ids. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0) & 0x7fffffff;
}

/** Value noise in [0, 1] at (x, y) in lattice units, smoothstep-interpolated. */
export function valueNoise(x: number, y: number, seed: number): number {
  const ix = Math.floor(x);
  const iy = Math.floor(y);
  let fx = x - ix;
  let fy = y - iy;
  fx = fx * fx * (3 - 2 * fx);
  fy = fy * fy * (3 - 2 * fy);
  const a = hash2(ix, iy, seed);
  const b = hash2(ix + 1, iy, seed);
  const c = hash2(ix, iy + 1, seed);
  const d = hash2(ix + 1, iy + 1, seed);
  const top = a + (b - a) * fx;
  const bottom = c + (d - c) * fx;
  return top + (bottom - top) * fy;
}

/**
 * Multi-octave value noise in [0, 1] with its cell size in metres halving per octave, stretched as
 * scripts/dust/synth.py stretches its fractal noise. Octaves finer than `minCellM` fade out (they would
 * only alias at a coarse texture level).
 */
export function fractalNoise(
  x: number,
  y: number,
  cellM: number,
  octaves: number,
  seed: number,
  minCellM = 0,
): number {
  let total = 0;
  let amplitude = 1;
  let sum = 0;
  let cell = cellM;
  for (let o = 0; o < octaves; o++) {
    const fade = cell >= 2 * minCellM ? 1 : cell <= minCellM ? 0 : cell / minCellM - 1;
    const value = fade > 0 ? valueNoise(x / cell, y / cell, seed + o * 1013) : 0.5;
    total += amplitude * (value * fade + 0.5 * (1 - fade));
    sum += amplitude;
    amplitude *= 0.5;
    cell /= 2;
  }
  const v = (total / sum - 0.5) * 2.2 + 0.5;
  return v < 0 ? 0 : Math.min(v, 1);
}

/** A seeded stream of [0, 1) numbers (mulberry32) with the helpers the painters use. */
export class Rng {
  private a: number;

  constructor(seed: number) {
    this.a = seed >>> 0;
  }

  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  int(lo: number, hiExclusive: number): number {
    return lo + Math.floor(this.next() * (hiExclusive - lo));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  gaussian(): number {
    const u = Math.max(this.next(), Number.EPSILON);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
}
