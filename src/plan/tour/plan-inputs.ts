import { length, lineString } from '@turf/turf';
import { ENERGY, powerRatio } from '../../energy.js';
import { UserError } from '../../errors.js';
import type { LocalFrame } from '../../geo/index.js';
import { describeSite, type Site, type SiteGeometry, type SiteRegistry } from '../../sites/index.js';
import type { PlanSettings, SitePattern } from '../types.js';
import type { Airspace } from './airspace.js';
import type { FlightCostModel } from './flight-cost.js';

/** Sites named in a battery error before the rest are counted. */
const MAX_LISTED = 10;

/** Length of a site's outer boundary (every part's outer ring; holes excluded), metres. */
export function siteBoundaryLengthM(geometry: SiteGeometry): number {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  return polygons.reduce((sum, rings) => sum + length(lineString(rings[0]), { units: 'meters' }), 0);
}

/**
 * Refuses the sites that no sortie can watch whole with this battery: one lap of the boundary at
 * cruise speed (no transit, no wind, no offset, no turn; less than any watch of the site takes) needs
 * more than the battery gives less its reserve. One line per site, naming it and why.
 */
export function checkSitesFitBattery(sites: Site[], model: FlightCostModel): void {
  const { cruiseSpeedMs, reservePct } = model.settings;
  const speedMs = Math.min(cruiseSpeedMs, ENERGY.maxAirspeedMs);
  const lines: string[] = [];
  for (const site of sites) {
    const boundaryM = siteBoundaryLengthM(site.geometry);
    const lapS = boundaryM / speedMs;
    const lapBatteryS = lapS * powerRatio(speedMs);
    if (lapBatteryS <= model.usableS) continue;
    lines.push(
      `${describeSite(site)}: the site is too large for one battery: its boundary is ${(boundaryM / 1000).toFixed(1)} km, ` +
        `one lap at ${speedMs} m/s takes ${(lapS / 60).toFixed(1)} min and ${model.batteryPct(lapBatteryS).toFixed(0)} % ` +
        `of a battery, more than the ${100 - reservePct} % usable with a ${reservePct} % reserve; ` +
        'split it into smaller sites',
    );
  }
  if (lines.length === 0) return;
  if (lines.length === 1) throw new UserError(lines[0]);
  const listed = lines.slice(0, MAX_LISTED).map((l) => `  ${l}`);
  if (lines.length > MAX_LISTED) listed.push(`  ... and ${lines.length - MAX_LISTED} more`);
  throw new UserError(`${lines.length} sites are too large for one battery:\n${listed.join('\n')}`);
}

/** The given patterns in site order; every site needs exactly one, and no pattern may name another. */
export function patternsForSites(registry: SiteRegistry, patterns: SitePattern[]): SitePattern[] {
  const byId = new Map<string, SitePattern>();
  for (const p of patterns) {
    if (byId.has(p.siteId)) throw new UserError(`two patterns given for site ${p.siteId}`);
    byId.set(p.siteId, p);
  }
  const siteIds = new Set(registry.sites.map((s) => s.id));
  const strangers = patterns.filter((p) => !siteIds.has(p.siteId)).map((p) => p.siteId);
  if (strangers.length > 0) throw new UserError(`patterns given for unknown sites: ${strangers.join(', ')}`);
  const missing = registry.sites.filter((s) => !byId.has(s.id)).map((s) => s.id);
  if (missing.length > 0) throw new UserError(`no pattern given for sites: ${missing.join(', ')}`);
  return registry.sites.map((s) => byId.get(s.id) as SitePattern);
}

/** Every pattern waypoint within the altitude limit and the operating area, every pattern leg clear. */
export function checkPatterns(
  patterns: SitePattern[],
  settings: PlanSettings,
  airspace: Airspace,
  frame: LocalFrame,
): void {
  const limitM = settings.maxAltitudeAglM;
  if (settings.transitAltitudeRelM > limitM) {
    throw new UserError(
      `transit altitude ${settings.transitAltitudeRelM} m is above the ${limitM} m AGL limit`,
    );
  }
  const tooHigh: string[] = [];
  const outside: string[] = [];
  for (const p of patterns) {
    if (p.waypoints.length === 0) throw new UserError(`site ${p.siteId}: its pattern has no waypoints`);
    if (p.waypoints.some((wp) => wp.altRelM > limitM || wp.altRelM < 0)) tooHigh.push(p.siteId);
    const xy = p.waypoints.map((wp) => frame.toLocal(wp.latDeg, wp.lonDeg, 0));
    const legal = xy.every((a, i) => {
      const b = xy[Math.min(i + 1, xy.length - 1)];
      return airspace.isLegal(a.eastM, a.northM, b.eastM, b.northM);
    });
    if (!legal) outside.push(p.siteId);
  }
  if (tooHigh.length > 0) {
    throw new UserError(
      `pattern waypoints outside 0–${limitM} m above ground at sites: ${tooHigh.join(', ')}`,
    );
  }
  if (outside.length > 0) {
    throw new UserError(
      `patterns that enter a no-fly zone or leave the operating area at sites: ${outside.join(', ')}`,
    );
  }
}
