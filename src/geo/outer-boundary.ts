import type { Ring, Vec2 } from './plane.js';
import { pointInRing, signedAreaM2 } from './ring.js';

/** Crossing points closer than this are one node. */
const SAME_NODE_M = 1e-6;

/**
 * The outer boundaries of closed, possibly self-crossing and overlapping curves, counter-clockwise,
 * one per group of curves that touch: the curves are cut at their crossings and walked from the
 * leftmost point not yet enclosed, always taking the rightmost branch, which hugs the outside.
 * Null when a walk does not close on a proper ring (degenerate input).
 */
export function outerBoundaries(curves: readonly Ring[]): Ring[] | null {
  const { nodes, next } = arrangement(curves);
  const done = new Array<boolean>(nodes.length).fill(false);
  const rings: Ring[] = [];
  for (;;) {
    let start = -1;
    for (let i = 0; i < nodes.length; i++) {
      if (done[i]) continue;
      if (
        start < 0 ||
        nodes[i].x < nodes[start].x ||
        (nodes[i].x === nodes[start].x && nodes[i].y < nodes[start].y)
      ) {
        start = i;
      }
    }
    if (start < 0) return rings;
    const walked = walkOutside(nodes, next, start);
    if (!walked) return null;
    const ring = walked.map((i) => nodes[i]);
    for (const i of walked) done[i] = true;
    nodes.forEach((p, i) => {
      if (!done[i] && pointInRing(p, ring)) done[i] = true;
    });
    rings.push(ring);
  }
}

/** Node ids along the outside of start's group, counter-clockwise; null when the walk does not close. */
function walkOutside(nodes: readonly Vec2[], next: readonly Set<number>[], start: number): number[] | null {
  const ring: number[] = [];
  // Arrive at the leftmost point heading south: the rightmost branch from there runs along the outside.
  let from = -1;
  let at = start;
  let inX = 0;
  let inY = -1;
  for (let steps = 0; steps <= 2 * nodes.length + 2; steps++) {
    if (at === start && ring.length > 0) {
      return ring.length >= 3 && signedAreaM2(ring.map((i) => nodes[i])) > 0 ? ring : null;
    }
    let pick = -1;
    let pickRad = Infinity;
    for (const to of next[at]) {
      if (to === from && next[at].size > 1) continue;
      const ox = nodes[to].x - nodes[at].x;
      const oy = nodes[to].y - nodes[at].y;
      const rad = Math.atan2(inX * oy - inY * ox, inX * ox + inY * oy);
      if (rad < pickRad) {
        pickRad = rad;
        pick = to;
      }
    }
    if (pick < 0) return null;
    ring.push(at);
    inX = nodes[pick].x - nodes[at].x;
    inY = nodes[pick].y - nodes[at].y;
    from = at;
    at = pick;
  }
  return null;
}

/** The curves as one planar graph: nodes at their vertices and crossings, each with its neighbours. */
function arrangement(curves: readonly Ring[]): { nodes: Vec2[]; next: Set<number>[] } {
  const segments: [Vec2, Vec2][] = curves.flatMap((c) =>
    c.map((p, i): [Vec2, Vec2] => [p, c[(i + 1) % c.length]]),
  );
  const cuts: { t: number; p: Vec2 }[][] = segments.map(([a]) => [{ t: 0, p: a }]);
  for (let i = 0; i < segments.length; i++) {
    for (let j = i + 1; j < segments.length; j++) {
      const [a, b] = segments[i];
      const [c, d] = segments[j];
      // Neighbours along a curve share an end, which is a node already.
      if (b === c || d === a) continue;
      const hit = crossing(a, b, c, d);
      if (hit) {
        cuts[i].push({ t: hit.t, p: hit.p });
        cuts[j].push({ t: hit.u, p: hit.p });
      }
    }
  }
  const nodes: Vec2[] = [];
  const index = new Map<string, number>();
  const nodeOf = (p: Vec2) => {
    const key = `${Math.round(p.x / SAME_NODE_M)},${Math.round(p.y / SAME_NODE_M)}`;
    let id = index.get(key);
    if (id === undefined) {
      id = nodes.length;
      nodes.push(p);
      index.set(key, id);
    }
    return id;
  };
  const next: Set<number>[] = [];
  const link = (u: number, v: number) => {
    if (u === v) return;
    while (next.length <= Math.max(u, v)) next.push(new Set());
    next[u].add(v);
    next[v].add(u);
  };
  segments.forEach(([, b], i) => {
    const ids = cuts[i].sort((p, q) => p.t - q.t).map((c) => nodeOf(c.p));
    ids.push(nodeOf(b));
    for (let k = 1; k < ids.length; k++) link(ids[k - 1], ids[k]);
  });
  while (next.length < nodes.length) next.push(new Set());
  return { nodes, next };
}

function crossing(a: Vec2, b: Vec2, c: Vec2, d: Vec2): { t: number; u: number; p: Vec2 } | null {
  const rx = b.x - a.x;
  const ry = b.y - a.y;
  const sx = d.x - c.x;
  const sy = d.y - c.y;
  const denom = rx * sy - ry * sx;
  if (denom === 0) return null;
  const t = ((c.x - a.x) * sy - (c.y - a.y) * sx) / denom;
  const u = ((c.x - a.x) * ry - (c.y - a.y) * rx) / denom;
  if (t < 0 || t > 1 || u < 0 || u > 1) return null;
  return { t, u, p: { x: a.x + t * rx, y: a.y + t * ry } };
}
