import fs from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { parseJsonText } from '../json-text.js';
import { kmlToFeatures } from './kml.js';
import { MAX_POINTS_PER_FILE, MAX_SITE_FILE_BYTES } from './limits.js';

/** A site file's features, not yet checked. */
export interface SiteFileContent {
  source: string;
  features: unknown[];
}

/**
 * Reads a GeoJSON FeatureCollection or a KML document, told apart by content ('{' or '<'), else by
 * extension. Problems with the file as a whole are one UserError naming it (and `what` it is).
 */
export async function readSiteFile(file: string, what = 'site file'): Promise<SiteFileContent> {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.kmz') {
    throw new UserError(`${file}: KMZ (zipped KML) is not read; unzip it and give its .kml`);
  }
  const text = await readText(file, what);
  const start = text.replace(/^\ufeff/, '').trimStart();
  if (start === '') throw new UserError(`${file}: the ${what} is empty`);
  let features: unknown[];
  if (start.startsWith('<') || (extension === '.kml' && !start.startsWith('{'))) {
    features = kmlToFeatures(start, file);
  } else if (start.startsWith('{') || extension === '.geojson' || extension === '.json') {
    features = featuresOf(parseJsonText(start, file), file);
  } else {
    throw new UserError(`${file}: not a ${what}: expected GeoJSON (a FeatureCollection) or KML`);
  }
  if (features.length === 0) throw new UserError(`${file}: the ${what} has no features`);
  checkPointCount(features, file);
  return { source: file, features };
}

async function readText(file: string, what: string): Promise<string> {
  try {
    const { size } = await fs.stat(file);
    if (size > MAX_SITE_FILE_BYTES) {
      throw new UserError(
        `${file}: the ${what} is ${megabytes(size)}; a ${what} may be at most ${megabytes(MAX_SITE_FILE_BYTES)}`,
      );
    }
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${file}: no such ${what}`);
    if (code === 'EISDIR') throw new UserError(`${file}: is a directory, not a ${what}`);
    if (code === 'EACCES') throw new UserError(`${file}: permission denied`);
    throw err;
  }
}

function featuresOf(doc: unknown, file: string): unknown[] {
  const type = typeof doc === 'object' && doc !== null ? (doc as { type?: unknown }).type : undefined;
  if (type !== 'FeatureCollection') {
    const got = type === undefined ? 'no GeoJSON type' : `type ${JSON.stringify(type)}`;
    throw new UserError(`${file}: expected a GeoJSON FeatureCollection, got ${got}`);
  }
  const features = (doc as { features?: unknown }).features;
  if (!Array.isArray(features)) throw new UserError(`${file}: the FeatureCollection has no features array`);
  return features;
}

const megabytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** The whole file's points past the bound: named by the feature that crosses it. */
function checkPointCount(features: unknown[], file: string): void {
  let total = 0;
  for (const [index, feature] of features.entries()) {
    total += pointsIn((feature as { geometry?: { coordinates?: unknown } } | null)?.geometry?.coordinates);
    if (total > MAX_POINTS_PER_FILE) {
      throw new UserError(
        `${file}: feature ${index} brings the file past ${MAX_POINTS_PER_FILE} points; split the file or simplify its outlines`,
      );
    }
  }
}

/** Positions in nested coordinate arrays, however deep; anything else counts none (the checks name it later). */
function pointsIn(coordinates: unknown): number {
  if (!Array.isArray(coordinates)) return 0;
  if (typeof coordinates[0] === 'number') return 1;
  let n = 0;
  for (const c of coordinates) n += pointsIn(c);
  return n;
}
