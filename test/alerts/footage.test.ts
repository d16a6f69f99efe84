import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AlertService,
  type AlertStore,
  findFootage,
  openAlertStore,
  SCHEMA_VERSION,
} from '../../src/alerts/index.js';
import { MIGRATIONS } from '../../src/alerts/migrations.js';
import type { Site } from '../../src/sites/index.js';
import { squareAround as square, footageView as view } from '../helpers/footage-views.js';
import { offset, S1_CENTRE, smallSites, T0_US, tempDir } from './sightings.js';

// The footage index in a real SQLite store: views of the ground written as live analytics and replays
// write them, and the stretches of recordings found for a site, a drawn area or a point.

let dir: string;
let sites: Site[];
let store: AlertStore;
let alerts: AlertService;
const s1 = () => ({ kind: 'area' as const, geometry: sites[0].geometry });

beforeAll(async () => {
  dir = tempDir('footage');
  sites = await smallSites();
  store = openAlertStore(path.join(dir, 'alerts.db'));
  alerts = new AlertService({ store, sites });
  alerts.registerFlight({ id: 'F-1', name: 'morning patrol' });
});

afterAll(() => {
  store?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the footage index', () => {
  it('joins the views that follow on into one range, with the largest share of the site in one view', () => {
    const west = offset(S1_CENTRE, 0, -50);
    alerts.replaceFootage({ flightId: 'F-1', path: '/data/F-1-video-1.mkv' }, [
      view(10, 11, square(offset(S1_CENTRE, 0, -300), 30)), // far west: not S-1
      view(11, 12, square(west, 50)), // the west half of S-1 (50 of its 100 m)
      view(12, 12.5, square(S1_CENTRE, 80)), // all of it
      view(12.5, 14, square(west, 50)),
      view(20, 21, square(S1_CENTRE, 80)), // again after a gap: a range of its own
    ]);
    const ranges = findFootage(store.footage, s1());
    expect(ranges.map((r) => [r.startOffsetS, r.endOffsetS])).toEqual([
      [11, 14],
      [20, 21],
    ]);
    expect(ranges[0].startUs).toBe(T0_US + 11e6);
    expect(ranges[0].endUs).toBe(T0_US + 14e6);
    expect(ranges[0].viewShare).toBeCloseTo(1, 6);
    expect(ranges[0].recording).toMatchObject({ flightId: 'F-1', path: '/data/F-1-video-1.mkv' });

    // The half view alone: half of the site.
    const half = findFootage(store.footage, s1(), { untilUs: T0_US + 11.9e6 });
    expect(half).toHaveLength(1);
    expect(half[0].viewShare).toBeCloseTo(0.5, 2);
  });

  it('cuts ranges to --since and --until, the offsets moved with the times', () => {
    const ranges = findFootage(store.footage, s1(), { sinceUs: T0_US + 12.2e6, untilUs: T0_US + 20.5e6 });
    expect(ranges.map((r) => [r.startOffsetS, r.endOffsetS])).toEqual([
      [expect.closeTo(12.2, 6), 14],
      [20, expect.closeTo(20.5, 6)],
    ]);
    expect(ranges[0].startUs).toBe(T0_US + 12.2e6);
  });

  it('finds a point only in the views that had it inside, and a site whose hole alone was seen not at all', () => {
    const ranges = findFootage(store.footage, { kind: 'point', ...offset(S1_CENTRE, 0, 40) });
    // 40 m east of the centre: in the whole-site views, not in the west-half ones.
    expect(ranges.map((r) => [r.startOffsetS, r.endOffsetS, r.viewShare])).toEqual([
      [12, 12.5, 1],
      [20, 21, 1],
    ]);

    const courtyard = sites.find((s) => s.id === 'S-3') as Site;
    // S-3's hole is 40 × 40 m around 34.7322458, 113.6206558: a view of the hole alone shows none of the site.
    const holeCentre = { latDeg: 34.7322458, lonDeg: 113.6206558 };
    alerts.replaceFootage({ flightId: 'F-1', path: '/data/F-1-video-2.mkv' }, [
      view(0, 1, square(holeCentre, 19)),
      view(1, 2, square(holeCentre, 70)),
    ]);
    const seen = findFootage(store.footage, { kind: 'area', geometry: courtyard.geometry });
    expect(seen.map((r) => [r.recording.path, r.startOffsetS, r.endOffsetS])).toEqual([
      ['/data/F-1-video-2.mkv', 1, 2],
    ]);
    expect(seen[0].viewShare).toBeCloseTo(1, 6);
  });

  it('indexes a recording anew on replay (its old views replaced), and adds live views to what it has', () => {
    const recording = { flightId: 'F-1', path: '/data/F-1-video-2.mkv' };
    alerts.replaceFootage(recording, [view(5, 6, square(S1_CENTRE, 80))]);
    const [stored] = store.footage.recordings('F-1').filter((r) => r.path === recording.path);
    expect(store.footage.views(stored.id).map((v) => v.startOffsetS)).toEqual([5]);

    expect(
      alerts.addFootage(recording, [view(6, 7, square(S1_CENTRE, 80)), view(5, 6, square(S1_CENTRE, 1))]),
    ).toBe(true);
    // The view already indexed at 5 s stays as it was.
    const views = store.footage.views(stored.id);
    expect(views.map((v) => v.startOffsetS)).toEqual([5, 6]);
    expect(views[0].footprint).toHaveLength(4);
    expect(findFootage(store.footage, s1()).filter((r) => r.recording.id === stored.id)).toMatchObject([
      { startOffsetS: 5, endOffsetS: 7 },
    ]);
  });

  it('indexes views of a flight it did not know yet (a sighting-less flight) under that flight', () => {
    expect(
      alerts.addFootage({ flightId: 'F-NEW', path: '/data/F-NEW-video-1.mkv' }, [
        view(0, 1, square(S1_CENTRE, 5)),
      ]),
    ).toBe(true);
    expect(store.getFlight('F-NEW')).toMatchObject({ id: 'F-NEW' });
  });
});

describe('a store from before the footage index (schema 4)', () => {
  it('opens, keeps its flight and alert, and takes footage', () => {
    const file = path.join(dir, 'v3.db');
    const db = new Database(file);
    for (const [v, step] of MIGRATIONS.slice(0, 4).entries()) {
      db.exec(step);
      db.pragma(`user_version = ${v + 1}`);
    }
    db.prepare("INSERT INTO flights (id, name, created_us) VALUES ('F-OLD', 'last year', ?)").run(T0_US);
    db.prepare(
      `INSERT INTO alerts (id, code, flight_id, lat_deg, lon_deg, uncertainty_m, first_seen_us, last_seen_us, frames,
         severity, mean_score, peak_score, pose, evidence_jpeg, caption, created_us, updated_us)
       VALUES (1, 'A-000001', 'F-OLD', ?, ?, 6, ?, ?, 8, 'medium', 0.7, 0.8, '{}', ?, 'old', ?, ?)`,
    ).run(
      S1_CENTRE.latDeg,
      S1_CENTRE.lonDeg,
      T0_US,
      T0_US,
      Buffer.from([0xff, 0xd8, 0xff, 0xd9]),
      T0_US,
      T0_US,
    );
    db.close();

    const old = openAlertStore(file);
    try {
      expect(old.getFlight('F-OLD')).toMatchObject({ name: 'last year' });
      expect(old.listAlerts()).toMatchObject([{ code: 'A-000001', flightId: 'F-OLD' }]);
      expect(old.footage.recordings()).toEqual([]);
      // Replaying the old flight indexes its recording.
      new AlertService({ store: old, sites }).replaceFootage({ flightId: 'F-OLD', path: '/data/old.mkv' }, [
        view(0, 2, square(S1_CENTRE, 80)),
      ]);
      expect(findFootage(old.footage, s1())).toMatchObject([{ startOffsetS: 0, endOffsetS: 2 }]);
    } finally {
      old.close();
    }
    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    check.close();
  });
});
