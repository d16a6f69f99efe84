import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
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
      /^id\s+site\s+contractor\s+first seen UTC\s+frames\s+severity\s+lat, lon\s+±m\s+review$/,
    );
    expect(codesIn(r.stdout)).toEqual(['A-000001', 'A-000004', 'A-000002', 'A-000003', 'A-000005']);
    expect(r.stdout).toMatch(
      /A-000001\s+S-1\s+Acme Build\s+2024-05-03 08:00:00\s+8\s+medium\s+34\.73036, 113\.62055\s+±6\s+pending$/m,
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

/** A copy of the test database to review, leaving the one the other tests read as it was. */
function copyOfDb(name: string): string {
  const copy = path.join(dir, name);
  fs.copyFileSync(db, copy);
  return copy;
}

const review = (file: string, ...args: string[]) => runCli(['alerts', 'review', ...args, '--db', file]);

describe('dustpatrol alerts review', () => {
  it('confirms and dismisses as a named local user; the latest review stands, the history keeps all', async () => {
    const file = copyOfDb('review.db');
    const confirm = await review(
      file,
      'A-000001',
      '--confirm',
      '--by',
      'Ana Inspector',
      '--note',
      'brown, from the spoil heap',
    );
    expect(confirm.stderr).toBe('');
    expect(confirm.code).toBe(0);
    expect(confirm.stdout).toBe('A-000001 confirmed as dust by Ana Inspector\n');

    // Without --by: the OS user.
    const dismiss = await review(file, '1', '--dismiss', 'haze');
    expect(dismiss.code).toBe(0);
    expect(dismiss.stdout).toMatch(
      new RegExp(
        `^A-000001 dismissed: haze by ${os.userInfo().username}; supersedes confirmed by Ana Inspector, \\d{4}-\\d\\d-\\d\\d [\\d:]+ UTC\\n$`,
      ),
    );

    const show = await runCli(['alerts', 'show', 'A-000001', '--db', file]);
    expect(show.stdout).toMatch(new RegExp(`^review\\s+dismissed: haze by ${os.userInfo().username}, `, 'm'));
    const history = show.stdout.split('review history, oldest first:\n')[1]?.trim().split('\n') ?? [];
    expect(history).toHaveLength(2);
    expect(history[0]).toMatch(/confirmed as dust {2}by Ana Inspector via cli: brown, from the spoil heap$/);
    expect(history[1]).toMatch(/dismissed: haze {2}by \S+ via cli$/);

    const json = JSON.parse((await runCli(['alerts', 'show', '1', '--db', file, '--json'])).stdout);
    expect(json.reviewState).toBe('dismissed');
    expect(json.reviews.map((r: { verdict: string; reason: string }) => [r.verdict, r.reason])).toEqual([
      ['confirmed', 'dust'],
      ['dismissed', 'haze'],
    ]);

    const listed = await runCli(['alerts', 'list', '--db', file, '--state', 'dismissed']);
    expect(codesIn(listed.stdout)).toEqual(['A-000001']);
    expect(listed.stdout).toMatch(/A-000001 .*dismissed: haze$/m);
    const pending = await runCli(['alerts', 'list', '--db', file, '--state', 'pending', '--json']);
    expect(JSON.parse(pending.stdout).map((a: { code: string }) => a.code)).toEqual([
      'A-000004',
      'A-000002',
      'A-000003',
      'A-000005',
    ]);
  });

  it('refuses a review it cannot keep in one line, and keeps nothing of it', async () => {
    const file = copyOfDb('review-mistakes.db');
    const cases: [string[], number, RegExp][] = [
      [['A-000001'], 2, /give --confirm or --dismiss <reason> \(cloud, haze, soil, vehicle, other\)/],
      [
        ['A-000001', '--dismiss', 'dust'],
        2,
        /argument 'dust' is invalid\. Allowed choices are cloud, haze, soil, vehicle, other/,
      ],
      [
        ['A-000001', '--confirm', '--dismiss', 'haze'],
        2,
        /option '--confirm' cannot be used with option '--dismiss/,
      ],
      [['A-000999', '--confirm', '--by', 'ana'], 1, new RegExp(`A-000999: no such alert in ${file}`)],
      [['B-1', '--confirm'], 1, /'B-1' is not an alert id/],
      [['1', '--confirm', '--note', 'a\u001b[2Jb'], 1, /--note: control characters are not allowed/],
      [['1', '--confirm', '--by', ' '], 1, /--by: a name of 1 to 100 printable characters/],
    ];
    for (const [args, code, message] of cases) {
      const r = await review(file, ...args);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr).toMatch(message);
      expectOneCleanLine(r.stderr);
      expect(r.stdout).toBe('');
    }
    const missing = path.join(dir, 'no-such.db');
    const r = await review(missing, '1', '--confirm');
    expect(r.stderr).toBe(`dustpatrol: ${missing}: no such alert database (give its path with --db)\n`);
    expect(fs.existsSync(missing)).toBe(false);
    const json = JSON.parse((await runCli(['alerts', 'show', '1', '--db', file, '--json'])).stdout);
    expect(json.reviews).toEqual([]);
  });
});

describe('dustpatrol alerts sites and contractors', () => {
  let reviewed: string;
  beforeAll(async () => {
    // S-1's three alerts confirmed, S-3's dismissed, the one near no site left pending.
    reviewed = copyOfDb('ledger.db');
    for (const id of ['A-000001', 'A-000002', 'A-000003']) {
      expect((await review(reviewed, id, '--confirm', '--by', 'ana')).code).toBe(0);
    }
    expect((await review(reviewed, 'A-000004', '--dismiss', 'vehicle', '--by', 'ana')).code).toBe(0);
  });

  it('prints the ledger by review state and flags the sites the rule flags', async () => {
    const r = await runCli([
      'alerts',
      'sites',
      '--db',
      reviewed,
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
    expect(r.stdout.split('\n')[0]).toMatch(
      /^site\s+name\s+contractor\s+risk\s+patrols\s+last patrol UTC\s+confirmed\s+pending\s+dismissed\s+in window\s+last alert UTC\s+flag$/,
    );
    // S-1: three confirmed by three flights; S-3: its one alert dismissed (no last alert then).
    expect(r.stdout).toMatch(
      /^S-1\s+North block\s+Acme Build\s+high\s+3\s+2024-05-05 08:00:00\s+3\s+0\s+0\s+3\s+2024-05-05 08:00:04\s+FLAGGED$/m,
    );
    expect(r.stdout).toMatch(
      /^S-3\s+Courtyard\s+Borough Works\s+medium\s+1\s+2024-05-03 08:00:00\s+0\s+0\s+1\s+0\s+—\s*$/m,
    );
    // The history leaves the dismissed alert out.
    expect(r.stdout).toMatch(/^S-1\s+2024-05-04\s+1\s+0$/m);
    expect(r.stdout).not.toMatch(/^S-3\s+2024-05-03/m);
    expect(r.stdout).toContain(
      'blacklist rule: 3 or more confirmed alerts in the 7 days to 2024-05-06 23:59:59 UTC: flagged S-1 North block (Acme Build)',
    );
  });

  it('flags nothing while the alerts wait for review, and says which pending ones could', async () => {
    const r = await runCli([
      'alerts',
      'sites',
      '--db',
      db,
      '--threshold',
      '3',
      '--until',
      '2024-05-06',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      period: 'week',
      threshold: 3,
      windowDays: 30,
      flagged: [],
      reviewNeeded: ['S-1'],
    });
    expect(out.sites.map((s: { siteId: string }) => s.siteId)).toEqual(['S-1', 'S-3']);
    expect(out.sites[0]).toMatchObject({ pending: 3, confirmed: 0, windowPending: 3, reviewNeeded: true });
    expect(out.history).toEqual([
      { siteId: 'S-1', siteName: 'North block', period: '2024-W18', alerts: 3, high: 0 },
      { siteId: 'S-3', siteName: 'Courtyard', period: '2024-W18', alerts: 1, high: 1 },
      { siteId: null, siteName: null, period: '2024-W18', alerts: 1, high: 0 },
    ]);
    const text = await runCli(['alerts', 'sites', '--db', db, '--threshold', '3', '--until', '2024-05-06']);
    expect(text.stdout).toMatch(/^S-1\s.*\sreview pending$/m);
    expect(text.stdout).toContain('pending alerts could flag: S-1 North block (Acme Build) (review them)');
  });

  it('says so when alerts stamped after now (a vehicle clock ahead) are left out by the default end', async () => {
    const file = copyOfDb('ahead.db');
    const store = openAlertStore(file);
    try {
      const service = new AlertService({ store, sites: await smallSites() });
      await service.raise(sighting({ firstSeenUs: Date.now() * 1000 + DAY_US, flightId: 'F-ahead' }));
    } finally {
      store.close();
    }
    for (const command of ['sites', 'contractors']) {
      const r = await runCli(['alerts', command, '--db', file]);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(
        /^note: 1 alert first seen after now \(.* UTC, by the vehicle's clock\) not counted; give --until to take them in\n$/,
      );
    }
    const chosen = await runCli(['alerts', 'sites', '--db', file, '--until', '2024-05-06']);
    expect(chosen.stderr).toBe('');
  });

  it('lists every site of a site file, those without alerts too, and adds them up per contractor', async () => {
    const sites = await runCli([
      'alerts',
      'sites',
      '--db',
      reviewed,
      '--sites',
      'fixtures/sites/small-sites.geojson',
      '--until',
      '2024-05-06',
      '--json',
    ]);
    expect(sites.code).toBe(0);
    const rows = JSON.parse(sites.stdout).sites as { siteId: string; patrols: number; confirmed: number }[];
    expect(rows.map((s) => s.siteId).sort()).toEqual(['S-1', 'S-2', 'S-3', 'S-4']);
    expect(rows.find((s) => s.siteId === 'S-4')).toMatchObject({ patrols: 0, confirmed: 0, risk: null });

    const r = await runCli([
      'alerts',
      'contractors',
      '--db',
      reviewed,
      '--sites',
      'fixtures/sites/small-sites.geojson',
      '--until',
      '2024-05-06',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(
      /^contractor\s+sites\s+flagged\s+patrols\s+confirmed\s+pending\s+dismissed\s+in window\s+last alert UTC$/,
    );
    expect(r.stdout).toMatch(/^Acme Build\s+2\s+1\s+3\s+3\s+0\s+0\s+3\s+2024-05-05 08:00:04$/m);
    expect(r.stdout).toMatch(/^Borough Works\s+2\s+0\s+1\s+0\s+0\s+1\s+0\s+—$/m);
    const json = JSON.parse(
      (await runCli(['alerts', 'contractors', '--db', reviewed, '--until', '2024-05-06', '--json'])).stdout,
    );
    expect(json.contractors.map((c: { contractor: string }) => c.contractor)).toEqual([
      'Acme Build',
      'Borough Works',
    ]);
  });

  it('writes the reviewed alerts as a labelled set the training reads', async () => {
    const out = path.join(dir, 'reviewed-set');
    const r = await runCli(['alerts', 'dataset', '--db', reviewed, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `wrote 3 plumes and 1 hard negative (1 vehicle) to ${path.join(out, 'index.csv')}\n`,
    );
    const [header, ...lines] = fs.readFileSync(path.join(out, 'index.csv'), 'utf8').trimEnd().split('\r\n');
    expect(header).toBe('path,label,mask,split,source,reason,alert,flight,site,reviewer,reviewed_utc,note');
    const rows = lines.map((l) => l.split(','));
    expect(
      rows.map(([p, label, mask, , source, reason, alert]) => [p, label, mask, source, reason, alert]),
    ).toEqual([
      ['images/A-000001.jpg', 'plume', 'unknown', 'dustpatrol-review', 'dust', 'A-000001'],
      ['images/A-000004.jpg', 'neg', '', 'dustpatrol-review', 'vehicle', 'A-000004'],
      ['images/A-000002.jpg', 'plume', 'unknown', 'dustpatrol-review', 'dust', 'A-000002'],
      ['images/A-000003.jpg', 'plume', 'unknown', 'dustpatrol-review', 'dust', 'A-000003'],
    ]);
    // Split by flight: A-000001 and A-000004 share F-mon, so they share a split.
    expect(rows.every(([, , , split]) => split === 'train' || split === 'val')).toBe(true);
    expect(rows[0]?.[3]).toBe(rows[1]?.[3]);
    // Each picture is the alert's evidence as stored.
    const store = openAlertStore(reviewed, { readOnly: true });
    try {
      for (const [file, , , , , , alert] of rows) {
        const id = Number(alert?.slice(2));
        expect(fs.readFileSync(path.join(out, file as string)).equals(store.evidenceJpeg(id) as Buffer)).toBe(
          true,
        );
      }
    } finally {
      store.close();
    }
    // Pending alerts are left out, and only reviewed ones of the filter go in.
    const s3 = path.join(dir, 'reviewed-s3');
    const only = await runCli([
      'alerts',
      'dataset',
      '--db',
      reviewed,
      '--out',
      s3,
      '--site',
      'S-3',
      '--json',
    ]);
    expect(JSON.parse(only.stdout)).toMatchObject({
      plumes: 0,
      negatives: 1,
      negativesByReason: { vehicle: 1 },
    });
    const none = await runCli(['alerts', 'dataset', '--db', reviewed, '--out', path.join(dir, 'x', 'y')]);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(
      `dustpatrol: ${path.join(dir, 'x', 'y')}: folder ${path.join(dir, 'x')} does not exist; create it first\n`,
    );
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
