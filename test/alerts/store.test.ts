import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertService, openAlertStore, periodLabel, SCHEMA_VERSION } from '../../src/alerts/index.js';
import { UserError } from '../../src/errors.js';
import type { Site } from '../../src/sites/index.js';
import { DAY_US, MINUTE_US, offset, S1_CENTRE, sighting, smallSites, T0_US, tempDir } from './sightings.js';

let dir: string;
let sites: Site[];
beforeAll(async () => {
  dir = tempDir('alerts-store');
  sites = await smallSites();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function pragma(file: string, name: string): unknown {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma(name, { simple: true });
  } finally {
    db.close();
  }
}

describe('openAlertStore', () => {
  it('creates the schema in a new file, in WAL mode', () => {
    const file = path.join(dir, 'new.db');
    openAlertStore(file).close();
    expect(pragma(file, 'user_version')).toBe(SCHEMA_VERSION);
    expect(pragma(file, 'journal_mode')).toBe('wal');
    const db = new Database(file, { readonly: true });
    // Tables and virtual tables, not the R*Tree's shadow tables that hold its nodes.
    const tables = db
      .prepare(
        "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type IN ('table', 'virtual') AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .pluck()
      .all();
    db.close();
    expect(tables).toEqual([
      'alerts',
      'detections',
      'flights',
      'footage',
      'footage_box',
      'patrols',
      'recordings',
      'reviews',
      'sites',
    ]);
  });

  it('migrates an empty file, and opens a migrated one again unchanged', () => {
    const file = path.join(dir, 'empty.db');
    fs.writeFileSync(file, '');
    const store = openAlertStore(file);
    store.close();
    expect(pragma(file, 'user_version')).toBe(SCHEMA_VERSION);
    openAlertStore(file).close();
    expect(pragma(file, 'user_version')).toBe(SCHEMA_VERSION);
  });

  it('refuses a database newer than the code, and leaves it alone', () => {
    const file = path.join(dir, 'newer.db');
    openAlertStore(file).close();
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openAlertStore(file)).toThrow(UserError);
    expect(() => openAlertStore(file)).toThrow(
      `${file}: alert database schema version ${SCHEMA_VERSION + 1} is newer than this dustpatrol understands (${SCHEMA_VERSION}); use a newer dustpatrol`,
    );
    expect(pragma(file, 'user_version')).toBe(SCHEMA_VERSION + 1);
  });

  it('refuses a file that is not SQLite, naming it, and does not touch it', () => {
    const file = path.join(dir, 'notes.db');
    const text = 'these are my notes, not a database\n'.repeat(200);
    fs.writeFileSync(file, text);
    expect(() => openAlertStore(file)).toThrow(UserError);
    expect(() => openAlertStore(file)).toThrow(`${file}: not a SQLite database`);
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
  });

  it('refuses a SQLite database of something else', () => {
    const file = path.join(dir, 'other.db');
    const db = new Database(file);
    db.exec('CREATE TABLE recipes (name TEXT)');
    db.close();
    expect(() => openAlertStore(file)).toThrow(
      `${file}: a SQLite database, but not a dustpatrol alert store`,
    );
  });

  it('with mustExist, refuses a missing file without creating it', () => {
    const file = path.join(dir, 'missing.db');
    expect(() => openAlertStore(file, { mustExist: true })).toThrow(`${file}: no such alert database`);
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('openAlertStore readOnly', () => {
  // Tests run as root, whom chmod does not stop; so these check that a read-only open writes nothing at
  // all (the file, its journal mode, no -wal or -shm left), and test/cli/alerts-read-only.test.ts runs
  // the CLI as an unprivileged user on a read-only file and folder.
  it('reads a store without writing to its file or its folder', async () => {
    const sub = path.join(dir, 'read-only');
    fs.mkdirSync(sub);
    const file = path.join(sub, 'patrol.db');
    const writer = openAlertStore(file);
    await new AlertService({ store: writer, sites }).raise(sighting());
    writer.close();
    const before = fs.readFileSync(file);
    const reader = openAlertStore(file, { readOnly: true });
    expect(reader.listAlerts().map((a) => a.code)).toEqual(['A-000001']);
    expect(() => reader.upsertFlight({ id: 'F-x' }, T0_US)).toThrow(
      /patrol\.db: cannot write the alert database: read-only.*SQLITE_READONLY/,
    );
    reader.close();
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    // A reader of a WAL store makes its shared-memory file and an empty log where it may; nothing more.
    const wal = `${file}-wal`;
    if (fs.existsSync(wal)) expect(fs.statSync(wal).size).toBe(0);
    expect(pragma(file, 'journal_mode')).toBe('wal');
  });

  it('refuses a missing file without creating it', () => {
    const file = path.join(dir, 'missing-read-only.db');
    expect(() => openAlertStore(file, { readOnly: true })).toThrow(/no such alert database/);
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('AlertStore queries', () => {
  let file: string;
  beforeAll(async () => {
    file = path.join(dir, 'queries.db');
    const store = openAlertStore(file);
    const service = new AlertService({ store, sites });
    // S-1: four alerts on four days; S-3: one; one with no site.
    for (let day = 0; day < 4; day++) {
      await service.raise(sighting({ firstSeenUs: T0_US + day * DAY_US, flightId: `F-day${day}` }));
    }
    await service.raise(sighting({ latDeg: 34.7319, lonDeg: 113.6202, flightId: 'F-day0' }));
    await service.raise(sighting({ ...offset(S1_CENTRE, -300, 0), firstSeenUs: T0_US + 30 * MINUTE_US }));
    store.close();
  });

  it('filters by site, contractor, time and flight', () => {
    const store = openAlertStore(file, { mustExist: true });
    try {
      expect(store.listAlerts()).toHaveLength(6);
      expect(store.listAlerts({ siteId: 'S-1' })).toHaveLength(4);
      expect(store.listAlerts({ contractor: 'borough works' }).map((a) => a.siteId)).toEqual(['S-3']);
      const since = store.listAlerts({ sinceUs: T0_US + DAY_US, untilUs: T0_US + 2 * DAY_US });
      expect(since.map((a) => a.firstSeenUs)).toEqual([T0_US + DAY_US, T0_US + 2 * DAY_US]);
      expect(store.listAlerts({ flightId: 'F-day0' }).map((a) => a.siteId)).toEqual(['S-1', 'S-3']);
      expect(store.listAlerts({ siteId: 'S-2' })).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('counts alerts per site per day, week and month', () => {
    const store = openAlertStore(file, { mustExist: true });
    try {
      const days = store.siteHistory('day', { siteId: 'S-1' });
      expect(days.map((r) => [r.period, r.alerts])).toEqual([
        ['2024-05-03', 1],
        ['2024-05-04', 1],
        ['2024-05-05', 1],
        ['2024-05-06', 1],
      ]);
      // 3 May 2024 is a Friday (week 18); Monday 6 May starts week 19.
      const weeks = store.siteHistory('week');
      expect(weeks.map((r) => [r.siteId, r.period, r.alerts])).toEqual([
        ['S-1', '2024-W18', 3],
        ['S-1', '2024-W19', 1],
        ['S-3', '2024-W18', 1],
        [null, '2024-W18', 1],
      ]);
      expect(store.siteHistory('month').map((r) => r.alerts)).toEqual([4, 1, 1]);
    } finally {
      store.close();
    }
  });
});

describe('periodLabel', () => {
  it('names ISO weeks across the turn of the year', () => {
    const us = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) * 1000;
    expect(periodLabel(us(2021, 1, 3), 'week')).toBe('2020-W53');
    expect(periodLabel(us(2024, 12, 30), 'week')).toBe('2025-W01');
    expect(periodLabel(us(2024, 12, 29), 'week')).toBe('2024-W52');
    expect(periodLabel(us(2024, 12, 29), 'month')).toBe('2024-12');
  });
});
