import type { LegTimeS, TourItems } from './tour-items.js';

/**
 * For a fixed order of items, the best option (entry end, loop vertex) of every item at once: a
 * shortest path through the layers of options (Viterbi). `every` looks at all options, else only
 * those the ordering searches (and the current one).
 */
export function bestEntries(
  route: number[],
  depot: number,
  items: TourItems,
  leg: LegTimeS,
  every: boolean,
): number[] {
  const n = route.length;
  if (n === 0) return [];
  const { entry: E, exit: X, itemOf: I, firstOption } = items;
  const layers = route.map((g) => {
    const item = I[g];
    const count = every ? items.optionCount[item] : items.searchCount[item];
    const options = Array.from({ length: count }, (_, k) => firstOption[item] + k);
    // The current option stays a candidate, so that the result is never worse.
    if (g >= firstOption[item] + count) options.push(g);
    return options;
  });
  const back: Int32Array[] = [];
  let costS = Float64Array.from(layers[0], (g) => leg(depot, E[g]));
  for (let p = 1; p < n; p++) {
    const prev = layers[p - 1];
    const cur = layers[p];
    const next = new Float64Array(cur.length);
    const from = new Int32Array(cur.length);
    for (let c = 0; c < cur.length; c++) {
      let best = Infinity;
      for (let k = 0; k < prev.length; k++) {
        const t = costS[k] + leg(X[prev[k]], E[cur[c]]);
        if (t < best) {
          best = t;
          from[c] = k;
        }
      }
      next[c] = best;
    }
    back.push(from);
    costS = next;
  }
  const last = layers[n - 1];
  let k = 0;
  for (let c = 0; c < last.length; c++) {
    if (costS[c] + leg(X[last[c]], depot) < costS[k] + leg(X[last[k]], depot)) k = c;
  }
  const out = new Array<number>(n);
  for (let p = n - 1; p >= 0; p--) {
    out[p] = layers[p][k];
    if (p > 0) k = back[p - 1][k];
  }
  return out;
}
