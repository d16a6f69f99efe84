import {
  area,
  booleanIntersects,
  booleanWithin,
  centroid,
  distance,
  feature,
  featureCollection,
  intersect,
  point,
} from '@turf/turf';
import type { ParsedFeature } from './feature.js';
import { describeFeature, type FeatureRef, type Problems } from './problems.js';
import type { NoFlyZone, Site, SiteGeometry } from './types.js';

/** A feature this far from the middle of all the others is not part of the same district. */
const FAR_FROM_OTHERS_M = 50_000;
/** Fewer features than this have no middle to be far from. */
const MIN_FEATURES_FOR_DISTANCE_CHECK = 3;
const M2_PER_HA = 10_000;

/** Two features with one id: the later one is wrong. */
export function checkDuplicateIds(refs: FeatureRef[], problems: Problems): void {
  const first = new Map<string, FeatureRef>();
  for (const ref of refs) {
    if (ref.id === null) continue;
    const earlier = first.get(ref.id);
    if (earlier) {
      problems.error(ref, `duplicate id: feature ${earlier.index} of ${earlier.source} has it too`);
    } else {
      first.set(ref.id, ref);
    }
  }
}

/** What needs all the features read: where they lie against each other, the operating area and no-fly zones. */
export function checkRelations(features: ParsedFeature[], problems: Problems): void {
  checkDistances(features, problems);
  const areas = features.filter((f) => f.kind === 'operating-area');
  for (const extra of areas.slice(1)) {
    problems.error(
      extra.ref,
      `a second operating area (the first is ${describeFeature(areas[0].ref)}); give one, a MultiPolygon if it has parts`,
    );
  }
  const operatingArea = areas[0]?.geometry ?? null;
  const zones = features.flatMap((f) => (f.kind === 'no-fly' ? [f.zone] : []));
  for (const f of features) {
    if (f.kind === 'site') checkSite(f.site, f.ref, operatingArea, zones, problems);
    if (f.kind === 'launch') {
      const at = point([f.launch.lonDeg, f.launch.latDeg]);
      if (operatingArea && !booleanWithin(at, operatingArea)) {
        problems.error(f.ref, 'the launch point lies outside the operating area');
      }
      const zone = zones.find((z) => booleanIntersects(at, z.geometry));
      if (zone) problems.error(f.ref, `the launch point lies inside ${describeZone(zone)}`);
    }
  }
}

function checkSite(
  site: Site,
  ref: FeatureRef,
  operatingArea: SiteGeometry | null,
  zones: NoFlyZone[],
  problems: Problems,
): void {
  if (operatingArea && !booleanWithin(site.geometry, operatingArea)) {
    problems.error(
      ref,
      booleanIntersects(site.geometry, operatingArea)
        ? 'the site extends outside the operating area'
        : 'the site lies outside the operating area',
    );
  }
  for (const zone of zones) {
    if (!booleanIntersects(site.geometry, zone.geometry)) continue;
    if (booleanWithin(site.geometry, zone.geometry)) {
      problems.error(ref, `the site lies wholly inside ${describeZone(zone)}`);
      continue;
    }
    const overlap = intersect(featureCollection([feature(site.geometry), feature(zone.geometry)]));
    const overlapHa = overlap ? area(overlap) / M2_PER_HA : 0;
    if (overlapHa > 0) {
      problems.warn(
        ref,
        `the site overlaps ${describeZone(zone)} by ${overlapHa.toFixed(2)} ha; patterns must keep out of it`,
      );
    }
  }
}

function describeZone(zone: NoFlyZone): string {
  return `no-fly zone '${zone.id}' (${zone.name})`;
}

/**
 * A feature far from the middle of the others (the median of their centres) is a mistake. When
 * swapping its longitude and latitude would bring it among them, that is the mistake (an error);
 * otherwise it is only suspicious (a warning).
 */
function checkDistances(features: ParsedFeature[], problems: Problems): void {
  if (features.length < MIN_FEATURES_FOR_DISTANCE_CHECK) return;
  const centres = features.map((f) => centreOf(f));
  const middle = [median(centres.map((c) => c[0])), median(centres.map((c) => c[1]))];
  features.forEach((f, i) => {
    const [lon, lat] = centres[i];
    const awayM = distance(middle, [lon, lat], { units: 'meters' });
    if (awayM <= FAR_FROM_OTHERS_M) return;
    const awayKm = Math.round(awayM / 1000);
    const swappedAwayM = Math.abs(lon) <= 90 ? distance(middle, [lat, lon], { units: 'meters' }) : Infinity;
    if (swappedAwayM <= FAR_FROM_OTHERS_M) {
      problems.error(
        f.ref,
        `longitude and latitude look swapped: as given it lies ${awayKm} km from the other features, ` +
          'swapped it lies among them (GeoJSON order is [longitude, latitude])',
      );
    } else {
      problems.warn(f.ref, `lies ${awayKm} km from the other features`);
    }
  });
}

function centreOf(f: ParsedFeature): number[] {
  if (f.kind === 'launch') return [f.launch.lonDeg, f.launch.latDeg];
  if (f.kind === 'site') return centroid(f.site.geometry).geometry.coordinates;
  if (f.kind === 'no-fly') return centroid(f.zone.geometry).geometry.coordinates;
  return centroid(f.geometry).geometry.coordinates;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
