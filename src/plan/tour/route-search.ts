import type { LegTimeS, TourItems } from './tour-items.js';

/** Longest run of consecutive items an Or-opt move relocates. */
const OR_OPT_MAX = 3;
/** Improvements smaller than this (seconds) do not count: float noise must not loop forever. */
const EPS_S = 1e-7;

/**
 * Local search on one route from and back to `depot`: 2-opt (reversing a stretch flies each of its
 * items the other way), Or-opt (moving up to three consecutive items, either way round) and changing
 * an item's entry, each tried only towards the item's nearest neighbours and only where the new edge
 * there is shorter than what the move frees (the usual gain criterion). First improvement; an item is
 * looked at again only when a move changed its surroundings. The total never grows.
 */
export function improveRoute(
  route: number[],
  depot: number,
  items: TourItems,
  leg: LegTimeS,
  near: Int32Array[],
  /** Items to look at first; the default is all of them. */
  start: number[] = route.map((g) => items.itemOf[g]),
): number[] {
  const r = route.slice();
  const n = r.length;
  if (n === 0) return r;
  const { entry: E, exit: X, flip: F, itemOf: I } = items;
  const pos = new Int32Array(items.count).fill(-1);
  /** edge[p]: leg from position p − 1 (the depot for p = 0) to p; edge[n]: back to the depot. */
  const edge = new Float64Array(n + 1);
  const exitAt = (p: number) => (p < 0 ? depot : X[r[p]]);
  const entryAt = (p: number) => (p >= n ? depot : E[r[p]]);
  const refresh = (from: number, to: number) => {
    for (let p = Math.max(0, from); p <= Math.min(n, to); p++) {
      if (p < n) pos[I[r[p]]] = p;
      edge[p] = leg(exitAt(p - 1), entryAt(p));
    }
  };
  refresh(0, n);

  const queue: number[] = start.slice().reverse();
  const queued = new Uint8Array(items.count);
  for (const item of queue) queued[item] = 1;
  const wake = (p: number) => {
    if (p < 0 || p >= n) return;
    const item = I[r[p]];
    if (!queued[item]) {
      queued[item] = 1;
      queue.push(item);
    }
  };
  const wakeAround = (p: number) => {
    wake(p - 1);
    wake(p);
    wake(p + 1);
  };
  const reversible = (s: number, e: number) => {
    for (let p = s; p <= e; p++) if (F[r[p]] < 0) return false;
    return true;
  };

  /** Reverse positions s..e if that gains. */
  const twoOpt = (s: number, e: number): boolean => {
    if (s < 0 || e >= n || s > e) return false;
    const fs = F[r[s]];
    const fe = F[r[e]];
    if (fs < 0 || fe < 0 || (s === e && fs === r[s])) return false;
    const a = exitAt(s - 1);
    const b = entryAt(e + 1);
    const freed = edge[s] + edge[e + 1];
    const first = leg(a, E[fe]);
    if (first >= freed) return false;
    if (first + leg(X[fs], b) > freed - EPS_S || !reversible(s, e)) return false;
    for (let i = s, j = e; i <= j; i++, j--) {
      const ri = r[i];
      r[i] = F[r[j]];
      r[j] = F[ri];
    }
    refresh(s, e + 1);
    wakeAround(s);
    wakeAround(e);
    return true;
  };

  /** Move positions s..e (reversed if `rev`) to between q and q + 1 if that gains `gainS` or more. */
  const orOpt = (s: number, e: number, q: number, rev: boolean, gainS: number): boolean => {
    if (q >= s - 1 && q <= e) return false;
    const gs = rev ? F[r[e]] : r[s];
    const ge = rev ? F[r[s]] : r[e];
    if (gs < 0 || ge < 0) return false;
    const toSeg = leg(exitAt(q), E[gs]);
    if (toSeg - edge[q + 1] >= gainS) return false;
    if (toSeg + leg(X[ge], entryAt(q + 1)) - edge[q + 1] > gainS - EPS_S) return false;
    if (rev && !reversible(s, e)) return false;
    const moved = r.splice(s, e - s + 1);
    if (rev) {
      moved.reverse();
      for (let k = 0; k < moved.length; k++) moved[k] = F[moved[k]];
    }
    const at = q < s ? q + 1 : q + 1 - moved.length;
    r.splice(at, 0, ...moved);
    refresh(Math.min(s, at), Math.max(e, at + moved.length) + 1);
    wakeAround(s);
    wakeAround(at);
    wakeAround(at + moved.length - 1);
    return true;
  };

  /** Fly the item at p from another entry if that gains. */
  const reenter = (p: number): boolean => {
    const item = I[r[p]];
    const first = items.firstOption[item];
    const a = exitAt(p - 1);
    const b = entryAt(p + 1);
    const now = edge[p] + edge[p + 1];
    for (let g = first; g < first + items.searchCount[item]; g++) {
      if (g === r[p]) continue;
      if (leg(a, E[g]) + leg(X[g], b) < now - EPS_S) {
        r[p] = g;
        refresh(p, p + 1);
        wakeAround(p);
        return true;
      }
    }
    return false;
  };

  const improveAt = (i: number): boolean => {
    if (reenter(i) || twoOpt(0, i) || twoOpt(i, n - 1) || twoOpt(i, i)) return true;
    for (const b of near[I[r[i]]]) {
      const j = pos[b];
      if (j < 0) continue;
      if (j > i ? twoOpt(i + 1, j) || twoOpt(i, j - 1) : twoOpt(j + 1, i) || twoOpt(j, i - 1)) return true;
    }
    for (let len = 1; len <= OR_OPT_MAX && i + len <= n; len++) {
      const e = i + len - 1;
      const gainS = edge[i] + edge[e + 1] - leg(exitAt(i - 1), entryAt(e + 1));
      if (gainS <= EPS_S) continue;
      for (const rev of [false, true]) {
        if (orOpt(i, e, -1, rev, gainS) || orOpt(i, e, n - 1, rev, gainS)) return true;
        for (const end of len === 1 ? [i] : [i, e]) {
          for (const b of near[I[r[end]]]) {
            const j = pos[b];
            if (j < 0 || (j >= i && j <= e)) continue;
            if (orOpt(i, e, j - 1, rev, gainS) || orOpt(i, e, j, rev, gainS)) return true;
          }
        }
      }
    }
    return false;
  };

  while (queue.length > 0) {
    const item = queue.pop() as number;
    queued[item] = 0;
    if (improveAt(pos[item])) wake(pos[item]);
  }
  return r;
}
