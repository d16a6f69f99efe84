import { difference, featureCollection, multiPolygon, polygon, union } from '@turf/turf';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import type { SitePattern } from '../../../src/plan/types.js';
import { areaM2, type MetricView, type XY } from './shapes.js';

/** Steps per half circle of a footprint's round end; inscribed, so coverage is if anything understated. */
const CAP_STEPS = 24;

/** The legs flown along the sweep heading: the transects. */
export function transects(pattern: SitePattern, view: MetricView): [XY, XY][] {
  const path = view.path(pattern.waypoints);
  const headingRad = ((pattern.sweepHeadingDeg ?? 0) * Math.PI) / 180;
  const out: [XY, XY][] = [];
  for (let i = 1; i < path.length; i++) {
    const [a, b] = [path[i - 1], path[i]];
    const lengthM = Math.hypot(b.x - a.x, b.y - a.y);
    if (lengthM < 1) continue;
    // Parallel when the leg has no component across the heading.
    const acrossM = (b.x - a.x) * Math.cos(headingRad) - (b.y - a.y) * Math.sin(headingRad);
    if (Math.abs(acrossM) / lengthM < Math.sin(Math.PI / 360)) out.push([a, b]);
  }
  return out;
}

/** A segment buffered by radiusM: the ground a nadir camera sees flying it. */
export function stadium(a: XY, b: XY, radiusM: number): Position[] {
  const heading = Math.atan2(b.y - a.y, b.x - a.x);
  const ring: Position[] = [];
  for (const [centre, from] of [
    [b, heading - Math.PI / 2],
    [a, heading + Math.PI / 2],
  ] as const) {
    for (let k = 0; k <= CAP_STEPS; k++) {
      const t = from + (Math.PI * k) / CAP_STEPS;
      ring.push([centre.x + radiusM * Math.cos(t), centre.y + radiusM * Math.sin(t)]);
    }
  }
  ring.push(ring[0]);
  return ring;
}

/** Share of the site's area outside every transect's footprint, in percent. */
export function uncoveredPct(
  pattern: SitePattern,
  view: MetricView,
  site: Polygon | MultiPolygon,
  swathM: number,
) {
  const sitePolys = view.polygons(site);
  const footprints = transects(pattern, view).map(([a, b]) => polygon([stadium(a, b, swathM / 2)]));
  const covered =
    footprints.length === 1 ? footprints[0] : union(featureCollection<Polygon | MultiPolygon>(footprints));
  if (!covered) return 100;
  const left = difference(featureCollection<Polygon | MultiPolygon>([multiPolygon(sitePolys), covered]));
  if (!left) return 0;
  const leftPolys =
    left.geometry.type === 'Polygon' ? [left.geometry.coordinates] : left.geometry.coordinates;
  return (100 * areaM2(leftPolys)) / areaM2(sitePolys);
}
