import { dist } from './planar.js';
import type { TourItems } from './tour-items.js';
import type { TransitRouter } from './transit-router.js';

/**
 * Nearest neighbour from the depot: always fly next to the closest entry (straight distance) of a
 * site not yet visited. The start the local search improves, and the baseline the bench compares
 * against.
 */
export function nearestNeighbourRoute(
  itemIds: number[],
  depot: number,
  items: TourItems,
  router: TransitRouter,
): number[] {
  const left = itemIds.slice();
  const route: number[] = [];
  let at = depot;
  while (left.length > 0) {
    const ax = router.x(at);
    const ay = router.y(at);
    let bestM = Infinity;
    let bestK = 0;
    let bestG = items.firstOption[left[0]];
    for (let k = 0; k < left.length; k++) {
      const first = items.firstOption[left[k]];
      for (let g = first; g < first + items.searchCount[left[k]]; g++) {
        const d = dist(ax, ay, router.x(items.entry[g]), router.y(items.entry[g]));
        if (d < bestM) {
          bestM = d;
          bestK = k;
          bestG = g;
        }
      }
    }
    route.push(bestG);
    at = items.exit[bestG];
    left[bestK] = left[left.length - 1];
    left.pop();
  }
  return route;
}

/**
 * Each item's `count` nearest other items, by the straight distance between the centres of their
 * entries: the moves the local search tries.
 */
export function nearestItems(items: TourItems, router: TransitRouter, count: number): Int32Array[] {
  const m = items.count;
  const cx = new Float64Array(m);
  const cy = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const first = items.firstOption[i];
    const k = items.searchCount[i];
    for (let g = first; g < first + k; g++) {
      cx[i] += router.x(items.entry[g]) / k;
      cy[i] += router.y(items.entry[g]) / k;
    }
  }
  const keep = Math.min(count, m - 1);
  const near: Int32Array[] = [];
  const dist = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) dist[j] = j === i ? Infinity : (cx[j] - cx[i]) ** 2 + (cy[j] - cy[i]) ** 2;
    near.push(Int32Array.from(smallest(dist, keep)));
  }
  return near;
}

/** Indices of the `k` smallest values, nearest first (partial selection, O(n·k)). */
function smallest(value: Float64Array, k: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < value.length; j++) {
    if (out.length === k && value[j] >= value[out[k - 1]]) continue;
    let p = out.length === k ? k - 1 : out.length;
    if (out.length < k) out.push(j);
    while (p > 0 && value[out[p - 1]] > value[j]) {
      out[p] = out[p - 1];
      p--;
    }
    out[p] = j;
  }
  return out;
}
