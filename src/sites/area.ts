import { rewind } from '@turf/turf';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { UserError } from '../errors.js';
import { polygonalProblems } from './geometry-checks.js';
import { readSiteFile } from './read-file.js';
import type { SiteGeometry } from './types.js';

/**
 * A drawn area (a GeoJSON FeatureCollection or a KML document, as a site file is): every Polygon and
 * MultiPolygon feature in it together, checked as a site's outline is (closed rings, in range, not
 * crossing themselves; parts that do not overlap). Properties are ignored. Any problem is one
 * UserError naming the file and the feature.
 */
export async function loadAreaFile(file: string): Promise<SiteGeometry> {
  const { features } = await readSiteFile(file, 'area file');
  const polygons: Position[][][] = [];
  features.forEach((raw, index) => {
    const geometry = areaFromGeoJson(
      (raw as { geometry?: unknown } | null)?.geometry,
      `${file}: feature ${index}`,
    );
    if (geometry.type === 'Polygon') polygons.push(geometry.coordinates);
    else polygons.push(...geometry.coordinates);
  });
  const area: SiteGeometry =
    polygons.length === 1
      ? ({ type: 'Polygon', coordinates: polygons[0] } as Polygon)
      : ({ type: 'MultiPolygon', coordinates: polygons } as MultiPolygon);
  if (area.type === 'MultiPolygon' && features.length > 1) {
    const overlap = polygonalProblems('MultiPolygon', area.coordinates);
    if (overlap.length > 0) throw new UserError(`${file}: the area's polygons overlap: ${overlap[0]}`);
  }
  return rewind(area) as SiteGeometry;
}

/**
 * A Polygon or MultiPolygon given as GeoJSON (an API's query), checked as an area file's are; the first
 * problem with it as one UserError starting with `where`.
 */
export function areaFromGeoJson(value: unknown, where: string): SiteGeometry {
  const type = (value as { type?: unknown } | null)?.type;
  if (type !== 'Polygon' && type !== 'MultiPolygon') {
    throw new UserError(
      `${where}: expected a GeoJSON Polygon or MultiPolygon, got ${JSON.stringify(type ?? null)}`,
    );
  }
  const problems = polygonalProblems(type, (value as { coordinates?: unknown }).coordinates);
  if (problems.length > 0) throw new UserError(`${where}: ${problems[0]}`);
  const { coordinates } = value as SiteGeometry;
  return rewind({ type, coordinates } as SiteGeometry) as SiteGeometry;
}
