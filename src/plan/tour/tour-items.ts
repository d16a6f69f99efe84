/**
 * What the ordering algorithms see: items to visit (a site's pattern, or one part of a pattern too big
 * for one battery), each with options (which end to enter at), as plain arrays. A route is a list of
 * option ids; the item is implied. Points are TransitRouter ids. Their seconds are the battery's
 * hover-seconds (FlightCostModel: what the ordering minimises and the battery holds), not flight time.
 */
export interface TourItems {
  count: number;
  /** Per item: its options are firstOption … firstOption + optionCount − 1. */
  firstOption: Int32Array;
  optionCount: Int32Array;
  /** Per item: how many of its first options the ordering tries (a loop's entries, spread out). */
  searchCount: Int32Array;
  /** Per item: battery of the item itself, descent to and climb from the pattern included, hover-seconds. */
  workS: Float64Array;
  /** Per item: for messages. */
  label: string[];
  /** Per option. */
  itemOf: Int32Array;
  entry: Int32Array;
  exit: Int32Array;
  /** The same item flown the other way (a loop: itself); −1 when it cannot be reversed. */
  flip: Int32Array;
}

/** Battery of the transit between two route points, hover-seconds. */
export type LegTimeS = (from: number, to: number) => number;

/** Battery of one sortie flying `route` from and back to `depot`, overhead excluded, hover-seconds. */
export function routeTimeS(route: ArrayLike<number>, depot: number, items: TourItems, leg: LegTimeS): number {
  if (route.length === 0) return 0;
  let t = leg(depot, items.entry[route[0]]) + leg(items.exit[route[route.length - 1]], depot);
  for (let p = 0; p < route.length; p++) {
    t += items.workS[items.itemOf[route[p]]];
    if (p > 0) t += leg(items.exit[route[p - 1]], items.entry[route[p]]);
  }
  return t;
}
