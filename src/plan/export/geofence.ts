import { booleanPointInPolygon } from '@turf/turf';
import type { Position } from 'geojson';
import type { SiteGeometry, SiteRegistry } from '../../sites/index.js';
import type { FencePolygon, GeoFence, LatLon, RallyPoint } from '../formats/mission-plan.js';

/** A Polygon or MultiPolygon as a list of polygons, each a list of rings (outer first). */
export function polygonsOf(geometry: SiteGeometry): Position[][][] {
  return geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
}

/** A GeoJSON ring (lon, lat, closed) as fence vertices (lat, lon, not closed), as QGroundControl keeps them. */
function fenceVertices(ring: Position[]): LatLon[] {
  const [first, last] = [ring[0], ring[ring.length - 1]];
  const open = ring.length > 1 && first[0] === last[0] && first[1] === last[1] ? ring.slice(0, -1) : ring;
  return open.map(([lonDeg, latDeg]) => ({ latDeg, lonDeg }));
}

/**
 * The geofence a sortie carries: the operating area as inclusion polygons (its holes as exclusions)
 * and every no-fly zone as exclusion polygons. ArduPilot demands the vehicle be inside every
 * inclusion polygon at once, so of a MultiPolygon area only the parts the route touches are kept.
 * A no-fly zone's holes are dropped: fencing off the whole outline is the safe side.
 */
export function sortieGeoFence(
  registry: Pick<SiteRegistry, 'noFlyZones' | 'operatingArea'>,
  route: LatLon[],
): GeoFence {
  const polygons: FencePolygon[] = [];
  if (registry.operatingArea) {
    const parts = polygonsOf(registry.operatingArea);
    const flown =
      parts.length === 1
        ? parts
        : parts.filter((rings) =>
            route.some((p) =>
              booleanPointInPolygon([p.lonDeg, p.latDeg], { type: 'Polygon', coordinates: rings }),
            ),
          );
    for (const [outer, ...holes] of flown) {
      polygons.push({ inclusion: true, vertices: fenceVertices(outer) });
      for (const hole of holes) polygons.push({ inclusion: false, vertices: fenceVertices(hole) });
    }
  }
  for (const zone of registry.noFlyZones) {
    for (const [outer] of polygonsOf(zone.geometry)) {
      polygons.push({ inclusion: false, vertices: fenceVertices(outer) });
    }
  }
  return { polygons, circles: [] };
}

/** Every launch point is a place to come down safely; the vehicle flies to it at transit altitude. */
export function launchRallyPoints(
  registry: Pick<SiteRegistry, 'launchPoints'>,
  altRelM: number,
): RallyPoint[] {
  return registry.launchPoints.map((launch) => ({ latDeg: launch.latDeg, lonDeg: launch.lonDeg, altRelM }));
}
