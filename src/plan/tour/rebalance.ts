import type { LegTimeS, TourItems } from './tour-items.js';

const EPS_S = 1e-7;
const MAX_PASSES = 20;

/** One battery's worth of route: option ids flown from and back to `depot`. */
export interface SortieRoute {
  depot: number;
  route: number[];
  /** Flight time with the sortie's overhead, seconds. */
  timeS: number;
}

/**
 * Moves between sorties, those of other launch points included, wherever they save flight time and
 * every sortie still fits the battery: an item moved to another sortie, or two items swapped. This is
 * how launch points share the sites near their boundary and how a nearly empty sortie gets absorbed.
 * Returns the non-empty sorties.
 */
export function rebalance(
  sorties: SortieRoute[],
  items: TourItems,
  leg: LegTimeS,
  near: Int32Array[],
  usableS: number,
): SortieRoute[] {
  const { entry: E, exit: X, itemOf: I, workS, firstOption, searchCount } = items;
  const owner = new Int32Array(items.count).fill(-1);
  const pos = new Int32Array(items.count);
  const reindex = (s: number) => {
    sorties[s].route.forEach((g, p) => {
      owner[I[g]] = s;
      pos[I[g]] = p;
    });
  };
  for (let s = 0; s < sorties.length; s++) reindex(s);
  const exitAt = (s: SortieRoute, p: number) => (p < 0 ? s.depot : X[s.route[p]]);
  const entryAt = (s: SortieRoute, p: number) => (p >= s.route.length ? s.depot : E[s.route[p]]);

  /** Cheapest option and added time to fly `item` between positions q and q + 1 of `s`. */
  const insertion = (s: SortieRoute, q: number, item: number, current: number) => {
    const a = exitAt(s, q);
    const b = entryAt(s, q + 1);
    const base = leg(a, b);
    let bestG = current;
    let bestS = leg(a, E[current]) + leg(X[current], b) - base;
    for (let g = firstOption[item]; g < firstOption[item] + searchCount[item]; g++) {
      const t = leg(a, E[g]) + leg(X[g], b) - base;
      if (t < bestS) {
        bestS = t;
        bestG = g;
      }
    }
    return { g: bestG, addS: bestS + workS[item] };
  };

  /** Cheapest option and time of the legs to fly `item` in place of position p of `s`. */
  const replacement = (s: SortieRoute, p: number, item: number) => {
    const a = exitAt(s, p - 1);
    const b = entryAt(s, p + 1);
    let bestG = firstOption[item];
    let bestS = Infinity;
    for (let g = firstOption[item]; g < firstOption[item] + searchCount[item]; g++) {
      const t = leg(a, E[g]) + leg(X[g], b);
      if (t < bestS) {
        bestS = t;
        bestG = g;
      }
    }
    return { g: bestG, legsS: bestS };
  };
  const legsAround = (s: SortieRoute, p: number) =>
    leg(exitAt(s, p - 1), E[s.route[p]]) + leg(X[s.route[p]], entryAt(s, p + 1));

  const trySwap = (item: number): boolean => {
    const a = owner[item];
    const from = sorties[a];
    const p = pos[item];
    for (const other of near[item]) {
      const b = owner[other];
      if (b < 0 || b === a) continue;
      const to = sorties[b];
      const q = pos[other];
      const intoFrom = replacement(from, p, other);
      const intoTo = replacement(to, q, item);
      const changeFromS = intoFrom.legsS - legsAround(from, p) + workS[other] - workS[item];
      const changeToS = intoTo.legsS - legsAround(to, q) + workS[item] - workS[other];
      if (changeFromS + changeToS > -EPS_S) continue;
      if (from.timeS + changeFromS > usableS || to.timeS + changeToS > usableS) continue;
      from.route[p] = intoFrom.g;
      to.route[q] = intoTo.g;
      from.timeS += changeFromS;
      to.timeS += changeToS;
      reindex(a);
      reindex(b);
      return true;
    }
    return false;
  };

  const tryMove = (item: number): boolean => {
    const from = sorties[owner[item]];
    const p = pos[item];
    const g = from.route[p];
    const removeS =
      from.route.length === 1
        ? -from.timeS
        : leg(exitAt(from, p - 1), entryAt(from, p + 1)) -
          leg(exitAt(from, p - 1), E[g]) -
          leg(X[g], entryAt(from, p + 1)) -
          workS[item];
    for (const other of near[item]) {
      const s = owner[other];
      if (s < 0 || s === owner[item]) continue;
      const to = sorties[s];
      for (const q of [pos[other] - 1, pos[other]]) {
        const { g: inserted, addS } = insertion(to, q, item, g);
        if (removeS + addS > -EPS_S || to.timeS + addS > usableS) continue;
        from.route.splice(p, 1);
        from.timeS += removeS;
        to.route.splice(q + 1, 0, inserted);
        to.timeS += addS;
        const fromIndex = owner[item];
        reindex(fromIndex);
        reindex(s);
        return true;
      }
    }
    return false;
  };

  let improved = true;
  for (let pass = 0; improved && pass < MAX_PASSES; pass++) {
    improved = false;
    for (let item = 0; item < items.count; item++) {
      if (owner[item] >= 0 && (tryMove(item) || trySwap(item))) improved = true;
    }
  }
  return sorties.filter((s) => s.route.length > 0);
}
