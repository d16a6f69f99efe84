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
    const geometry = (raw as { geometry?: { type?: unknown; coordinates?: unknown } } | null)?.geometry;
    const type = geometry?.type;
    if (type !== 'Polygon' && type !== 'MultiPolygon') {
      throw new UserError(
        `${file}: feature ${index}: an area needs Polygon or MultiPolygon geometries, got ${JSON.stringify(type ?? null)}`,
      );
    }
    const problems = polygonalProblems(type, geometry?.coordinates);
    if (problems.length > 0) throw new UserError(`${file}: feature ${index}: ${problems[0]}`);
    const coordinates = geometry?.coordinates as Position[][] | Position[][][];
    if (type === 'Polygon') polygons.push(coordinates as Position[][]);
    else polygons.push(...(coordinates as Position[][][]));
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
