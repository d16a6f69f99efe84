import type { Ring, Vec2 } from '../../../geo/index.js';

/** Axes turned so that transects run along +x: x along the sweep heading, y to its left. */
export class SweepFrame {
  private readonly ux: number;
  private readonly uy: number;

  /** headingRad: compass direction of the transects, clockwise from north. */
  constructor(readonly headingRad: number) {
    this.ux = Math.sin(headingRad);
    this.uy = Math.cos(headingRad);
  }

  toSweep(p: Vec2): Vec2 {
    return { x: p.x * this.ux + p.y * this.uy, y: p.y * this.ux - p.x * this.uy };
  }

  fromSweep(q: Vec2): Vec2 {
    return { x: q.x * this.ux - q.y * this.uy, y: q.x * this.uy + q.y * this.ux };
  }

  ringToSweep(ring: Ring): Ring {
    return ring.map((p) => this.toSweep(p));
  }
}
