import type { Ring } from '../../../geo/index.js';

/** A polygon edge in the sweep frame, its lower end first. */
export interface Edge {
  ax: number;
  ay: number;
  bx: number;
  by: number;
}

/**
 * A stretch of the region between two sweep lines, given by its boundary edges: a boustrophedon
 * cell, or the whole region when transects may cross its gaps.
 */
export interface Band {
  yMinM: number;
  yMaxM: number;
  edges: Edge[];
}

export interface Extent {
  minXM: number;
  maxXM: number;
}

export function edgesOf(rings: readonly Ring[]): Edge[] {
  const edges: Edge[] = [];
  for (const ring of rings) {
    for (let i = 0; i < ring.length; i++) {
      const a = ring[i];
      const b = ring[(i + 1) % ring.length];
      edges.push(
        a.y <= b.y ? { ax: a.x, ay: a.y, bx: b.x, by: b.y } : { ax: b.x, ay: b.y, bx: a.x, by: a.y },
      );
    }
  }
  return edges;
}

export function bandOf(rings: readonly Ring[]): Band {
  const edges = edgesOf(rings);
  return {
    yMinM: Math.min(...edges.map((e) => e.ay)),
    yMaxM: Math.max(...edges.map((e) => e.by)),
    edges,
  };
}

export function xAt(e: Edge, yM: number): number {
  return e.by === e.ay ? e.ax : e.ax + ((e.bx - e.ax) * (yM - e.ay)) / (e.by - e.ay);
}

/**
 * The x-range of the band's part between yLoM and yHiM (null when empty). Its extremes lie on
 * boundary edges, so clipping the edges to the strip is enough.
 */
export function extentInStrip(edges: readonly Edge[], yLoM: number, yHiM: number): Extent | null {
  let minXM = Infinity;
  let maxXM = -Infinity;
  for (const e of edges) {
    if (e.by < yLoM || e.ay > yHiM) continue;
    const x0 = xAt(e, Math.max(e.ay, yLoM));
    const x1 = e.by === e.ay ? e.bx : xAt(e, Math.min(e.by, yHiM));
    minXM = Math.min(minXM, x0, x1);
    maxXM = Math.max(maxXM, x0, x1);
  }
  return minXM <= maxXM ? { minXM, maxXM } : null;
}
