import { seededRandom } from '../../random.js';
import { bestEntries } from './entries.js';
import { improveRoute } from './route-search.js';
import { type LegTimeS, routeTimeS, type TourItems } from './tour-items.js';

/** Routes this short are left to the local search alone: a double bridge needs four pieces. */
const MIN_ITEMS_TO_KICK = 5;

/**
 * Iterated local search: local search, then again and again a random double-bridge kick (cut the
 * route in four, swap the middle pieces: a move the local search cannot undo) followed by local
 * search from the cut points, kept only when the total got shorter. Deterministic for a seed.
 */
export function iteratedSearch(
  route: number[],
  depot: number,
  items: TourItems,
  leg: LegTimeS,
  near: Int32Array[],
  kicks: number,
  seed: number,
): number[] {
  let best = descend(route, depot, items, leg, near);
  let bestS = routeTimeS(best, depot, items, leg);
  const n = best.length;
  if (n < MIN_ITEMS_TO_KICK) return best;
  const random = seededRandom(seed);
  for (let k = 0; k < kicks; k++) {
    const cuts = threeCuts(n, random);
    const [a, b, c] = cuts;
    const kicked = [...best.slice(0, a), ...best.slice(b, c), ...best.slice(a, b), ...best.slice(c)];
    const around = new Set<number>();
    for (const cut of [0, a, b, c, n]) {
      for (const p of [cut - 1, cut]) if (p >= 0 && p < n) around.add(items.itemOf[kicked[p]]);
    }
    const tried = improveRoute(kicked, depot, items, leg, near, [...around]);
    const t = routeTimeS(tried, depot, items, leg);
    if (t < bestS - 1e-9) {
      best = tried;
      bestS = t;
    }
  }
  return descend(best, depot, items, leg, near);
}

/** Local search and the best entries in turn, until neither gains. */
export function descend(
  route: number[],
  depot: number,
  items: TourItems,
  leg: LegTimeS,
  near: Int32Array[],
): number[] {
  let best = route;
  let bestS = routeTimeS(route, depot, items, leg);
  for (;;) {
    const next = bestEntries(improveRoute(best, depot, items, leg, near), depot, items, leg, false);
    const t = routeTimeS(next, depot, items, leg);
    if (t >= bestS - 1e-9) return best;
    best = next;
    bestS = t;
  }
}

/** Three distinct cut positions 0 < a < b < c < n, sorted. */
function threeCuts(n: number, random: () => number): [number, number, number] {
  const picked = new Set<number>();
  while (picked.size < 3) picked.add(1 + Math.floor(random() * (n - 1)));
  const [a, b, c] = [...picked].sort((x, y) => x - y);
  return [a, b, c];
}
