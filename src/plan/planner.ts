import { UserError } from '../errors.js';
import { LocalFrame } from '../geo/index.js';
import type { SiteRegistry } from '../sites/index.js';
import { buildSitePattern } from './patterns/index.js';
import { airspaceFor } from './tour/airspace.js';
import { nearestItems, nearestNeighbourRoute } from './tour/construct.js';
import { bestEntries } from './tour/entries.js';
import { FlightCostModel } from './tour/flight-cost.js';
import { descend, iteratedSearch } from './tour/iterated-search.js';
import { checkPatterns, checkSitesFitBattery, patternsForSites } from './tour/plan-inputs.js';
import { rebalance, type SortieRoute } from './tour/rebalance.js';
import { buildSiteItems, type SiteItems } from './tour/site-items.js';
import { buildSortie } from './tour/sortie-build.js';
import { splitTour } from './tour/split.js';
import { type LegTimeS, routeTimeS } from './tour/tour-items.js';
import { TransitRouter } from './tour/transit-router.js';
import type { PatrolPlan, PlanSettings, SitePattern } from './types.js';

/** Nearest items the local search tries to join an item with. */
const NEIGHBOURS = 10;
/**
 * Double-bridge kicks of the iterated search per item of a sortie, and at most. A launch point's
 * whole tour gets local search only: kicks there cost far more and gained under 1 % on the district.
 */
const KICKS_PER_ITEM = 3;
const MAX_KICKS = 30;

export interface PlanOptions {
  /**
   * 'improved' (default): local search over each launch point's tour and items moved between sorties;
   * 'nearest-neighbour': the plain baseline, nearest neighbour then the same battery split.
   */
  ordering?: 'improved' | 'nearest-neighbour';
}

/**
 * Plans the patrol: each site's pattern (built here unless given), sites shared among the launch
 * points, an order per launch point that minimises the battery it uses, cut into sorties that each fit
 * the battery, with transit legs around no-fly zones and inside the operating area.
 */
export function planPatrol(
  registry: SiteRegistry,
  settings: PlanSettings,
  patterns?: SitePattern[],
  options: PlanOptions = {},
): PatrolPlan {
  const model = new FlightCostModel(settings);
  if (registry.launchPoints.length === 0) {
    throw new UserError('no launch point: add one to the site file (kind "launch") or give --launch LAT,LON');
  }
  checkSitesFitBattery(registry.sites, model);
  const sitePatterns = patterns
    ? patternsForSites(registry, patterns)
    : registry.sites.map((site) => buildSitePattern(site, settings, registry.noFlyZones));
  const origin = registry.launchPoints[0];
  const frame = new LocalFrame({ latDeg: origin.latDeg, lonDeg: origin.lonDeg, altAmslM: 0 });
  const airspace = airspaceFor(registry.noFlyZones, registry.operatingArea, frame);
  checkPatterns(sitePatterns, settings, airspace, frame);
  const router = new TransitRouter(airspace);
  const leg: LegTimeS = (a, b) => model.leg(router.distanceM(a, b)).batteryS;
  const depots = registry.launchPoints.map((launch) => {
    const p = frame.toLocal(launch.latDeg, launch.lonDeg, 0);
    const id = router.addPoint(p.eastM, p.northM);
    const where = router.pointClass(id);
    if (where.inZone || !where.inArea) {
      throw new UserError(`launch point ${launch.id} lies in a no-fly zone or outside the operating area`);
    }
    return id;
  });
  const items = buildSiteItems(sitePatterns, {
    router,
    frame,
    model,
    leg,
    launchPoints: depots,
    launchIds: registry.launchPoints.map((l) => l.id),
  });
  const sorties = orderSorties(items, depots, router, model, leg, options.ordering !== 'nearest-neighbour');
  const ctx = { items, patterns: sitePatterns, router, frame, model, leg };
  return {
    sorties: sorties.map((s, k) =>
      buildSortie(k + 1, registry.launchPoints[depots.indexOf(s.depot)], s.depot, s.route, ctx),
    ),
    patterns: sitePatterns,
    settings,
  };
}

/**
 * Per launch point a tour of its items (nearest neighbour, then local search), cut into sorties by
 * battery; then items moved between sorties and every sortie searched again, loops entered at their
 * best vertex. `improved` false stops after the cut: the nearest-neighbour baseline.
 */
function orderSorties(
  items: SiteItems,
  depots: number[],
  router: TransitRouter,
  model: FlightCostModel,
  leg: LegTimeS,
  improved: boolean,
): SortieRoute[] {
  const near = improved ? nearestItems(items, router, NEIGHBOURS) : [];
  const overheadS = model.sortieOverhead().batteryS;
  const timed = (depot: number, route: number[]) => ({
    depot,
    route,
    timeS: overheadS + routeTimeS(route, depot, items, leg),
  });
  const sorties = depots.flatMap((depot, l) => {
    const ids = [...Array(items.count).keys()].filter((i) => items.launch[i] === l);
    const start = nearestNeighbourRoute(ids, depot, items, router);
    const tour = improved ? descend(start, depot, items, leg, near) : start;
    return splitTour(tour, depot, items, leg, overheadS, model.usableS).map((part) => timed(depot, part));
  });
  if (!improved) return sorties;
  return rebalance(sorties, items, leg, near, model.usableS).map((s, k) => {
    const kicks = Math.min(MAX_KICKS, KICKS_PER_ITEM * s.route.length);
    const searched = iteratedSearch(s.route, s.depot, items, leg, near, kicks, k + 1);
    return timed(s.depot, bestEntries(searched, s.depot, items, leg, true));
  });
}
