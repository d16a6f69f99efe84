import fs from 'node:fs';
import path from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Alert,
  AlertService,
  type AlertStore,
  alertsToCsv,
  openAlertStore,
  writeAlertsCsv,
  writeAlertsGeoJson,
  writeAlertsKml,
} from '../../src/alerts/index.js';
import {
  AWKWARD_CONTRACTOR,
  awkwardSites,
  offset,
  S1_CENTRE,
  sighting,
  T0_US,
  tempDir,
  testFrame,
} from './sightings.js';

let dir: string;
let store: AlertStore;
let alerts: Alert[];
beforeAll(async () => {
  dir = tempDir('alerts-export');
  store = openAlertStore(path.join(dir, 'export.db'));
  const service = new AlertService({ store, sites: awkwardSites() });
  await service.raise(sighting());
  await service.raise(sighting({ ...offset(S1_CENTRE, 0, 50), areaM2: null }));
  await service.raise(sighting({ ...offset(S1_CENTRE, 500, 0), firstSeenUs: T0_US + 3600e6 }));
  alerts = store.listAlerts();
});
afterAll(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  expect(field).toBe('');
  expect(row).toEqual([]);
  return rows;
}

describe('alert exports', () => {
  it('GeoJSON: one point feature per alert, at its position, with its fields', () => {
    const file = path.join(dir, 'alerts.geojson');
    writeAlertsGeoJson(file, alerts);
    const fc = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features).toHaveLength(3);
    fc.features.forEach(
      (f: { geometry: { coordinates: number[] }; properties: Record<string, unknown> }, i: number) => {
        expect(f.geometry.coordinates).toEqual([alerts[i].lonDeg, alerts[i].latDeg]);
        expect(f.properties.code).toBe(alerts[i].code);
      },
    );
    expect(fc.features[0].properties).toMatchObject({
      siteId: 'W-1',
      contractor: AWKWARD_CONTRACTOR,
      firstSeenUtc: '2024-05-03T08:00:00.000Z',
    });
    expect(fc.features[2].properties.siteId).toBeNull();
  });

  it('CSV: a header row and RFC 4180 quoting of commas and quotes', () => {
    const file = path.join(dir, 'alerts.csv');
    writeAlertsCsv(file, alerts);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toBe(alertsToCsv(alerts));
    expect(text).toContain('"Smith, ""Dusty"" & Sons <Ltd>"');
    const rows = parseCsv(text);
    expect(rows).toHaveLength(4);
    const header = rows[0];
    expect(header.slice(0, 5)).toEqual(['code', 'id', 'siteId', 'siteName', 'contractor']);
    expect(rows.every((r) => r.length === header.length)).toBe(true);
    const col = (name: string) => rows.slice(1).map((r) => r[header.indexOf(name)]);
    expect(col('contractor')).toEqual([AWKWARD_CONTRACTOR, AWKWARD_CONTRACTOR, '']);
    expect(col('siteName')).toEqual(['Wharf, east', 'Wharf, east', '']);
    expect(col('areaM2')).toEqual(['150', '', '150']);
    expect(col('latDeg').map(Number)[0]).toBeCloseTo(alerts[0].latDeg, 6);
  });

  it('KML: well-formed, a placemark per alert showing its snapshot from the folder beside it', async () => {
    const file = path.join(dir, 'alerts.kml');
    const result = writeAlertsKml(file, alerts, (a) => store.evidenceJpeg(a.id));
    expect(result).toMatchObject({
      placemarks: 3,
      snapshots: 3,
      snapshotsDir: path.join(dir, 'alerts-snapshots'),
    });

    const errors: string[] = [];
    const doc = new DOMParser({
      onError: (level, msg) => void (level !== 'warning' && errors.push(msg)),
    }).parseFromString(fs.readFileSync(file, 'utf8'), 'text/xml');
    expect(errors).toEqual([]);
    const placemarks = Array.from(doc.getElementsByTagName('Placemark'));
    expect(placemarks).toHaveLength(3);
    for (const [i, p] of placemarks.entries()) {
      const a = alerts[i];
      const coords = p.getElementsByTagName('coordinates')[0].textContent?.trim().split(',').map(Number);
      expect(coords?.slice(0, 2)).toEqual([a.lonDeg, a.latDeg]);
      const description = p.getElementsByTagName('description')[0].textContent ?? '';
      expect(description).toContain(`<img src="alerts-snapshots/${a.code}.jpg"`);
      const image = path.join(dir, 'alerts-snapshots', `${a.code}.jpg`);
      const meta = await sharp(image).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', testFrame().width, testFrame().height]);
    }
    const first = placemarks[0].getElementsByTagName('description')[0].textContent ?? '';
    expect(first).toContain('Smith, &#34;Dusty&#34; &#38; Sons &#60;Ltd&#62;');
  });

  it('exports nothing as an empty but valid document', () => {
    const file = path.join(dir, 'none.kml');
    writeAlertsKml(file, [], () => null);
    writeAlertsGeoJson(path.join(dir, 'none.geojson'), []);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'none.geojson'), 'utf8')).features).toEqual([]);
    expect(alertsToCsv([]).split('\r\n')).toHaveLength(2);
    const doc = new DOMParser().parseFromString(fs.readFileSync(file, 'utf8'), 'text/xml');
    expect(doc.getElementsByTagName('Placemark')).toHaveLength(0);
  });
});
