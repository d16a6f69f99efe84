import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertService, openAlertStore } from '../../src/alerts/index.js';
import {
  DAY_US,
  offset,
  S1_CENTRE,
  sighting,
  smallSites,
  T0_US,
  tempDir,
  testFrame,
} from '../alerts/sightings.js';
import { expectOneCleanLine, runCli } from '../helpers/cli.js';

let dir: string;
let db: string;
beforeAll(async () => {
  dir = tempDir('alerts-cli');
  db = path.join(dir, 'patrol.db');
  const store = openAlertStore(db);
  const service = new AlertService({ store, sites: await smallSites() });
  service.registerFlight({ id: 'F-mon', name: 'Friday patrol' });
  // S-1 (Acme Build) on three days, S-3 (Borough Works) once, one plume near no site.
  for (let day = 0; day < 3; day++) {
    await service.raise(
      sighting({ firstSeenUs: T0_US + day * DAY_US, flightId: day === 0 ? 'F-mon' : `F-${day}` }),
    );
  }
  await service.raise(
    sighting({
      latDeg: 34.7319,
      lonDeg: 113.6202,
      flightId: 'F-mon',
      areaM2: 900,
      meanScore: 0.9,
      peakScore: 0.95,
    }),
  );
  await service.raise(sighting({ ...offset(S1_CENTRE, -300, 0), firstSeenUs: T0_US + 2 * DAY_US + 3600e6 }));
  store.close();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const codesIn = (stdout: string) => [...stdout.matchAll(/^A-\d{6}/gm)].map((m) => m[0]);

describe('dustpatrol alerts list', () => {
  it('prints a table of every alert, oldest first', async () => {
    const r = await runCli(['alerts', 'list', '--db', db]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(
      /^id\s+site\s+contractor\s+first seen UTC\s+frames\s+severity\s+lat, lon\s+±m$/,
    );
    expect(codesIn(r.stdout)).toEqual(['A-000001', 'A-000004', 'A-000002', 'A-000003', 'A-000005']);
    expect(r.stdout).toMatch(
      /A-000001\s+S-1\s+Acme Build\s+2024-05-03 08:00:00\s+8\s+medium\s+34\.73036, 113\.62055\s+±6/,
    );
    expect(r.stdout).toMatch(/A-000005\s+no site\s+—/);
    expect(r.stdout).toContain('5 alerts');
  });

  it('filters by site, contractor, time and flight', async () => {
    const site = await runCli(['alerts', 'list', '--db', db, '--site', 'S-1']);
    expect(codesIn(site.stdout)).toEqual(['A-000001', 'A-000002', 'A-000003']);
    const contractor = await runCli(['alerts', 'list', '--db', db, '--contractor', 'borough works']);
    expect(codesIn(contractor.stdout)).toEqual(['A-000004']);
    const time = await runCli([
      'alerts',
      'list',
      '--db',
      db,
      '--since',
      '2024-05-04',
      '--until',
      '2024-05-05T08:00Z',
    ]);
    expect(codesIn(time.stdout)).toEqual(['A-000002', 'A-000003']);
    const day = await runCli([
      'alerts',
      'list',
      '--db',
      db,
      '--since',
      '2024-05-05',
      '--until',
      '2024-05-05',
    ]);
    expect(codesIn(day.stdout)).toEqual(['A-000003', 'A-000005']);
    const flight = await runCli(['alerts', 'list', '--db', db, '--flight', 'F-mon']);
    expect(codesIn(flight.stdout)).toEqual(['A-000001', 'A-000004']);
    const none = await runCli(['alerts', 'list', '--db', db, '--site', 'S-2']);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('no alerts match\n');
  });

  it('prints JSON for machines', async () => {
    const r = await runCli(['alerts', 'list', '--db', db, '--site', 'S-3', '--json']);
    const alerts = JSON.parse(r.stdout);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      code: 'A-000004',
      siteId: 'S-3',
      contractor: 'Borough Works',
      severity: 'high',
    });
  });
});

describe('dustpatrol alerts show', () => {
  it("prints one alert's details and writes its evidence JPEG", async () => {
    const jpeg = path.join(dir, 'evidence.jpg');
    const r = await runCli(['alerts', 'show', 'A-000001', '--db', db, '--snapshot', jpeg]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^alert\s+A-000001$/m);
    expect(r.stdout).toMatch(/^site\s+S-1 North block$/m);
    expect(r.stdout).toMatch(/^site distance\s+inside$/m);
    expect(r.stdout).toMatch(/^first seen\s+2024-05-03 08:00:00 UTC$/m);
    expect(r.stdout).toContain(`evidence written to ${jpeg}`);
    const meta = await sharp(jpeg).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', testFrame().width, testFrame().height]);
  });

  it('takes a bare number and prints JSON', async () => {
    const r = await runCli(['alerts', 'show', '5', '--db', db, '--json']);
    expect(r.code).toBe(0);
    const alert = JSON.parse(r.stdout);
    expect(alert).toMatchObject({ code: 'A-000005', siteId: null, firstSeenUtc: '2024-05-05T09:00:00.000Z' });
    expect(alert.evidenceBytes).toBeGreaterThan(100);
  });
});

describe('dustpatrol alerts export', () => {
  it('writes GeoJSON, CSV and KML with its snapshots, honouring the filters', async () => {
    const geojson = path.join(dir, 'out.geojson');
    const g = await runCli([
      'alerts',
      'export',
      '--db',
      db,
      '--format',
      'geojson',
      '--out',
      geojson,
      '--site',
      'S-1',
    ]);
    expect(g.code).toBe(0);
    expect(g.stdout).toBe(`wrote 3 alerts to ${geojson}\n`);
    expect(JSON.parse(fs.readFileSync(geojson, 'utf8')).features).toHaveLength(3);

    const csv = path.join(dir, 'out.csv');
    expect((await runCli(['alerts', 'export', '--db', db, '--format', 'csv', '--out', csv])).code).toBe(0);
    expect(fs.readFileSync(csv, 'utf8').trimEnd().split('\r\n')).toHaveLength(6);

    const kml = path.join(dir, 'patrol.kml');
    const k = await runCli([
      'alerts',
      'export',
      '--db',
      db,
      '--format',
      'kml',
      '--out',
      kml,
      '--contractor',
      'Acme Build',
    ]);
    expect(k.code).toBe(0);
    expect(k.stdout).toContain(`(snapshots in ${path.join(dir, 'patrol-snapshots')}/)`);
    const doc = new DOMParser().parseFromString(fs.readFileSync(kml, 'utf8'), 'text/xml');
    expect(doc.getElementsByTagName('Placemark')).toHaveLength(3);
    expect(fs.readdirSync(path.join(dir, 'patrol-snapshots')).sort()).toEqual([
      'A-000001.jpg',
      'A-000002.jpg',
      'A-000003.jpg',
    ]);
  });
});

describe('dustpatrol alerts export --out: a file, never what is in its place', () => {
  const exportTo = (out: string, format = 'geojson') =>
    runCli(['alerts', 'export', '--db', db, '--format', format, '--out', out]);

  it('writes through a symbolic link to its target, and the link stays', async () => {
    const target = path.join(dir, 'linked.geojson');
    const link = path.join(dir, 'link.geojson');
    fs.writeFileSync(target, 'old');
    fs.symlinkSync('linked.geojson', link);
    const r = await exportTo(link);
    expect(r.code).toBe(0);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(JSON.parse(fs.readFileSync(target, 'utf8')).features).toHaveLength(5);
  });

  it("puts a linked KML's snapshots beside its target, where its placemarks look", async () => {
    fs.mkdirSync(path.join(dir, 'maps'));
    const link = path.join(dir, 'map-link.kml');
    fs.symlinkSync(path.join('maps', 'patrol.kml'), link);
    expect((await exportTo(link, 'kml')).code).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'maps', 'patrol-snapshots'))).toHaveLength(5);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it('refuses a FIFO, a device and a folder in one line, and leaves them as they were', async () => {
    const fifo = path.join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const cases: [string, RegExp][] = [
      [fifo, /pipe: is a named pipe \(FIFO\), not a regular file/],
      ['/dev/full', /\/dev\/full: is a device, not a regular file/],
      [dir, /: is a folder, not a regular file/],
    ];
    for (const [out, message] of cases) {
      const r = await exportTo(out);
      expect(r.code).toBe(1);
      expectOneCleanLine(r.stderr);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
    expect(fs.statSync(fifo).isFIFO()).toBe(true);
    expect(fs.statSync('/dev/full').isCharacterDevice()).toBe(true);
  });

  it('refuses a missing folder, naming it, and creates nothing', async () => {
    for (const format of ['geojson', 'kml']) {
      const r = await exportTo(path.join(dir, 'no-such-folder', `alerts.${format}`), format);
      expect(r.code).toBe(1);
      expectOneCleanLine(r.stderr);
      expect(r.stderr).toContain(`folder ${path.join(dir, 'no-such-folder')} does not exist`);
    }
    expect(fs.existsSync(path.join(dir, 'no-such-folder'))).toBe(false);
  });
});

describe('dustpatrol alerts sites', () => {
  it('prints the per-site ledger and flags sites at the threshold', async () => {
    const r = await runCli([
      'alerts',
      'sites',
      '--db',
      db,
      '--period',
      'day',
      '--threshold',
      '3',
      '--window-days',
      '7',
      '--until',
      '2024-05-06',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^S-1\s+North block\s+Acme Build\s+3\s+3\s+.*FLAGGED$/m);
    expect(r.stdout).toMatch(/^S-3\s+Courtyard\s+Borough Works\s+1\s+1\s+[\d-]+ [\d:]+$/m);
    expect(r.stdout).toMatch(/^S-1\s+2024-05-04\s+1\s+0$/m);
    expect(r.stdout).toMatch(/^no site\s+2024-05-05\s+1\s+0$/m);
    expect(r.stdout).toContain(
      'flagged (3 or more alerts in the 7 days to 2024-05-06 23:59:59 UTC): S-1 North block (Acme Build)',
    );
  });

  it('prints JSON, and flags nothing under a higher threshold', async () => {
    const r = await runCli([
      'alerts',
      'sites',
      '--db',
      db,
      '--threshold',
      '4',
      '--until',
      '2024-05-06',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ period: 'week', threshold: 4, windowDays: 30, flagged: [] });
    expect(out.sites.map((s: { siteId: string }) => s.siteId)).toEqual(['S-1', 'S-3']);
    expect(out.history).toEqual([
      { siteId: 'S-1', siteName: 'North block', period: '2024-W18', alerts: 3, high: 0 },
      { siteId: 'S-3', siteName: 'Courtyard', period: '2024-W18', alerts: 1, high: 1 },
      { siteId: null, siteName: null, period: '2024-W18', alerts: 1, high: 0 },
    ]);
  });
});

describe('dustpatrol alerts: mistakes get one line and a non-zero exit', () => {
  it('a missing database, and none is created', async () => {
    const missing = path.join(dir, 'nope.db');
    for (const args of [
      ['list'],
      ['show', '1'],
      ['export', '--format', 'csv', '--out', path.join(dir, 'x.csv')],
      ['sites'],
    ]) {
      const r = await runCli(['alerts', ...args, '--db', missing]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`dustpatrol: ${missing}: no such alert database (give its path with --db)\n`);
    }
    expect(fs.existsSync(missing)).toBe(false);
  });

  it('a file that is not an alert database', async () => {
    const notes = path.join(dir, 'notes.txt');
    fs.writeFileSync(notes, 'not a database at all\n'.repeat(100));
    const r = await runCli(['alerts', 'list', '--db', notes]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${notes}: not a SQLite database`);
    expectOneCleanLine(r.stderr);
  });

  it('bad dates, an unknown format, an unknown or malformed alert id', async () => {
    const badDate = await runCli(['alerts', 'list', '--db', db, '--since', 'yesterday']);
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toContain(
      "expected an ISO 8601 UTC date or time (2024-05-03 or 2024-05-03T08:00Z), got 'yesterday'",
    );
    expectOneCleanLine(badDate.stderr);

    const noDay = await runCli(['alerts', 'list', '--db', db, '--until', '2024-02-30']);
    expect(noDay.code).toBe(2);
    expectOneCleanLine(noDay.stderr);

    const backwards = await runCli([
      'alerts',
      'list',
      '--db',
      db,
      '--since',
      '2024-05-05',
      '--until',
      '2024-05-04',
    ]);
    expect(backwards.code).toBe(1);
    expect(backwards.stderr).toContain(
      '--since 2024-05-05T00:00:00.000Z is after --until 2024-05-04T23:59:59.999Z',
    );
    expectOneCleanLine(backwards.stderr);

    const format = await runCli([
      'alerts',
      'export',
      '--db',
      db,
      '--format',
      'shp',
      '--out',
      path.join(dir, 'x.shp'),
    ]);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain("argument 'shp' is invalid. Allowed choices are geojson, kml, csv.");
    expectOneCleanLine(format.stderr);
    expect(fs.existsSync(path.join(dir, 'x.shp'))).toBe(false);

    const unknown = await runCli(['alerts', 'show', 'A-000999', '--db', db]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(`dustpatrol: A-000999: no such alert in ${db}\n`);

    const malformed = await runCli(['alerts', 'show', 'B-12', '--db', db]);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toBe("dustpatrol: 'B-12' is not an alert id (expected A-000123 or 123)\n");
  });

  it('leaves the database as it was', async () => {
    const r = await runCli(['alerts', 'list', '--db', db, '--json']);
    expect(JSON.parse(r.stdout)).toHaveLength(5);
  });
});
