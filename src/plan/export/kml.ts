import type { Position } from 'geojson';
import type { SiteGeometry, SiteRegistry } from '../../sites/index.js';
import type { Sortie, Waypoint } from '../types.js';
import { polygonsOf } from './geofence.js';
import { routeTrack, visitedSites } from './route.js';

/** KML colours are aabbggrr. */
const STYLES = `    <Style id="route"><LineStyle><color>ff00a5ff</color><width>3</width></LineStyle></Style>
    <Style id="waypoint"><IconStyle><scale>0.6</scale></IconStyle><LabelStyle><scale>0.6</scale></LabelStyle></Style>
    <Style id="launch"><IconStyle><scale>1.2</scale></IconStyle></Style>
    <Style id="site"><LineStyle><color>ff00d7ff</color><width>2</width></LineStyle><PolyStyle><color>4000d7ff</color></PolyStyle></Style>
    <Style id="no-fly"><LineStyle><color>ff0000ff</color><width>2</width></LineStyle><PolyStyle><color>660000ff</color></PolyStyle></Style>`;

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

function xml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]);
}

function extendedData(data: Record<string, string | number | undefined>): string {
  const entries = Object.entries(data).filter(([, value]) => value !== undefined);
  return `<ExtendedData>${entries.map(([key, value]) => `<Data name="${xml(key)}"><value>${xml(String(value))}</value></Data>`).join('')}</ExtendedData>`;
}

function placemark(
  name: string,
  style: string,
  data: Record<string, string | number | undefined>,
  geometry: string,
): string {
  return `      <Placemark><name>${xml(name)}</name><styleUrl>#${style}</styleUrl>${extendedData(data)}${geometry}</Placemark>`;
}

function folder(name: string, placemarks: string[]): string {
  return `    <Folder><name>${xml(name)}</name>\n${placemarks.map((p) => `${p}\n`).join('')}    </Folder>`;
}

function ring(positions: Position[]): string {
  return `<LinearRing><coordinates>${positions.map(([lon, lat]) => `${lon},${lat}`).join(' ')}</coordinates></LinearRing>`;
}

/** A Polygon or MultiPolygon on the ground; KML rings, like GeoJSON's, repeat their first point. */
function polygonKml(geometry: SiteGeometry): string {
  const polygons = polygonsOf(geometry).map(
    ([outer, ...holes]) =>
      `<Polygon><tessellate>1</tessellate><outerBoundaryIs>${ring(outer)}</outerBoundaryIs>${holes
        .map((hole) => `<innerBoundaryIs>${ring(hole)}</innerBoundaryIs>`)
        .join('')}</Polygon>`,
  );
  return polygons.length === 1 ? polygons[0] : `<MultiGeometry>${polygons.join('')}</MultiGeometry>`;
}

/** Altitudes are above the launch point; KML shows them above the ground under each point. */
function pointKml(latDeg: number, lonDeg: number, altRelM: number): string {
  return `<Point><altitudeMode>relativeToGround</altitudeMode><coordinates>${lonDeg},${latDeg},${altRelM}</coordinates></Point>`;
}

function waypointPlacemark(waypoint: Waypoint, i: number): string {
  return placemark(
    `WP ${i + 1}`,
    'waypoint',
    {
      index: i + 1,
      role: waypoint.role,
      siteId: waypoint.siteId,
      altRelM: waypoint.altRelM,
      holdS: waypoint.holdS,
      gimbalPitchDeg: waypoint.gimbalPitchDeg,
    },
    pointKml(waypoint.latDeg, waypoint.lonDeg, waypoint.altRelM),
  );
}

/**
 * A sortie as a KML 2.2 document for Google Earth and GIS tools: folders for the route (a LineString
 * at flight altitude), its waypoints, the sites it visits and the no-fly zones, each styled.
 */
export function sortieKml(
  sortie: Sortie,
  registry: Pick<SiteRegistry, 'sites' | 'noFlyZones'>,
  name: string,
): string {
  const { launch } = sortie;
  const track = routeTrack(sortie);
  const altitudes = [0, ...sortie.waypoints.map((w) => w.altRelM), 0];
  const route = placemark(
    name,
    'route',
    { distanceM: sortie.distanceM, timeS: sortie.timeS, batteryPct: sortie.batteryPct },
    `<LineString><tessellate>1</tessellate><altitudeMode>relativeToGround</altitudeMode><coordinates>${track
      .map((p, i) => `${p.lonDeg},${p.latDeg},${altitudes[i]}`)
      .join(' ')}</coordinates></LineString>`,
  );
  const launchMark = placemark(
    `launch ${launch.id}`,
    'launch',
    { id: launch.id },
    pointKml(launch.latDeg, launch.lonDeg, 0),
  );
  const sites = visitedSites(sortie, registry).map((site) =>
    placemark(
      site.name,
      'site',
      { id: site.id, contractor: site.contractor ?? undefined },
      polygonKml(site.geometry),
    ),
  );
  const zones = registry.noFlyZones.map((zone) =>
    placemark(zone.name, 'no-fly', { id: zone.id }, polygonKml(zone.geometry)),
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<kml xmlns="http://www.opengis.net/kml/2.2">',
    '  <Document>',
    `    <name>${xml(name)}</name>`,
    STYLES,
    folder('Route', [route, launchMark]),
    folder('Waypoints', sortie.waypoints.map(waypointPlacemark)),
    folder('Sites', sites),
    folder('No-fly zones', zones),
    '  </Document>',
    '</kml>',
    '',
  ].join('\n');
}
