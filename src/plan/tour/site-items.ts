import { UserError } from '../../errors.js';
import type { LocalFrame } from '../../geo/index.js';
import type { SitePattern } from '../types.js';
import { type FlightCostModel, loopLength } from './flight-cost.js';
import { dist } from './planar.js';
import type { LegTimeS, TourItems } from './tour-items.js';
import type { TransitRouter } from './transit-router.js';

/** Loop entries the ordering tries per site; the final choice looks at every vertex. */
const LOOP_SEARCH_ENTRIES = 8;
/** Sites named in an error before the rest are counted. */
const MAX_LISTED = 8;

/** Tour items made from site patterns, with what it takes to turn a route back into pattern waypoints. */
export interface SiteItems extends TourItems {
  /** Per item: index into the patterns. */
  pattern: Int32Array;
  /** Per item: index of the launch point it was assigned to. */
  launch: Int32Array;
  /** Per option: pattern waypoint indices flown (loop indices run past the end and wrap). */
  fromIndex: Int32Array;
  toIndex: Int32Array;
  reversed: Uint8Array;
  /** Per item: flight time of the item itself (workS is its battery), seconds. */
  workTimeS: Float64Array;
}

interface Option {
  entry: number;
  exit: number;
  fromIndex: number;
  toIndex: number;
  reversed: boolean;
  /** Offset of the reversed option within the item; −1 none. */
  flip: number;
}

interface Item {
  pattern: number;
  launch: number;
  label: string;
  workS: number;
  workTimeS: number;
  options: Option[];
  searchCount: number;
}

export interface SiteItemContext {
  router: TransitRouter;
  frame: LocalFrame;
  model: FlightCostModel;
  leg: LegTimeS;
  /** Router point of each launch point. */
  launchPoints: number[];
  launchIds: string[];
}

/**
 * One item per site, assigned to the launch point that reaches it cheapest; a site whose pattern does
 * not fit one battery from there becomes several items, cut at waypoints, each of which fits.
 */
export function buildSiteItems(patterns: SitePattern[], ctx: SiteItemContext): SiteItems {
  const items: Item[] = [];
  const problems: string[] = [];
  patterns.forEach((pattern, index) => {
    const made = itemsForPattern(pattern, index, ctx);
    if (typeof made === 'string') problems.push(made);
    else items.push(...made);
  });
  if (problems.length > 0) {
    const shown = problems.slice(0, MAX_LISTED);
    const more = problems.length > shown.length ? `; and ${problems.length - shown.length} more` : '';
    throw new UserError(
      `${problems.length} site(s) cannot be flown from any launch point: ${shown.join('; ')}${more}`,
    );
  }
  return pack(items);
}

/** The items for one pattern, or why it cannot be flown. */
function itemsForPattern(pattern: SitePattern, index: number, ctx: SiteItemContext): Item[] | string {
  const { router, frame, model, leg } = ctx;
  const ids = new Map<number, number>();
  const point = (i: number) => {
    let id = ids.get(i);
    if (id === undefined) {
      const wp = pattern.waypoints[i];
      const p = frame.toLocal(wp.latDeg, wp.lonDeg, 0);
      id = router.addPoint(p.eastM, p.northM);
      ids.set(i, id);
    }
    return id;
  };
  const { options, searchCount } = wholeOptions(pattern, point, router);
  const last = pattern.waypoints.length - 1;
  const work = model.pattern(pattern, 0, last);
  const workS = work.batteryS;
  let launch = -1;
  let bestS = Infinity;
  ctx.launchPoints.forEach((depot, l) => {
    for (const o of options.slice(0, searchCount)) {
      const t = leg(depot, o.entry) + leg(o.exit, depot);
      if (t < bestS) {
        bestS = t;
        launch = l;
      }
    }
  });
  if (launch < 0) {
    return `${pattern.siteId} (no transit reaches it without crossing a no-fly zone or leaving the operating area)`;
  }
  const overheadS = model.sortieOverhead().batteryS;
  if (overheadS + bestS + workS <= model.usableS) {
    return [
      { pattern: index, launch, label: pattern.siteId, workS, workTimeS: work.timeS, options, searchCount },
    ];
  }
  const depot = ctx.launchPoints[launch];
  const needS = (from: number, to: number) =>
    overheadS + leg(depot, point(from)) + model.pattern(pattern, from, to).batteryS + leg(point(to), depot);
  const fits = (from: number, to: number) => needS(from, to) <= model.usableS;
  const outOfReach = (from: number, to: number) => {
    const flown = from === to ? `waypoint ${from}` : `waypoints ${from}–${to}`;
    const needPct = model.batteryPct(needS(from, to)).toFixed(0);
    return (
      `${pattern.siteId} (from ${ctx.launchIds[launch]}, ${flown} and the flight there and back need ` +
      `${needPct} % of a battery, ${model.batteryPct(model.usableS).toFixed(0)} % usable)`
    );
  };
  if (last === 0) return outOfReach(0, 0);
  const parts: [number, number][] = [];
  for (let from = 0; from < last; ) {
    if (!fits(from, from + 1)) return outOfReach(from, from + 1);
    let to = from + 1;
    while (to < last && fits(from, to + 1)) to++;
    parts.push([from, to]);
    from = to;
  }
  return parts.map(([from, to], k) => {
    const forward: Option = {
      entry: point(from),
      exit: point(to),
      fromIndex: from,
      toIndex: to,
      reversed: false,
      flip: pattern.reversible ? 1 : -1,
    };
    const options = pattern.reversible
      ? [forward, { ...forward, entry: forward.exit, exit: forward.entry, reversed: true, flip: 0 }]
      : [forward];
    const part = model.pattern(pattern, from, to);
    return {
      pattern: index,
      launch,
      label: `${pattern.siteId} (part ${k + 1} of ${parts.length})`,
      workS: part.batteryS,
      workTimeS: part.timeS,
      options,
      searchCount: options.length,
    };
  });
}

/** The ways to fly a whole pattern: a loop from any vertex, an open pattern from either end. */
function wholeOptions(
  pattern: SitePattern,
  point: (i: number) => number,
  router: TransitRouter,
): { options: Option[]; searchCount: number } {
  const n = pattern.waypoints.length;
  const loop = loopLength(pattern);
  if (loop > 0) {
    const order = spreadFirst(
      Array.from({ length: loop }, (_, v) => point(v)),
      router,
    );
    const options = order.map((v, k) => ({
      entry: point(v),
      exit: point(v),
      fromIndex: v,
      toIndex: v + loop,
      reversed: false,
      flip: k,
    }));
    return { options, searchCount: Math.min(loop, LOOP_SEARCH_ENTRIES) };
  }
  const forward: Option = {
    entry: point(0),
    exit: point(n - 1),
    fromIndex: 0,
    toIndex: n - 1,
    reversed: false,
    flip: n === 1 ? 0 : pattern.reversible ? 1 : -1,
  };
  if (n === 1 || !pattern.reversible) return { options: [forward], searchCount: 1 };
  const backward = { ...forward, entry: forward.exit, exit: forward.entry, reversed: true, flip: 0 };
  return { options: [forward, backward], searchCount: 2 };
}

/** Loop vertex indices, those spread evenly along the loop's length first. */
function spreadFirst(points: number[], router: TransitRouter): number[] {
  const m = points.length;
  const along = new Float64Array(m + 1);
  for (let v = 0; v < m; v++) {
    const a = points[v];
    const b = points[(v + 1) % m];
    along[v + 1] = along[v] + dist(router.x(a), router.y(a), router.x(b), router.y(b));
  }
  const picked = new Set<number>();
  const count = Math.min(m, LOOP_SEARCH_ENTRIES);
  let v = 0;
  for (let k = 0; k < count; k++) {
    const target = (along[m] * k) / count;
    while (v + 1 < m && Math.abs(along[v + 1] - target) <= Math.abs(along[v] - target)) v++;
    if (picked.has(v)) continue;
    picked.add(v);
  }
  for (let u = 0; picked.size < count && u < m; u++) picked.add(u);
  return [...picked, ...Array.from({ length: m }, (_, u) => u).filter((u) => !picked.has(u))];
}

function pack(items: Item[]): SiteItems {
  const optionTotal = items.reduce((sum, it) => sum + it.options.length, 0);
  const out: SiteItems = {
    count: items.length,
    firstOption: new Int32Array(items.length),
    optionCount: new Int32Array(items.length),
    searchCount: new Int32Array(items.length),
    workS: new Float64Array(items.length),
    workTimeS: new Float64Array(items.length),
    label: items.map((it) => it.label),
    pattern: new Int32Array(items.length),
    launch: new Int32Array(items.length),
    itemOf: new Int32Array(optionTotal),
    entry: new Int32Array(optionTotal),
    exit: new Int32Array(optionTotal),
    flip: new Int32Array(optionTotal),
    fromIndex: new Int32Array(optionTotal),
    toIndex: new Int32Array(optionTotal),
    reversed: new Uint8Array(optionTotal),
  };
  let g = 0;
  items.forEach((it, i) => {
    out.firstOption[i] = g;
    out.optionCount[i] = it.options.length;
    out.searchCount[i] = it.searchCount;
    out.workS[i] = it.workS;
    out.workTimeS[i] = it.workTimeS;
    out.pattern[i] = it.pattern;
    out.launch[i] = it.launch;
    for (const o of it.options) {
      out.itemOf[g] = i;
      out.entry[g] = o.entry;
      out.exit[g] = o.exit;
      out.flip[g] = o.flip < 0 ? -1 : out.firstOption[i] + o.flip;
      out.fromIndex[g] = o.fromIndex;
      out.toIndex[g] = o.toIndex;
      out.reversed[g] = o.reversed ? 1 : 0;
      g++;
    }
  });
  return out;
}
