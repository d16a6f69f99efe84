import { UserError } from '../../errors.js';
import type { LegTimeS, TourItems } from './tour-items.js';

/**
 * Route first, cluster second (Beasley 1983): cut one depot's giant tour into consecutive runs, each
 * flown as its own sortie from and back to the depot, choosing the cuts that minimise the total
 * battery (hover-seconds) with every sortie within `usableS` (overhead included). A dynamic programme over cut points;
 * a run stops growing once it no longer fits, so the work is O(n · items per sortie). An item flown
 * alone enters and leaves the cheapest way it can, not necessarily the way the tour passed it.
 */
export function splitTour(
  route: number[],
  depot: number,
  items: TourItems,
  leg: LegTimeS,
  overheadS: number,
  usableS: number,
): number[][] {
  const n = route.length;
  const { entry: E, exit: X, itemOf: I, workS, firstOption, searchCount } = items;
  // Flown alone, an item takes its cheapest way in and out, whichever the tour gave it.
  const alone = route.map((g) => {
    let bestG = g;
    let bestS = leg(depot, E[g]) + leg(X[g], depot);
    const first = firstOption[I[g]];
    for (let o = first; o < first + searchCount[I[g]]; o++) {
      const s = leg(depot, E[o]) + leg(X[o], depot);
      if (s < bestS) {
        bestS = s;
        bestG = o;
      }
    }
    return { g: bestG, legsS: bestS };
  });
  const best = new Float64Array(n + 1).fill(Infinity);
  const cut = new Int32Array(n + 1);
  best[0] = 0;
  for (let i = 0; i < n; i++) {
    if (best[i] === Infinity) continue;
    let inner = 0;
    const out = overheadS + leg(depot, E[route[i]]);
    for (let j = i; j < n; j++) {
      if (j > i) inner += leg(X[route[j - 1]], E[route[j]]);
      inner += workS[I[route[j]]];
      const t =
        j === i ? overheadS + workS[I[route[i]]] + alone[i].legsS : out + inner + leg(X[route[j]], depot);
      if (t > usableS) {
        if (j === i) {
          throw new UserError(`${items.label[I[route[i]]]} does not fit one battery on its own`);
        }
        break;
      }
      if (best[i] + t < best[j + 1]) {
        best[j + 1] = best[i] + t;
        cut[j + 1] = i;
      }
    }
  }
  const sorties: number[][] = [];
  for (let j = n; j > 0; j = cut[j]) {
    sorties.unshift(j - cut[j] === 1 ? [alone[cut[j]].g] : route.slice(cut[j], j));
  }
  return sorties;
}
