import { LocalFrame } from '../../geo/index.js';
import type { LaunchPoint } from '../../sites/index.js';
import type { PatrolPlan, SitePattern } from '../types.js';
import { FlightCostModel, loopLength } from './flight-cost.js';
import { dist } from './planar.js';

/** A lower bound on the total horizontal distance of any plan flying these patterns, metres. */
export interface DistanceBound {
  boundM: number;
  /** Every pattern flown once. */
  patternsM: number;
  /**
   * Patterns plus a minimum spanning tree joining every site to a launch point: the transit legs of
   * all sorties, each site shrunk to a node, connect them all.
   */
  treeM: number;
  /**
   * Patterns plus out and back to the farthest site of every sortie: a sortie reaching `R` out spends
   * at least 2R × the cruise's battery per metre on the way (less what its patterns carry it: a loop ends where
   * it began), so sites packed farthest first, fractionally, into sorties that each hold what battery
   * is left give the least such sum.
   */
  radialM: number;
}

/**
 * The larger of two valid bounds: patterns + spanning tree, and the radial bound. Distances are
 * straight (detours only add). A site the plan split may be joined at any of its waypoints.
 */
export function patrolLowerBound(plan: PatrolPlan, launchPoints: LaunchPoint[]): DistanceBound {
  const origin = launchPoints[0];
  const frame = new LocalFrame({ latDeg: origin.latDeg, lonDeg: origin.lonDeg, altAmslM: 0 });
  const visits = new Map<string, number>();
  for (const s of plan.sorties)
    for (const v of s.visits) visits.set(v.siteId, (visits.get(v.siteId) ?? 0) + 1);
  const split = plan.patterns.map((p) => (visits.get(p.siteId) ?? 0) > 1);
  const sites = plan.patterns.map((p, i) => attachPoints(p, split[i], frame));
  const lx = launchPoints.map((l) => frame.toLocal(l.latDeg, l.lonDeg, 0).eastM);
  const ly = launchPoints.map((l) => frame.toLocal(l.latDeg, l.lonDeg, 0).northM);
  const reach = sites.map((s) => {
    let d = Infinity;
    for (let l = 0; l < lx.length; l++) d = Math.min(d, nearestM(s, lx[l], ly[l]));
    return d;
  });
  const patternsM = plan.patterns.reduce((sum, p) => sum + p.lengthM, 0);
  const treeM = patternsM + spanningTreeM(sites, reach);
  const model = new FlightCostModel(plan.settings);
  const carriedM = plan.patterns.map((p, i) => (split[i] ? p.lengthM : carriedOutM(p, frame)));
  const netWorkS = plan.patterns.map(
    (p, i) => model.pattern(p, 0, p.waypoints.length - 1).batteryS - carriedM[i] * model.batteryPerM,
  );
  const carriedTotalM = carriedM.reduce((a, b) => a + b, 0);
  const capacityS = model.usableS - model.sortieOverhead().batteryS;
  const radialM = patternsM + radialBoundM(reach, netWorkS, model, capacityS) - carriedTotalM;
  return { boundM: Math.max(treeM, radialM), patternsM, treeM, radialM };
}

interface Points {
  x: Float64Array;
  y: Float64Array;
  cx: number;
  cy: number;
  /** Largest distance of a point from (cx, cy). */
  radiusM: number;
}

/** Where transit legs can meet a pattern: its ends, a loop's every vertex, a split pattern's every waypoint. */
function attachPoints(pattern: SitePattern, split: boolean, frame: LocalFrame): Points {
  const wps = pattern.waypoints;
  const all = split || loopLength(pattern) > 0;
  const chosen = all ? wps : [wps[0], wps[wps.length - 1]];
  const x = Float64Array.from(chosen, (w) => frame.toLocal(w.latDeg, w.lonDeg, 0).eastM);
  const y = Float64Array.from(chosen, (w) => frame.toLocal(w.latDeg, w.lonDeg, 0).northM);
  const cx = x.reduce((a, b) => a + b, 0) / x.length;
  const cy = y.reduce((a, b) => a + b, 0) / y.length;
  let radiusM = 0;
  for (let i = 0; i < x.length; i++) radiusM = Math.max(radiusM, dist(x[i], y[i], cx, cy));
  return { x, y, cx, cy, radiusM };
}

function nearestM(s: Points, px: number, py: number): number {
  let d = Infinity;
  for (let i = 0; i < s.x.length; i++) d = Math.min(d, dist(s.x[i], s.y[i], px, py));
  return d;
}

function gapM(a: Points, b: Points): number {
  let d = Infinity;
  for (let i = 0; i < a.x.length; i++) d = Math.min(d, nearestM(b, a.x[i], a.y[i]));
  return d;
}

/** Prim over the sites plus one node for all launch points; exact gaps only where they could matter. */
function spanningTreeM(sites: Points[], reach: number[]): number {
  const n = sites.length;
  const key = Float64Array.from(reach);
  const done = new Uint8Array(n);
  let total = 0;
  for (let step = 0; step < n; step++) {
    let u = -1;
    for (let i = 0; i < n; i++) if (!done[i] && (u < 0 || key[i] < key[u])) u = i;
    done[u] = 1;
    total += key[u];
    const a = sites[u];
    for (let j = 0; j < n; j++) {
      if (done[j]) continue;
      const b = sites[j];
      const rough = dist(a.cx, a.cy, b.cx, b.cy) - a.radiusM - b.radiusM;
      if (rough >= key[j]) continue;
      key[j] = Math.min(key[j], gapM(a, b));
    }
  }
  return total;
}

/** How far flying a whole pattern moves the drone: nothing for a loop, first to last waypoint otherwise. */
function carriedOutM(pattern: SitePattern, frame: LocalFrame): number {
  if (loopLength(pattern) > 0) return 0;
  const a = pattern.waypoints[0];
  const b = pattern.waypoints[pattern.waypoints.length - 1];
  const pa = frame.toLocal(a.latDeg, a.lonDeg, 0);
  const pb = frame.toLocal(b.latDeg, b.lonDeg, 0);
  return dist(pa.eastM, pa.northM, pb.eastM, pb.northM);
}

/**
 * Σ 2R over sorties, least over fractional packings: farthest site first, a new sortie opened at the
 * current site's reach R holds `capacityS` less the battery it takes to get 2R there and back.
 * Battery in hover-seconds throughout.
 */
function radialBoundM(reach: number[], workS: number[], model: FlightCostModel, capacityS: number): number {
  const order = reach.map((_, i) => i).sort((a, b) => reach[b] - reach[a]);
  let total = 0;
  let roomS = 0;
  for (const i of order) {
    let needS = workS[i];
    while (needS > 1e-9) {
      if (roomS <= 1e-9) {
        total += 2 * reach[i];
        roomS = capacityS - 2 * reach[i] * model.batteryPerM;
        if (roomS <= 1e-9) return Infinity;
      }
      const take = Math.min(needS, roomS);
      needS -= take;
      roomS -= take;
    }
  }
  return total;
}
