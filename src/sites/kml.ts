import { kml } from '@tmcw/togeojson';
import { DOMParser } from '@xmldom/xmldom';
import type { Feature, Geometry, Polygon } from 'geojson';
import { UserError } from '../errors.js';

/**
 * KML placemarks as GeoJSON features (via togeojson), in document order. ExtendedData becomes
 * properties (as text); a MultiGeometry of polygons becomes a MultiPolygon, KML's only way to say one.
 */
export function kmlToFeatures(text: string, source: string): unknown[] {
  let where = '';
  let problem = '';
  const parser = new DOMParser({
    onError: (level, message, context) => {
      if (level === 'warning') return;
      const locator = (context as { locator?: { lineNumber?: number; columnNumber?: number } })?.locator;
      if (locator?.lineNumber) where = ` at line ${locator.lineNumber}, column ${locator.columnNumber}`;
      problem = message;
      throw new Error(message);
    },
  });
  let doc: ReturnType<DOMParser['parseFromString']>;
  try {
    doc = parser.parseFromString(text, 'text/xml');
  } catch (err) {
    throw new UserError(`${source}: invalid KML${where}: ${problem || firstLine((err as Error).message)}`);
  }
  const root = doc.documentElement?.localName;
  if (root !== 'kml') {
    throw new UserError(`${source}: not a KML document (its root element is <${root}>, not <kml>)`);
  }
  return kml(doc).features.map(multiGeometryAsMultiPolygon);
}

function firstLine(message: string): string {
  return message
    .split('\n')[0]
    .replace(/^\[xmldom [^\]]*\]\s*/, '')
    .trim();
}

function multiGeometryAsMultiPolygon(feature: Feature<Geometry | null>): Feature<Geometry | null> {
  const g = feature.geometry;
  if (g?.type !== 'GeometryCollection' || !g.geometries.every((part) => part.type === 'Polygon'))
    return feature;
  const coordinates = (g.geometries as Polygon[]).map((part) => part.coordinates);
  return { ...feature, geometry: { type: 'MultiPolygon', coordinates } };
}
