import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { booleanClockwise } from '@turf/turf';
import type { Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { loadSiteFiles, type SiteRegistry } from '../../src/sites/index.js';
import { MAX_POINTS_PER_FILE, MAX_SITE_FILE_BYTES } from '../../src/sites/limits.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/sites');
const fixture = (name: string) => path.join(FIXTURES, name);
const SITES = fixture('small-sites.geojson');
const SITES_KML = fixture('small-sites.kml');
const AIRSPACE = fixture('small-airspace.geojson');

async function messageOf(paths: string[]): Promise<string> {
  const err = await loadSiteFiles(paths).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserError);
  return (err as Error).message;
}

/** The registry with every file name replaced by one, to compare registries read from twin files. */
function withoutSources(registry: SiteRegistry, ...files: string[]): unknown {
  let text = JSON.stringify(registry);
  for (const file of files) text = text.replaceAll(JSON.stringify(file), '"SOURCE"');
  return JSON.parse(text);
}

describe('loading site files', () => {
  it('reads sites, their fields and every property as it was', async () => {
    const registry = await loadSiteFiles([SITES, AIRSPACE]);
    expect(registry.sources).toEqual([SITES, AIRSPACE]);
    const [north, yard, courtyard, twin] = registry.sites;
    expect(north).toMatchObject({
      id: 'S-1',
      name: 'North block',
      contractor: 'Acme Build',
      address: '1 Test Road',
      riskLevel: 'high',
      pattern: 'perimeter',
      featureIndex: 0,
      source: SITES,
    });
    expect(north.properties).toEqual({
      id: 'S-1',
      name: 'North block',
      contractor: 'Acme Build',
      address: '1 Test Road',
      risk: 'high',
      pattern: 'perimeter',
      permit: 'P-001',
      floors: '12',
    });
    expect(yard.properties.stage).toBe('earthworks');
    expect(courtyard).toMatchObject({ address: null, pattern: null });
    expect(twin.riskLevel).toBeNull();
    expect(twin.geometry.type).toBe('MultiPolygon');
  });

  it('reads no-fly zones, the operating area and launch points, from a file of their own', async () => {
    const registry = await loadSiteFiles([SITES, AIRSPACE]);
    expect(registry.noFlyZones).toEqual([
      expect.objectContaining({ id: 'NF-1', name: 'School', featureIndex: 0, source: AIRSPACE }),
    ]);
    expect(registry.operatingArea?.type).toBe('Polygon');
    expect(registry.launchPoints).toEqual([
      { id: 'L-1', latDeg: 34.7291017, lonDeg: 113.6216396, altAmslM: 105 },
    ]);
    expect(registry.warnings).toEqual([]);
  });

  it('winds outer rings counter-clockwise and holes clockwise, and changes nothing else', async () => {
    const raw = JSON.parse(fs.readFileSync(SITES, 'utf8')).features;
    const registry = await loadSiteFiles([SITES]);
    const rings = (g: Polygon) => g.coordinates;
    // S-1 was written clockwise, S-3's hole counter-clockwise.
    expect(booleanClockwise(raw[0].geometry.coordinates[0])).toBe(true);
    expect(booleanClockwise(raw[2].geometry.coordinates[1])).toBe(false);
    for (const site of registry.sites) {
      const polygons = site.geometry.type === 'Polygon' ? [rings(site.geometry)] : site.geometry.coordinates;
      for (const [outer, ...holes] of polygons) {
        expect(booleanClockwise(outer)).toBe(false);
        for (const hole of holes) expect(booleanClockwise(hole)).toBe(true);
      }
    }
    const s1 = rings(registry.sites[0].geometry as Polygon)[0];
    expect(s1).toEqual([...raw[0].geometry.coordinates[0]].reverse());
    expect(registry.sites[1].geometry).toEqual(raw[1].geometry);
  });

  it('reads a KML file into the same registry as its GeoJSON twin', async () => {
    const fromGeoJson = await loadSiteFiles([SITES, AIRSPACE]);
    const fromKml = await loadSiteFiles([SITES_KML, AIRSPACE]);
    expect(fromKml.sites).toHaveLength(4);
    expect(withoutSources(fromKml, SITES_KML)).toEqual(withoutSources(fromGeoJson, SITES));
  });

  it('takes a launch altitude from altAmslM when the point has none', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-sites-'));
    const file = path.join(dir, 'launch.geojson');
    const launch = {
      type: 'Feature',
      properties: { kind: 'launch', id: 'L-2', altAmslM: 98.5 },
      geometry: { type: 'Point', coordinates: [113.623, 34.729] },
    };
    fs.writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features: [launch] }));
    const registry = await loadSiteFiles([SITES, file]);
    expect(registry.launchPoints[1]).toEqual({ id: 'L-2', latDeg: 34.729, lonDeg: 113.623, altAmslM: 98.5 });
  });
});

describe('site files that cannot be read', () => {
  const temp = (name: string, text: string) => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-sites-')), name);
    fs.writeFileSync(file, text);
    return file;
  };

  it('names a file that does not exist', async () => {
    expect(await messageOf([fixture('nope.geojson')])).toBe(`${fixture('nope.geojson')}: no such site file`);
  });

  it('names the line and column of a JSON syntax error', async () => {
    const file = fixture('bad/syntax-error.geojson');
    expect(await messageOf([file])).toBe(
      `${file}: invalid JSON at line 5, column 3: expected a value, found ']'`,
    );
  });

  it('refuses GeoJSON that is not a FeatureCollection', async () => {
    const file = fixture('bad/single-feature.geojson');
    expect(await messageOf([file])).toBe(`${file}: expected a GeoJSON FeatureCollection, got type "Feature"`);
  });

  it('names the line and column of a KML syntax error', async () => {
    const file = fixture('bad/broken.kml');
    expect(await messageOf([file])).toBe(
      `${file}: invalid KML at line 5, column 31: Opening and ending tag mismatch: "Placemark" != "Document"`,
    );
  });

  it('checks KML placemarks like GeoJSON features', async () => {
    const file = fixture('bad/swapped.kml');
    expect(await messageOf([file])).toBe(
      `${file}: feature 0 (id 'S-1'): ring 0 point 0 [34.73, 113.62] has latitude 113.62: ` +
        'longitude and latitude look swapped (GeoJSON order is [longitude, latitude])',
    );
  });

  it('refuses empty files, files without features, KMZ and other formats', async () => {
    const empty = temp('empty.geojson', '\n');
    expect(await messageOf([empty])).toBe(`${empty}: the site file is empty`);
    const none = temp('none.geojson', '{"type": "FeatureCollection", "features": []}');
    expect(await messageOf([none])).toBe(`${none}: the site file has no features`);
    const kmz = temp('sites.kmz', 'PK\u0003\u0004');
    expect(await messageOf([kmz])).toBe(`${kmz}: KMZ (zipped KML) is not read; unzip it and give its .kml`);
    const csv = temp('sites.csv', 'id,name\nS-1,North block\n');
    expect(await messageOf([csv])).toBe(
      `${csv}: not a site file: expected GeoJSON (a FeatureCollection) or KML`,
    );
    const svg = temp('sites.kml', '<svg></svg>');
    expect(await messageOf([svg])).toBe(`${svg}: not a KML document (its root element is <svg>, not <kml>)`);
  });

  it('refuses a file past the size or point bounds before checking its shapes, naming the file and feature', async () => {
    const huge = temp('huge.geojson', '');
    fs.truncateSync(huge, MAX_SITE_FILE_BYTES + 2 ** 20);
    expect(await messageOf([huge])).toBe(
      `${huge}: the site file is 65.0 MiB; a site file may be at most 64.0 MiB`,
    );
    // Each feature's ring is within the per-ring bound; together they pass the file's.
    const perFeature = Math.ceil(MAX_POINTS_PER_FILE / 4);
    const ring = Array.from({ length: perFeature }, (_, k) => [113.6 + k * 1e-7, 34.7]);
    const features = Array.from({ length: 5 }, (_, i) => ({
      type: 'Feature',
      properties: { id: `S-${i}`, name: `Site ${i}` },
      geometry: { type: 'Polygon', coordinates: [ring] },
    }));
    const many = temp('many.geojson', JSON.stringify({ type: 'FeatureCollection', features }));
    expect(await messageOf([many])).toBe(
      `${many}: feature 4 brings the file past ${MAX_POINTS_PER_FILE} points; split the file or simplify its outlines`,
    );
  });

  it('refuses an empty list of files', async () => {
    expect(await messageOf([])).toBe('no site files given');
  });
});
