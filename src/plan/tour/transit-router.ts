import { type Airspace, FREE_SPACE, type PointClass } from './airspace.js';
import { dist } from './planar.js';

interface CornerRow {
  /** Corners in a straight, clear line from the point that a path from it can bend round. */
  visible: number[];
  /** Shortest free path from the point to each corner, and the first corner on it. */
  toCorner: Float64Array;
  via: Int32Array;
}

/**
 * Shortest transit legs between points of one plan: straight where clear, else around no-fly zones
 * and along the operating area's edge through the airspace's corners. Points are registered once
 * and named by id, so that their classification and corner visibility are computed once.
 */
export class TransitRouter {
  private readonly xs: number[] = [];
  private readonly ys: number[] = [];
  private readonly classes: PointClass[] = [];
  private readonly rows = new Map<number, CornerRow>();
  /** Detour lengths by the lower point id, then the higher. */
  private readonly detours: Map<number, number>[] = [];

  constructor(readonly airspace: Airspace) {}

  addPoint(x: number, y: number): number {
    this.xs.push(x);
    this.ys.push(y);
    this.classes.push(this.airspace.classify(x, y));
    return this.xs.length - 1;
  }

  x(id: number): number {
    return this.xs[id];
  }

  y(id: number): number {
    return this.ys[id];
  }

  pointClass(id: number): PointClass {
    return this.classes[id];
  }

  isStraight(a: number, b: number): boolean {
    const { xs, ys, classes } = this;
    return this.airspace.isClear(xs[a], ys[a], classes[a], xs[b], ys[b], classes[b]);
  }

  /** Length of the shortest free transit from a to b, metres; Infinity when there is none. */
  distanceM(a: number, b: number): number {
    if (a === b) return 0;
    const { xs, ys } = this;
    if (this.isStraight(a, b)) return dist(xs[a], ys[a], xs[b], ys[b]);
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    this.detours[lo] ??= new Map();
    let d = this.detours[lo].get(hi);
    if (d === undefined) {
      d = this.detour(a, b).lengthM;
      this.detours[lo].set(hi, d);
    }
    return d;
  }

  /** The corners, as [x0, y0, x1, y1, …], a transit from a to b turns at; empty when straight. */
  cornersBetween(a: number, b: number): number[] {
    if (a === b || this.isStraight(a, b)) return [];
    const { last } = this.detour(a, b);
    if (last < 0) return [];
    const { cornerX, cornerY, next, cornerCount: n } = this.airspace;
    const out: number[] = [];
    let c = this.row(a).via[last];
    out.push(cornerX[c], cornerY[c]);
    while (c !== last) {
      c = next[c * n + last];
      out.push(cornerX[c], cornerY[c]);
    }
    return out;
  }

  private detour(a: number, b: number): { lengthM: number; last: number } {
    const from = this.row(a);
    const to = this.row(b);
    const { cornerX, cornerY } = this.airspace;
    let lengthM = Infinity;
    let last = -1;
    for (const v of to.visible) {
      const d = from.toCorner[v] + dist(cornerX[v], cornerY[v], this.xs[b], this.ys[b]);
      if (d < lengthM) {
        lengthM = d;
        last = v;
      }
    }
    return { lengthM, last };
  }

  private row(p: number): CornerRow {
    let row = this.rows.get(p);
    if (row) return row;
    const { cornerX, cornerY, cornerCount: n, between } = this.airspace;
    const px = this.xs[p];
    const py = this.ys[p];
    const cls = this.classes[p];
    const visible: number[] = [];
    const direct: number[] = [];
    for (let c = 0; c < n; c++) {
      if (!this.airspace.isTangent(c, px, py)) continue;
      if (!this.airspace.isClear(px, py, cls, cornerX[c], cornerY[c], FREE_SPACE)) continue;
      visible.push(c);
      direct.push(dist(px, py, cornerX[c], cornerY[c]));
    }
    const toCorner = new Float64Array(n).fill(Infinity);
    const via = new Int32Array(n).fill(-1);
    visible.forEach((u, k) => {
      for (let v = 0; v < n; v++) {
        const d = direct[k] + between[u * n + v];
        if (d < toCorner[v]) {
          toCorner[v] = d;
          via[v] = u;
        }
      }
    });
    row = { visible, toCorner, via };
    this.rows.set(p, row);
    return row;
  }
}
