import { rewind } from '@turf/turf';
import type { Point } from 'geojson';
import { pointProblems, polygonalProblems } from './geometry-checks.js';
import type { FeatureRef, Problems } from './problems.js';
import { parseLaunchFields, parseNoFlyFields, parseSiteFields, readId, readKind } from './properties.js';
import type { FeatureKind, LaunchPoint, NoFlyZone, Site, SiteGeometry } from './types.js';

/** One feature of a site file, checked on its own and read into what it stands for. */
export type ParsedFeature =
  | { kind: 'site'; ref: FeatureRef; site: Site }
  | { kind: 'no-fly'; ref: FeatureRef; zone: NoFlyZone }
  | { kind: 'operating-area'; ref: FeatureRef; geometry: SiteGeometry }
  | { kind: 'launch'; ref: FeatureRef; launch: LaunchPoint };

const KIND_NAMES: Record<FeatureKind, string> = {
  site: 'a site',
  'no-fly': 'a no-fly zone',
  'operating-area': 'an operating area',
  launch: 'a launch point',
};

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * Reads feature `index` of `source`, recording every problem with it in `problems`; `feature` is null
 * when it has any. The only change made is ring winding: outer rings counter-clockwise, holes
 * clockwise (RFC 7946).
 */
export function parseFeature(
  raw: unknown,
  source: string,
  index: number,
  problems: Problems,
): { ref: FeatureRef; feature: ParsedFeature | null } {
  const unnamed: FeatureRef = { source, index, id: null };
  if (!isObject(raw) || raw.type !== 'Feature') {
    const type = isObject(raw) ? JSON.stringify(raw.type) : JSON.stringify(raw)?.slice(0, 40);
    problems.error(unnamed, `is not a GeoJSON Feature (type ${type})`);
    return { ref: unnamed, feature: null };
  }
  if (raw.properties !== undefined && raw.properties !== null && !isObject(raw.properties)) {
    problems.error(unnamed, 'properties must be an object or null');
    return { ref: unnamed, feature: null };
  }
  const properties = raw.properties ?? {};
  const { id, problem: idProblem } = readId(properties, raw.id);
  const ref: FeatureRef = { source, index, id };
  const kindRead = readKind(properties);
  if ('problem' in kindRead) {
    problems.error(ref, kindRead.problem);
    return { ref, feature: null };
  }
  const { kind } = kindRead;
  const found: string[] = idProblem ? [idProblem] : [];
  if (id === null && !idProblem && kind !== 'operating-area') found.push(`${KIND_NAMES[kind]} needs an id`);
  const shapeProblems = geometryProblems(kind, raw.geometry);
  found.push(...shapeProblems);
  // Read the properties even when the geometry is bad, to report both at once.
  const geometry = shapeProblems.length === 0 ? raw.geometry : null;
  const read = READERS[kind](ref, id ?? '', properties, geometry);
  if (Array.isArray(read)) found.push(...read);
  for (const p of found) problems.error(ref, p);
  return { ref, feature: found.length === 0 ? (read as ParsedFeature) : null };
}

function geometryProblems(kind: FeatureKind, geometry: unknown): string[] {
  if (geometry === null || geometry === undefined) return ['empty geometry (null)'];
  if (!isObject(geometry)) return ['geometry must be a GeoJSON geometry object'];
  const type = geometry.type;
  if (kind === 'launch') {
    if (type !== 'Point') return [`${KIND_NAMES[kind]} needs a Point geometry, got ${JSON.stringify(type)}`];
    return pointProblems(geometry.coordinates);
  }
  if (type !== 'Polygon' && type !== 'MultiPolygon') {
    return [`${KIND_NAMES[kind]} needs a Polygon or MultiPolygon geometry, got ${JSON.stringify(type)}`];
  }
  return polygonalProblems(type, geometry.coordinates);
}

/**
 * Reads a feature's properties (and its geometry, already checked, or null when it is bad) into its
 * record, or lists the problems. The record is only kept when the feature had no problem at all.
 */
type Reader = (
  ref: FeatureRef,
  id: string,
  properties: Record<string, unknown>,
  geometry: unknown,
) => ParsedFeature | string[];

const wound = (geometry: unknown) => rewind(geometry as SiteGeometry) as SiteGeometry;

const READERS: Record<FeatureKind, Reader> = {
  site: (ref, id, properties, geometry) => {
    const fields = parseSiteFields(properties);
    if (!fields.ok) return fields.problems;
    if (geometry === null) return [];
    const { name, contractor, address, risk, pattern } = fields.fields;
    const site: Site = {
      id,
      name,
      contractor: contractor ?? null,
      address: address ?? null,
      riskLevel: risk ?? null,
      pattern: pattern ?? null,
      geometry: wound(geometry),
      properties: { ...properties },
      featureIndex: ref.index,
      source: ref.source,
    };
    return { kind: 'site', ref, site };
  },
  'no-fly': (ref, id, properties, geometry) => {
    const fields = parseNoFlyFields(properties);
    if (!fields.ok) return fields.problems;
    if (geometry === null) return [];
    const zone: NoFlyZone = {
      id,
      name: fields.fields.name,
      geometry: wound(geometry),
      featureIndex: ref.index,
      source: ref.source,
    };
    return { kind: 'no-fly', ref, zone };
  },
  'operating-area': (ref, _id, _properties, geometry) =>
    geometry === null ? [] : { kind: 'operating-area', ref, geometry: wound(geometry) },
  launch: (ref, id, properties, geometry) => {
    const fields = parseLaunchFields(properties);
    if (!fields.ok) return fields.problems;
    if (geometry === null) return [];
    const [lonDeg, latDeg, altCoordM] = (geometry as Point).coordinates;
    const altPropM = fields.fields.altAmslM ?? null;
    if (altCoordM !== undefined && altPropM !== null && altCoordM !== altPropM) {
      return [`altitude ${altCoordM} m in the coordinates differs from altAmslM ${altPropM} m`];
    }
    return { kind: 'launch', ref, launch: { id, latDeg, lonDeg, altAmslM: altCoordM ?? altPropM } };
  },
};
