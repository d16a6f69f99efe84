import type { Feature, FeatureCollection, GeoJsonProperties, Geometry } from 'geojson';
import type { SiteRegistry } from '../../sites/index.js';
import type { Sortie } from '../types.js';
import { routeTrack, visitedSites } from './route.js';

function feature(geometry: Geometry, properties: GeoJsonProperties): Feature {
  return { type: 'Feature', geometry, properties };
}

/** Drops the keys whose value is undefined, so properties hold only what the waypoint says. */
function defined(properties: Record<string, unknown>): GeoJsonProperties {
  return Object.fromEntries(Object.entries(properties).filter(([, value]) => value !== undefined));
}

/**
 * A sortie as an RFC 7946 FeatureCollection (positions [lon, lat]; altitudes above the launch point go
 * in properties, since a third coordinate would mean height above the ellipsoid): the route as a
 * LineString, the launch point and each waypoint as Points (`kind` tells them apart), the sites it
 * visits and the no-fly zones as their polygons.
 */
export function sortieGeoJson(
  sortie: Sortie,
  registry: Pick<SiteRegistry, 'sites' | 'noFlyZones'>,
  name: string,
): FeatureCollection {
  const { launch } = sortie;
  const features: Feature[] = [
    feature(
      { type: 'LineString', coordinates: routeTrack(sortie).map((p) => [p.lonDeg, p.latDeg]) },
      {
        kind: 'route',
        sortie: name,
        launchId: launch.id,
        siteIds: sortie.visits.map((visit) => visit.siteId),
        distanceM: sortie.distanceM,
        timeS: sortie.timeS,
        batteryPct: sortie.batteryPct,
      },
    ),
    feature(
      { type: 'Point', coordinates: [launch.lonDeg, launch.latDeg] },
      { kind: 'launch', id: launch.id, altAmslM: launch.altAmslM },
    ),
    ...sortie.waypoints.map((waypoint, i) =>
      feature(
        { type: 'Point', coordinates: [waypoint.lonDeg, waypoint.latDeg] },
        defined({
          kind: 'waypoint',
          index: i + 1,
          role: waypoint.role,
          siteId: waypoint.siteId,
          altRelM: waypoint.altRelM,
          holdS: waypoint.holdS,
          gimbalPitchDeg: waypoint.gimbalPitchDeg,
          roi: waypoint.roi,
        }),
      ),
    ),
    ...visitedSites(sortie, registry).map((site) =>
      feature(site.geometry, {
        kind: 'site',
        id: site.id,
        name: site.name,
        contractor: site.contractor,
        pattern: sortie.visits.find((visit) => visit.siteId === site.id)?.kind,
      }),
    ),
    ...registry.noFlyZones.map((zone) =>
      feature(zone.geometry, { kind: 'no-fly', id: zone.id, name: zone.name }),
    ),
  ];
  return { type: 'FeatureCollection', features };
}
