import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DOMParser, type Element } from '@xmldom/xmldom';
import type { FeatureCollection, LineString, Point } from 'geojson';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAV_CMD } from '../../../src/plan/export/mission-builder.js';
import {
  buildSortieItems,
  loadMissionFile,
  type PlanSummary,
  parseQgcPlan,
  parseWaypoints,
  SUMMARY_FILE,
  sortieName,
  toMissionItems,
  writePlanFiles,
  writeQgcPlan,
  writeWaypoints,
} from '../../../src/plan/index.js';
import { patrolPlan, registry, secondSortie, settings, shortSortie } from './sorties.js';

const KML_NS = 'http://www.opengis.net/kml/2.2';

let dir: string;
let summary: PlanSummary;
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-export-'));
  summary = await writePlanFiles(patrolPlan(), registry(), dir);
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const read = (file: string) => fs.readFileSync(path.join(dir, file), 'utf8');

describe('sortie file sets', () => {
  it('writes .plan, .waypoints, .geojson and .kml per sortie, and plan.json', () => {
    expect(fs.readdirSync(dir).sort()).toEqual([
      'plan.json',
      'sortie-01.geojson',
      'sortie-01.kml',
      'sortie-01.plan',
      'sortie-01.waypoints',
      'sortie-02.geojson',
      'sortie-02.kml',
      'sortie-02.plan',
      'sortie-02.waypoints',
    ]);
    const json = JSON.parse(read(SUMMARY_FILE));
    expect(json).toEqual(JSON.parse(JSON.stringify(summary)));
    expect(json.sorties.map((s: PlanSummary['sorties'][number]) => [s.name, s.launchId, s.siteIds])).toEqual([
      ['sortie-01', 'dock-a', ['A', 'B']],
      ['sortie-02', 'dock-b', ['B']],
    ]);
    expect(json.total).toEqual({ sorties: 2, sites: 2, distanceM: 2100, timeS: 360 });
    expect(json.sites).toEqual([
      { siteId: 'A', pattern: 'perimeter', lengthM: 400, timeS: 40 },
      { siteId: 'B', pattern: 'point', lengthM: 0, timeS: 3 },
    ]);
  });

  it('names sorties so they sort: two digits at least, more when there are more sorties', () => {
    expect(sortieName(0, 9)).toBe('sortie-01');
    expect(sortieName(99, 120)).toBe('sortie-100');
    expect(sortieName(4, 120)).toBe('sortie-005');
  });

  it('.plan: the mission as built, no-fly zones as exclusion polygons, the operating area included, launch points as rally points', async () => {
    const text = read('sortie-01.plan');
    const plan = parseQgcPlan(text, 'sortie-01.plan');
    expect(plan).toMatchObject({ firmwareType: 3, vehicleType: 2, cruiseSpeedMs: 10, hoverSpeedMs: 10 });
    expect(toMissionItems(plan)).toEqual(buildSortieItems(shortSortie(), settings()));
    expect(toMissionItems(await loadMissionFile(path.join(dir, 'sortie-01.plan')))).toEqual(
      buildSortieItems(shortSortie(), settings()),
    );

    const reg = registry();
    const inclusions = plan.fence.polygons.filter((p) => p.inclusion);
    const exclusions = plan.fence.polygons.filter((p) => !p.inclusion);
    // The operating area (open ring: 4 corners), its hole, and the school's two parts.
    expect(inclusions.map((p) => p.vertices.length)).toEqual([4]);
    expect(exclusions).toHaveLength(3);
    const school = reg.noFlyZones[0].geometry;
    if (school.type !== 'MultiPolygon') throw new Error('fixture changed');
    const schoolVertices = school.coordinates.map(([outer]) =>
      outer.slice(0, -1).map(([lonDeg, latDeg]) => ({ latDeg, lonDeg })),
    );
    expect(exclusions.slice(1).map((p) => p.vertices)).toEqual(schoolVertices);
    expect(plan.fence.circles).toEqual([]);
    expect(plan.rally).toEqual(
      reg.launchPoints.map((l) => ({
        latDeg: l.latDeg,
        lonDeg: l.lonDeg,
        altRelM: settings().transitAltitudeRelM,
      })),
    );

    // QGroundControl's documented layout: geoFence polygons carry {inclusion, polygon, version}.
    const doc = JSON.parse(text);
    expect(doc).toMatchObject({ fileType: 'Plan', version: 1, groundStation: 'dustpatrol' });
    expect(doc.geoFence.version).toBe(2);
    expect(Object.keys(doc.geoFence.polygons[0]).sort()).toEqual(['inclusion', 'polygon', 'version']);
    expect(doc.rallyPoints).toMatchObject({ version: 2 });
    expect(doc.mission.plannedHomePosition).toEqual([
      shortSortie().launch.latDeg,
      shortSortie().launch.lonDeg,
      110,
    ]);
  });

  it('.waypoints: QGC WPL 110 with home as row 0; loads back to the same items', async () => {
    const text = read('sortie-02.waypoints');
    expect(text.startsWith('QGC WPL 110\r\n')).toBe(true);
    const plan = parseWaypoints(text, 'sortie-02.waypoints');
    // Home to the 1e-6 degree Mission Planner writes; the launch point had no elevation.
    expect(plan.home).toEqual({ latDeg: 34.721805, lonDeg: 113.634572, altAmslM: 0 });
    expect(toMissionItems(plan)).toEqual(buildSortieItems(secondSortie(), settings()));
    expect(toMissionItems(await loadMissionFile(path.join(dir, 'sortie-01.waypoints')))).toEqual(
      buildSortieItems(shortSortie(), settings()),
    );
  });

  it('round-trips every exported .plan and .waypoints byte for byte', () => {
    for (const file of fs.readdirSync(dir)) {
      const text = read(file);
      if (file.endsWith('.plan')) expect(writeQgcPlan(parseQgcPlan(text, file))).toBe(text);
      if (file.endsWith('.waypoints')) expect(writeWaypoints(parseWaypoints(text, file))).toBe(text);
    }
  });

  it('GeoJSON: a FeatureCollection whose route runs launch → waypoints → launch as the mission flies', () => {
    const collection = JSON.parse(read('sortie-01.geojson')) as FeatureCollection;
    expect(collection.type).toBe('FeatureCollection');
    const byKind = (kind: string) => collection.features.filter((f) => f.properties?.kind === kind);
    const [route] = byKind('route');
    const items = buildSortieItems(shortSortie(), settings());
    const navPositions = items
      .slice(1)
      .filter((i) => i.command === MAV_CMD.NAV_WAYPOINT)
      .map((i) => [i.y, i.x]);
    // The launch point, every waypoint (to the 1e-7 degree the mission carries), the launch point.
    const coordinates = (route.geometry as LineString).coordinates;
    const launch = [shortSortie().launch.lonDeg, shortSortie().launch.latDeg];
    expect(coordinates).toHaveLength(navPositions.length + 2);
    expect([coordinates[0], coordinates.at(-1)]).toEqual([launch, launch]);
    navPositions.forEach((expected, i) => {
      expect(coordinates[i + 1][0]).toBeCloseTo(expected[0], 7);
      expect(coordinates[i + 1][1]).toBeCloseTo(expected[1], 7);
    });
    expect(route.properties).toMatchObject({ sortie: 'sortie-01', launchId: 'dock-a', siteIds: ['A', 'B'] });

    const waypoints = byKind('waypoint');
    expect(waypoints.map((f) => (f.geometry as Point).coordinates)).toEqual(coordinates.slice(1, -1));
    expect(waypoints[1].properties).toMatchObject({ index: 2, role: 'pattern', siteId: 'A', altRelM: 30 });
    expect(waypoints[5].properties).toMatchObject({
      role: 'pattern',
      siteId: 'B',
      holdS: 3,
      gimbalPitchDeg: -45,
      roi: null,
    });
    expect(waypoints[0].properties).toEqual({ kind: 'waypoint', index: 1, role: 'transit', altRelM: 40 });

    const reg = registry();
    expect(byKind('site').map((f) => [f.properties?.id, f.properties?.pattern, f.geometry])).toEqual([
      ['A', 'perimeter', reg.sites[0].geometry],
      ['B', 'point', reg.sites[1].geometry],
    ]);
    expect(byKind('no-fly').map((f) => f.geometry)).toEqual([reg.noFlyZones[0].geometry]);
    expect(byKind('launch')).toHaveLength(1);
    // RFC 7946: no foreign members such as "crs", 2D positions.
    expect(Object.keys(collection).sort()).toEqual(['features', 'type']);
  });

  it('KML: well-formed KML 2.2 with placemarks for the route, launch, waypoints, sites and no-fly zones', () => {
    const errors: string[] = [];
    const doc = new DOMParser({
      onError: (level, message) => {
        errors.push(`${level}: ${message}`);
      },
    }).parseFromString(read('sortie-01.kml'), 'text/xml');
    expect(errors).toEqual([]);
    const root = doc.documentElement as Element;
    expect(root.namespaceURI).toBe(KML_NS);
    const folders = Array.from(root.getElementsByTagNameNS(KML_NS, 'Folder'));
    const placemarks = (folder: Element) => Array.from(folder.getElementsByTagNameNS(KML_NS, 'Placemark'));
    const names = (folder: Element) =>
      placemarks(folder).map((p) => p.getElementsByTagNameNS(KML_NS, 'name')[0].textContent);
    const folder = (name: string) => {
      const found = folders.find((f) => f.getElementsByTagNameNS(KML_NS, 'name')[0].textContent === name);
      if (!found) throw new Error(`no folder ${name}`);
      return found;
    };
    expect(names(folder('Route'))).toEqual(['sortie-01', 'launch dock-a']);
    expect(names(folder('Waypoints'))).toEqual(['WP 1', 'WP 2', 'WP 3', 'WP 4', 'WP 5', 'WP 6', 'WP 7']);
    expect(names(folder('Sites'))).toEqual(['Site A <east & west>', 'Site B <east & west>']);
    expect(names(folder('No-fly zones'))).toEqual(['Primary school']);
    // The two-part zone is one placemark with two polygons; its style paints it red.
    const zone = placemarks(folder('No-fly zones'))[0];
    expect(zone.getElementsByTagNameNS(KML_NS, 'Polygon')).toHaveLength(2);
    expect(zone.getElementsByTagNameNS(KML_NS, 'styleUrl')[0].textContent).toBe('#no-fly');
    const style = Array.from(root.getElementsByTagNameNS(KML_NS, 'Style')).find(
      (s) => s.getAttribute('id') === 'no-fly',
    );
    expect(style?.getElementsByTagNameNS(KML_NS, 'PolyStyle')).toHaveLength(1);

    const line =
      placemarks(folder('Route'))[0].getElementsByTagNameNS(KML_NS, 'coordinates')[0].textContent ?? '';
    const route = line
      .trim()
      .split(/\s+/)
      .map((t) => t.split(',').map(Number));
    const geojson = JSON.parse(read('sortie-01.geojson')) as FeatureCollection;
    const track = (geojson.features[0].geometry as LineString).coordinates;
    expect(route.map(([lon, lat]) => [lon, lat])).toEqual(track);
    expect(route.map(([, , alt]) => alt)).toEqual([0, 40, 30, 30, 30, 30, 30, 40, 0]);
  });

  it('removes sortie files a longer earlier plan left behind, and keeps other files', async () => {
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    await writePlanFiles(patrolPlan([shortSortie()]), registry(), dir);
    expect(fs.readdirSync(dir).sort()).toEqual([
      'notes.txt',
      'plan.json',
      'sortie-01.geojson',
      'sortie-01.kml',
      'sortie-01.plan',
      'sortie-01.waypoints',
    ]);
  });

  it('writes nothing when a sortie cannot be exported', async () => {
    const before = Object.fromEntries(fs.readdirSync(dir).map((f) => [f, read(f)]));
    const bad = secondSortie();
    bad.waypoints[1] = { ...bad.waypoints[1], altRelM: 150 };
    await expect(writePlanFiles(patrolPlan([shortSortie(), bad]), registry(), dir)).rejects.toThrow(
      'sortie 2: waypoint 2 is 150 m above launch, over the 120 m limit',
    );
    expect(Object.fromEntries(fs.readdirSync(dir).map((f) => [f, read(f)]))).toEqual(before);
  });
});
