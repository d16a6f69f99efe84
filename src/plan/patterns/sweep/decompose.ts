import type { Ring } from '../../../geo/index.js';
import { type Band, type Edge, edgesOf, xAt } from './band.js';

/** Vertex heights closer than this are one event. */
const SAME_Y_M = 1e-7;
/** Run ends closer than this at a slab boundary are the same point. */
const SAME_X_M = 1e-6;

interface Trapezoid {
  left: Edge;
  right: Edge;
  cell: Band;
}

/**
 * Boustrophedon cell decomposition along the sweep (Choset): slabs between vertex heights hold
 * trapezoids; a trapezoid continues the cell below it unless the region splits or merges there, or
 * the run's width jumps.
 * Each cell meets every sweep line in one run, so covering cell by cell never flies outside the region.
 */
export function decompose(rings: readonly Ring[]): Band[] {
  const edges = edgesOf(rings)
    .filter((e) => e.by > e.ay)
    .sort((p, q) => p.ay - q.ay);
  const ys: number[] = [];
  for (const ring of rings) for (const p of ring) ys.push(p.y);
  ys.sort((a, b) => a - b);
  const cells: Band[] = [];
  let below: Trapezoid[] = [];
  let active: Edge[] = [];
  let entering = 0;
  let yLoM = ys[0];
  for (const yHiM of ys) {
    if (yHiM - yLoM <= SAME_Y_M) continue;
    const yMidM = (yLoM + yHiM) / 2;
    while (entering < edges.length && edges[entering].ay < yMidM) active.push(edges[entering++]);
    active = active.filter((e) => e.by > yMidM).sort((p, q) => xAt(p, yMidM) - xAt(q, yMidM));
    const upCount = below.map(() => 0);
    const under: number[][] = [];
    for (let j = 0; j + 1 < active.length; j += 2) {
      const found: number[] = [];
      below.forEach((t, i) => {
        if (overlapAt(t, active[j], active[j + 1], yLoM)) {
          found.push(i);
          upCount[i]++;
        }
      });
      under.push(found);
    }
    const next: Trapezoid[] = [];
    for (let j = 0; j + 1 < active.length; j += 2) {
      const left = active[j];
      const right = active[j + 1];
      const from = under[j / 2];
      const continues =
        from.length === 1 && upCount[from[0]] === 1 && sameRun(below[from[0]], left, right, yLoM);
      const cell = continues ? below[from[0]].cell : { yMinM: yLoM, yMaxM: yHiM, edges: [] };
      if (!continues) cells.push(cell);
      cell.yMaxM = yHiM;
      cell.edges.push(clip(left, yLoM, yHiM), clip(right, yLoM, yHiM));
      next.push({ left, right, cell });
    }
    below = next;
    yLoM = yHiM;
  }
  return cells;
}

function overlapAt(t: Trapezoid, left: Edge, right: Edge, yM: number): boolean {
  return Math.min(xAt(t.right, yM), xAt(right, yM)) - Math.max(xAt(t.left, yM), xAt(left, yM)) > SAME_X_M;
}

/** A cell carries on only where its run is unbroken; at an edge along the sweep its width jumps and a strip
 * straddling the jump could not be flown at one height without leaving the cell. */
function sameRun(t: Trapezoid, left: Edge, right: Edge, yM: number): boolean {
  return (
    Math.abs(xAt(t.left, yM) - xAt(left, yM)) < SAME_X_M &&
    Math.abs(xAt(t.right, yM) - xAt(right, yM)) < SAME_X_M
  );
}

function clip(e: Edge, yLoM: number, yHiM: number): Edge {
  return { ax: xAt(e, yLoM), ay: yLoM, bx: xAt(e, yHiM), by: yHiM };
}
