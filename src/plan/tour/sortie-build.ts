import type { LocalFrame } from '../../geo/index.js';
import type { LaunchPoint } from '../../sites/index.js';
import type { SitePattern, SiteVisit, Sortie, Waypoint } from '../types.js';
import { type FlightCostModel, loopLength, visitLengthM } from './flight-cost.js';
import type { SiteItems } from './site-items.js';
import type { LegTimeS } from './tour-items.js';
import type { TransitRouter } from './transit-router.js';

export interface SortieContext {
  items: SiteItems;
  patterns: SitePattern[];
  router: TransitRouter;
  frame: LocalFrame;
  model: FlightCostModel;
  leg: LegTimeS;
}

/**
 * The flyable sortie for a route: climb to transit altitude over the launch point, transit legs
 * (turning at the detour corners around no-fly zones), above each site descend to its pattern, fly
 * it, climb back, and return over the launch point. Battery comes from the same model the ordering
 * minimised (`leg`, the items' work), time from the same model's clock.
 */
export function buildSortie(
  index: number,
  launch: LaunchPoint,
  depot: number,
  route: number[],
  ctx: SortieContext,
): Sortie {
  const { items, patterns, router, model, leg } = ctx;
  const transitAltM = model.settings.transitAltitudeRelM;
  const waypoints: Waypoint[] = [];
  const push = (wp: Waypoint) => {
    const last = waypoints.at(-1);
    const same =
      last && last.latDeg === wp.latDeg && last.lonDeg === wp.lonDeg && last.altRelM === wp.altRelM;
    if (!same || wp.roi !== undefined) waypoints.push(wp);
  };
  const transitTo = (from: number, to: number, latDeg: number, lonDeg: number) => {
    const corners = router.cornersBetween(from, to);
    for (let k = 0; k < corners.length; k += 2) {
      const geo = ctx.frame.toGeo({ eastM: corners[k], northM: corners[k + 1], upM: 0 });
      push({ latDeg: geo.latDeg, lonDeg: geo.lonDeg, altRelM: transitAltM, role: 'transit' });
    }
    push({ latDeg, lonDeg, altRelM: transitAltM, role: 'transit' });
  };

  push({ latDeg: launch.latDeg, lonDeg: launch.lonDeg, altRelM: transitAltM, role: 'transit' });
  const visits: SiteVisit[] = [];
  let distanceM = 0;
  const overhead = model.sortieOverhead();
  let timeS = overhead.timeS;
  let batteryS = overhead.batteryS;
  const transitTimeS = (a: number, b: number) => model.leg(router.distanceM(a, b)).timeS;
  let at = depot;
  let roiSet = false;
  for (const g of route) {
    const item = items.itemOf[g];
    const pattern = patterns[items.pattern[item]];
    const from = items.fromIndex[g];
    const to = items.toIndex[g];
    const reversed = items.reversed[g] === 1;
    const flown = flownWaypoints(pattern, from, to, reversed);
    distanceM += router.distanceM(at, items.entry[g]);
    timeS += transitTimeS(at, items.entry[g]) + items.workTimeS[item];
    batteryS += leg(at, items.entry[g]) + items.workS[item];
    transitTo(at, items.entry[g], flown[0].latDeg, flown[0].lonDeg);
    flown.forEach((wp, k) => {
      const camera = k === 0 ? cameraAt(pattern, reversed ? to : from) : {};
      const out: Waypoint = { ...camera, ...wp, role: 'pattern', siteId: pattern.siteId };
      push(out);
      if (out.roi) roiSet = true;
    });
    const exit = flown[flown.length - 1];
    push({
      latDeg: exit.latDeg,
      lonDeg: exit.lonDeg,
      altRelM: transitAltM,
      role: 'transit',
      ...(roiSet ? { roi: null } : {}),
    });
    roiSet = false;
    const lengthM = visitLengthM(pattern, from, to);
    distanceM += lengthM;
    visits.push({
      siteId: pattern.siteId,
      kind: pattern.kind,
      fromIndex: from,
      toIndex: to,
      reversed,
      lengthM,
      timeS: items.workTimeS[item],
    });
    at = items.exit[g];
  }
  distanceM += router.distanceM(at, depot);
  timeS += transitTimeS(at, depot);
  batteryS += leg(at, depot);
  transitTo(at, depot, launch.latDeg, launch.lonDeg);
  return { index, launch, visits, waypoints, distanceM, timeS, batteryPct: model.batteryPct(batteryS) };
}

type Camera = Pick<Waypoint, 'roi' | 'gimbalPitchDeg'>;

/**
 * The camera setting in force at pattern waypoint `index`: the last one set at or before it (round
 * the loop for a loop), else the pattern's first. Given to a visit's first waypoint, so that a pattern
 * entered part-way or flown backwards points the camera as the pattern means.
 */
function cameraAt(pattern: SitePattern, index: number): Camera {
  const wps = pattern.waypoints;
  const loop = loopLength(pattern);
  const order = loop > 0 ? loop : wps.length;
  const camera: Camera = {};
  for (const field of ['roi', 'gimbalPitchDeg'] as const) {
    for (let back = 0; back < order; back++) {
      const i = loop > 0 ? (((index - back) % loop) + loop) % loop : index - back;
      const value = i >= 0 ? wps[i][field] : undefined;
      if (value !== undefined) {
        Object.assign(camera, { [field]: value });
        break;
      }
    }
    if (!(field in camera)) {
      const first = wps.find((w) => w[field] !== undefined);
      if (first) Object.assign(camera, { [field]: first[field] });
    }
  }
  return camera;
}

/** Pattern waypoints `from`..`to` in flying order (loop indices wrap). */
function flownWaypoints(pattern: SitePattern, from: number, to: number, reversed: boolean): Waypoint[] {
  const loop = loopLength(pattern);
  const out: Waypoint[] = [];
  for (let i = from; i <= to; i++) out.push(pattern.waypoints[loop > 0 ? i % loop : i]);
  return reversed ? out.reverse() : out;
}
