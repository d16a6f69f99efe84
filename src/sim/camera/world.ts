import fs from 'node:fs/promises';
import { UserError } from '../../errors.js';
import { LocalFrame } from '../../geo/index.js';
import { type Json, parseJsonText } from '../../json-text.js';
import { registryFromFeatures, type Site, type SiteRegistry } from '../../sites/index.js';

/** Plume defaults: length along the wind, and peak opacity. */
const DEFAULT_LENGTH_M = 30;
const DEFAULT_OPACITY = 0.8;
const OPACITY_MIN = 0.45;
const OPACITY_MAX = 0.95;
const DEFAULT_SEED = 1;

/** A dust plume at a known ground position (its source point). */
export interface WorldPlume {
  id: string;
  latDeg: number;
  lonDeg: number;
  /** Reach along the wind, metres. */
  lengthM: number;
  /** Full width at the source, metres. */
  widthM: number;
  /** Peak opacity, 0.45–0.95. */
  opacity: number;
  /** Direction the wind blows from, degrees; the plume drifts the other way. */
  windFromDeg: number;
  /** Sim seconds while the plume is active: [startS, endS). */
  startS: number;
  endS: number;
  /** The site the source lies in, if any. */
  siteId: string | null;
  featureIndex: number;
}

/** A site polygon in the world's local frame: rings of [east, north] metres (holes included, even-odd). */
export interface WorldSite {
  id: string;
  rings: Float64Array[];
  /** Bounding box in local metres. */
  minE: number;
  minN: number;
  maxE: number;
  maxN: number;
}

/** The synthetic world the simulated camera sees: construction sites in a district, and dust plumes. */
export interface World {
  source: string;
  /** Seeds every procedural texture and plume shape. */
  seed: number;
  /** Direction the wind blows from, degrees (plumes without their own windFromDeg follow it). */
  windFromDeg: number;
  /** The local frame every texture is drawn in (fixed per world, so textures never move). */
  frame: LocalFrame;
  sites: WorldSite[];
  plumes: WorldPlume[];
  /** The site-file part, when the world has any site features. */
  registry: SiteRegistry | null;
}

export interface WorldOptions {
  /** Wind for plumes and a world without a top-level windFromDeg (default 0). */
  windFromDeg?: number;
}

/**
 * Reads a world file: a GeoJSON FeatureCollection whose Point features with `kind: "plume"` are dust
 * plumes and whose other features are site-file features (sites, no-fly zones, operating area, launch
 * points). Top-level members `seed` (integer, default 1) and `windFromDeg` are optional. Every problem
 * is one UserError naming the file, the feature index and the field.
 */
export async function loadWorld(file: string, options: WorldOptions = {}): Promise<World> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${file}: no such world file`);
    if (code === 'EISDIR') throw new UserError(`${file}: is a directory, not a world file`);
    throw new UserError(`${file}: cannot read the world file (${(err as Error).message})`);
  }
  const trimmed = text.replace(/^\ufeff/, '').trim();
  if (trimmed === '') throw new UserError(`${file}: the world file is empty`);
  return parseWorld(parseJsonText(trimmed, file), file, options);
}

/** The world in an already parsed GeoJSON document; `source` names it in messages. */
export function parseWorld(doc: Json, source: string, options: WorldOptions = {}): World {
  if (!isObject(doc) || doc.type !== 'FeatureCollection') {
    throw new UserError(`${source}: expected a GeoJSON FeatureCollection`);
  }
  if (!Array.isArray(doc.features))
    throw new UserError(`${source}: the FeatureCollection has no features array`);
  const seed = doc.seed ?? DEFAULT_SEED;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed >= 2 ** 31) {
    throw new UserError(
      `${source}: seed must be a whole number from 0 to 2^31-1, got ${JSON.stringify(seed)}`,
    );
  }
  const wind = doc.windFromDeg ?? options.windFromDeg ?? 0;
  if (typeof wind !== 'number' || !Number.isFinite(wind)) {
    throw new UserError(`${source}: windFromDeg must be a number of degrees, got ${JSON.stringify(wind)}`);
  }
  const plumeRaw: { raw: Record<string, Json>; index: number }[] = [];
  const siteFeatures: unknown[] = [];
  const siteIndexes: number[] = [];
  doc.features.forEach((raw, index) => {
    if (isObject(raw) && isObject(raw.properties) && raw.properties.kind === 'plume') {
      plumeRaw.push({ raw, index });
    } else {
      siteFeatures.push(raw);
      siteIndexes.push(index);
    }
  });
  let registry: SiteRegistry | null = null;
  if (siteFeatures.length > 0) {
    try {
      registry = registryFromFeatures([{ source, features: siteFeatures }]);
    } catch (err) {
      // The registry counts only the site features; name the world file's own feature indexes.
      if (err instanceof UserError) {
        throw new UserError(
          err.message.replace(/: feature (\d+)/g, (_m, i: string) => `: feature ${siteIndexes[Number(i)]}`),
          err.exitCode,
        );
      }
      throw err;
    }
  }
  const plumePoints = plumeRaw.map(({ raw, index }) => readPlumePoint(raw, index, source));
  const frame = new LocalFrame({ ...worldOrigin(registry, plumePoints), altAmslM: 0 });
  const sites = (registry?.sites ?? []).map((site) => toWorldSite(site, frame));
  const ids = new Set<string>();
  const plumes = plumeRaw.map(({ raw, index }, i) => {
    const plume = readPlume(raw, index, source, plumePoints[i], ((wind % 360) + 360) % 360);
    if (ids.has(plume.id))
      throw new UserError(`${source}: feature ${index}: plume id '${plume.id}' is used twice`);
    ids.add(plume.id);
    const local = frame.toLocal(plume.latDeg, plume.lonDeg, 0);
    plume.siteId = sites.find((s) => insideSite(s, local.eastM, local.northM))?.id ?? null;
    return plume;
  });
  return { source, seed, windFromDeg: wind, frame, sites, plumes, registry };
}

/** Whether the local point (east, north) lies in the site (even-odd over all its rings). */
export function insideSite(site: WorldSite, e: number, n: number): boolean {
  if (e < site.minE || e > site.maxE || n < site.minN || n > site.maxN) return false;
  let inside = false;
  for (const ring of site.rings) {
    const count = ring.length / 2;
    for (let i = 0, j = count - 1; i < count; j = i++) {
      const ae = ring[2 * i];
      const an = ring[2 * i + 1];
      const be = ring[2 * j];
      const bn = ring[2 * j + 1];
      if (an > n !== bn > n && e < ((be - ae) * (n - an)) / (bn - an) + ae) inside = !inside;
    }
  }
  return inside;
}

function readPlumePoint(raw: Record<string, Json>, index: number, source: string): [number, number] {
  const where = `${source}: feature ${index}`;
  const geometry = raw.geometry;
  if (!isObject(geometry) || geometry.type !== 'Point') {
    throw new UserError(`${where}: a plume needs a Point geometry`);
  }
  const c = geometry.coordinates;
  if (!Array.isArray(c) || c.length < 2 || typeof c[0] !== 'number' || typeof c[1] !== 'number') {
    throw new UserError(`${where}: a plume needs coordinates [lon, lat]`);
  }
  const [lon, lat] = c as [number, number];
  if (!(Math.abs(lat) <= 85) || !(Math.abs(lon) <= 180)) {
    throw new UserError(`${where}: coordinates [${lon}, ${lat}] are not a longitude and latitude`);
  }
  return [lon, lat];
}

function readPlume(
  raw: Record<string, Json>,
  index: number,
  source: string,
  [lonDeg, latDeg]: [number, number],
  worldWindDeg: number,
): WorldPlume {
  const where = `${source}: feature ${index}`;
  const p = raw.properties as Record<string, Json>;
  const id = p.id ?? raw.id;
  if (typeof id !== 'string' || id.trim() === '')
    throw new UserError(`${where}: a plume needs an id (a string)`);
  const num = (field: string, fallback: number, ok: (v: number) => boolean, range: string): number => {
    const v = p[field];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) {
      throw new UserError(`${where} (plume '${id}'): ${field} must be ${range}, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  const lengthM = num('lengthM', DEFAULT_LENGTH_M, (v) => v >= 2 && v <= 500, 'metres from 2 to 500');
  const widthM = num('widthM', lengthM * 0.35, (v) => v > 0 && v <= 500, 'metres from 0 to 500');
  const opacity = num(
    'opacity',
    DEFAULT_OPACITY,
    (v) => v >= OPACITY_MIN && v <= OPACITY_MAX,
    `a peak opacity from ${OPACITY_MIN} to ${OPACITY_MAX}`,
  );
  const windFromDeg = num('windFromDeg', worldWindDeg, () => true, 'degrees');
  const startS = num('startS', Number.NEGATIVE_INFINITY, (v) => v >= 0, 'sim seconds, 0 or more');
  const endS = num('endS', Number.POSITIVE_INFINITY, (v) => v > startS, 'sim seconds after startS');
  return {
    id,
    latDeg,
    lonDeg,
    lengthM,
    widthM,
    opacity,
    windFromDeg: ((windFromDeg % 360) + 360) % 360,
    startS,
    endS,
    siteId: null,
    featureIndex: index,
  };
}

/** The first launch point, else the centre of everything in the file. */
function worldOrigin(
  registry: SiteRegistry | null,
  plumes: [number, number][],
): { latDeg: number; lonDeg: number } {
  const launch = registry?.launchPoints[0];
  if (launch) return { latDeg: launch.latDeg, lonDeg: launch.lonDeg };
  const points: [number, number][] = [...plumes];
  for (const site of registry?.sites ?? []) {
    const polygons =
      site.geometry.type === 'Polygon' ? [site.geometry.coordinates] : site.geometry.coordinates;
    for (const polygon of polygons) for (const [lon, lat] of polygon[0]) points.push([lon, lat]);
  }
  if (points.length === 0) return { latDeg: 0, lonDeg: 0 };
  const lons = points.map((p) => p[0]);
  const lats = points.map((p) => p[1]);
  return {
    latDeg: (Math.min(...lats) + Math.max(...lats)) / 2,
    lonDeg: (Math.min(...lons) + Math.max(...lons)) / 2,
  };
}

function toWorldSite(site: Site, frame: LocalFrame): WorldSite {
  const polygons = site.geometry.type === 'Polygon' ? [site.geometry.coordinates] : site.geometry.coordinates;
  const rings: Float64Array[] = [];
  let minE = Infinity;
  let minN = Infinity;
  let maxE = -Infinity;
  let maxN = -Infinity;
  for (const polygon of polygons) {
    for (const ring of polygon) {
      const out = new Float64Array(ring.length * 2);
      ring.forEach(([lon, lat], i) => {
        const p = frame.toLocal(lat, lon, 0);
        out[2 * i] = p.eastM;
        out[2 * i + 1] = p.northM;
        minE = Math.min(minE, p.eastM);
        maxE = Math.max(maxE, p.eastM);
        minN = Math.min(minN, p.northM);
        maxN = Math.max(maxN, p.northM);
      });
      rings.push(out);
    }
  }
  return { id: site.id, rings, minE, minN, maxE, maxN };
}

function isObject(x: unknown): x is Record<string, Json> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
