import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type Alert,
  AlertService,
  type AlertStore,
  DEFAULT_ALERT_RULES,
  isSamePlume,
  openAlertStore,
} from '../../src/alerts/index.js';
import { UserError } from '../../src/errors.js';
import { registryFromFeatures, type Site } from '../../src/sites/index.js';
import {
  MINUTE_US,
  offset,
  S1_CENTRE,
  sighting,
  smallSites,
  T0_US,
  tempDir,
  testFrame,
} from './sightings.js';

let dir: string;
let sites: Site[];
let store: AlertStore;
let service: AlertService;
let dbCount = 0;

beforeAll(async () => {
  dir = tempDir('alerts-service');
  sites = await smallSites();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  store = openAlertStore(path.join(dir, `service-${++dbCount}.db`));
  service = new AlertService({ store, sites });
  service.registerFlight({ id: 'F-1', name: 'morning patrol', vehicleSysid: 1 });
});
afterEach(() => store.close());

describe('AlertService.raise', () => {
  it('creates an alert tied to the site and its contractor, with a captioned evidence JPEG', async () => {
    const { alert, change } = await service.raise(sighting());
    expect(change).toBe('created');
    expect(alert).toMatchObject({
      code: 'A-000001',
      flightId: 'F-1',
      siteId: 'S-1',
      siteName: 'North block',
      contractor: 'Acme Build',
      siteDistanceM: 0,
      frames: 8,
      sightings: 1,
      severity: 'medium',
    });
    expect(alert.caption).toBe('North block (S-1)  2024-05-03 08:00:00 UTC  34.73036, 113.62055');

    const jpeg = store.evidenceJpeg(alert.id);
    expect(jpeg).not.toBeNull();
    const meta = await sharp(jpeg as Buffer).metadata();
    expect(meta.format).toBe('jpeg');
    expect([meta.width, meta.height]).toEqual([testFrame().width, testFrame().height]);
  });

  it('raises an alert with no site when no site is near', async () => {
    const far = offset(S1_CENTRE, -200, 0);
    const { alert } = await service.raise(sighting(far));
    expect(alert).toMatchObject({ siteId: null, contractor: null, siteDistanceM: null });
    expect(alert.caption.startsWith('no site  ')).toBe(true);
  });

  it('updates the alert when the same plume is seen again within R and T', async () => {
    const first = await service.raise(sighting({ uncertaintyM: 6, peakScore: 0.8 }));
    const near = offset(S1_CENTRE, 8, 6); // 10 m away
    const again = await service.raise(
      sighting({
        ...near,
        flightId: 'F-2',
        firstSeenUs: T0_US + 10 * MINUTE_US,
        lastSeenUs: T0_US + 11 * MINUTE_US,
        frames: 5,
        uncertaintyM: 3,
        peakScore: 0.95,
        meanScore: 0.9,
        areaM2: 600,
      }),
    );
    expect(again.change).toBe('updated');
    const a = again.alert;
    expect(a.id).toBe(first.alert.id);
    expect(a.frames).toBe(13);
    expect(a.sightings).toBe(2);
    expect(a.firstSeenUs).toBe(T0_US);
    expect(a.lastSeenUs).toBe(T0_US + 11 * MINUTE_US);
    expect(a.peakScore).toBe(0.95);
    expect(a.severity).toBe('high');
    // Inverse-variance mean: weights 1/36 and 1/9, so 4/5 of the way to the better fix.
    const expected = offset(S1_CENTRE, 8 * 0.8, 6 * 0.8);
    expect(a.latDeg).toBeCloseTo(expected.latDeg, 7);
    expect(a.lonDeg).toBeCloseTo(expected.lonDeg, 7);
    expect(a.uncertaintyM).toBeCloseTo(1 / Math.sqrt(1 / 36 + 1 / 9), 6);
    // The better evidence (higher peak) replaced the first.
    expect(a.caption).toContain('08:10:00 UTC');
    // Seen by F-2 as well: a flight filter finds it.
    expect(store.listAlerts({ flightId: 'F-2' }).map((x) => x.id)).toEqual([a.id]);
  });

  it('keeps the better evidence when the new sighting has a lower peak', async () => {
    const first = await service.raise(sighting({ peakScore: 0.9 }));
    const jpegBefore = store.evidenceJpeg(first.alert.id);
    const again = await service.raise(sighting({ firstSeenUs: T0_US + MINUTE_US, peakScore: 0.6 }));
    expect(again.change).toBe('updated');
    expect(again.alert.peakScore).toBe(0.9);
    expect(again.alert.caption).toBe(first.alert.caption);
    expect(store.evidenceJpeg(first.alert.id)?.equals(jpegBefore as Buffer)).toBe(true);
  });

  it('raises a new alert beyond the radius or beyond the window', async () => {
    const first = await service.raise(sighting());
    const { dedupRadiusM, dedupWindowS } = DEFAULT_ALERT_RULES;
    // Both placed ±6 m: the radius widens by 12 m.
    const farther = await service.raise(sighting(offset(S1_CENTRE, dedupRadiusM + 12 + 5, 0)));
    const later = await service.raise(sighting({ firstSeenUs: T0_US + 4e6 + dedupWindowS * 1e6 + 1e6 }));
    for (const r of [farther, later]) {
      expect(r.change).toBe('created');
      expect(r.alert.id).not.toBe(first.alert.id);
    }
    // Just inside both limits: the same plume.
    const inside = await service.raise(
      sighting({
        ...offset(S1_CENTRE, dedupRadiusM + 12 - 2, 0),
        firstSeenUs: T0_US + 4e6 + dedupWindowS * 1e6 - 1e6,
      }),
    );
    expect(inside.change).toBe('updated');
  });

  it('takes a plume placed from afar and then from overhead for one, at the overhead place', async () => {
    const { dedupRadiusM } = DEFAULT_ALERT_RULES;
    const afar = await service.raise(sighting({ uncertaintyM: 14 }));
    const overhead = await service.raise(
      sighting({ ...offset(S1_CENTRE, dedupRadiusM + 10, 0), uncertaintyM: 2, sightingKey: 'overhead' }),
    );
    expect(overhead.change).toBe('updated');
    expect(overhead.alert.id).toBe(afar.alert.id);
    // Weighted by 1/uncertainty²: within a metre of the overhead placing.
    const moved = offset(S1_CENTRE, dedupRadiusM + 10, 0);
    expect(Math.abs(overhead.alert.latDeg - moved.latDeg) * 111_000).toBeLessThan(1);
  });

  it('raises a new alert for a plume at the neighbouring site, however close', async () => {
    // Two yards 10 m apart; sightings 5 m inside each, so 20 m apart (within the radius).
    const square = (id: string, west: { latDeg: number; lonDeg: number }) => {
      const ne = offset(west, 40, 40);
      return {
        type: 'Feature',
        properties: { id, name: `yard ${id}`, contractor: `builder ${id}` },
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [west.lonDeg, west.latDeg],
              [ne.lonDeg, west.latDeg],
              [ne.lonDeg, ne.latDeg],
              [west.lonDeg, ne.latDeg],
              [west.lonDeg, west.latDeg],
            ],
          ],
        },
      };
    };
    const origin = { latDeg: 34.75, lonDeg: 113.65 };
    const { sites: yards } = registryFromFeatures([
      { source: 'yards', features: [square('Y-A', origin), square('Y-B', offset(origin, 0, 50))] },
    ]);
    const yardService = new AlertService({ store, sites: yards });
    const a = await yardService.raise(sighting(offset(origin, 20, 35)));
    const b = await yardService.raise(sighting(offset(origin, 20, 55)));
    expect([a.alert.siteId, b.alert.siteId]).toEqual(['Y-A', 'Y-B']);
    expect(b.change).toBe('created');
    expect(b.alert.contractor).toBe('builder Y-B');
  });

  it('counts both no-site sightings as one place', async () => {
    const far = offset(S1_CENTRE, -200, 0);
    const a = await service.raise(sighting(far));
    const b = await service.raise(sighting({ ...offset(far, 5, 0), firstSeenUs: T0_US + MINUTE_US }));
    expect(b.change).toBe('updated');
    expect(b.alert.id).toBe(a.alert.id);
  });

  it('changes nothing when the same sighting is raised again (replay re-run)', async () => {
    const s = sighting();
    const events: string[] = [];
    service.onAlert(({ change }) => events.push(change));
    const first = await service.raise(s);
    const again = await service.raise({ ...s });
    expect(again.change).toBe('unchanged');
    expect(again.alert).toEqual(first.alert);
    expect(store.countAlerts()).toBe(1);
    expect(events).toEqual(['created']);
  });

  it('tells listeners of created and updated alerts, and stops when asked', async () => {
    const seen: { code: string; change: string }[] = [];
    const stop = service.onAlert(({ alert, change }) => seen.push({ code: alert.code, change }));
    await service.raise(sighting());
    await service.raise(sighting({ firstSeenUs: T0_US + MINUTE_US }));
    stop();
    await service.raise(sighting({ firstSeenUs: T0_US + 2 * MINUTE_US }));
    expect(seen).toEqual([
      { code: 'A-000001', change: 'created' },
      { code: 'A-000001', change: 'updated' },
    ]);
  });

  it('keeps the alert stored when a listener throws', async () => {
    const errors: unknown[] = [];
    const s2 = new AlertService({ store, sites, onListenerError: (e) => errors.push(e) });
    s2.onAlert(() => {
      throw new Error('socket closed');
    });
    const { alert } = await s2.raise(sighting());
    expect(errors).toHaveLength(1);
    expect(store.getAlert(alert.id)).not.toBeNull();
  });

  it('refuses a bad sighting with one message naming it and the field, and stores nothing', async () => {
    const stored: Alert = (await service.raise(sighting())).alert;
    const bad = sighting({ sightingKey: 'track-7@1', latDeg: Number.NaN });
    await expect(service.raise(bad)).rejects.toThrow(UserError);
    await expect(service.raise(bad)).rejects.toThrow(/sighting "track-7@1" of flight "F-1": latDeg NaN/);
    await expect(service.raise(sighting({ frames: 0 }))).rejects.toThrow(/frames 0/);
    expect(store.listAlerts()).toEqual([stored]);
  });

  it('records an unregistered flight by its id', async () => {
    await service.raise(sighting({ flightId: 'F-unknown' }));
    expect(store.getFlight('F-unknown')?.id).toBe('F-unknown');
    expect(store.getFlight('F-1')).toMatchObject({ name: 'morning patrol', vehicleSysid: 1 });
  });
});

// Live, a plume is raised as soon as it is confirmed (from the views so far), then its track's final
// sighting — all its views — revises that alert (`revisesKey`), wherever it places the plume.

function metresApart(a: { latDeg: number; lonDeg: number }, b: { latDeg: number; lonDeg: number }) {
  const northM = (a.latDeg - b.latDeg) * 6_378_137 * (Math.PI / 180);
  const eastM = (a.lonDeg - b.lonDeg) * 6_378_137 * (Math.PI / 180) * Math.cos((a.latDeg * Math.PI) / 180);
  return Math.hypot(northM, eastM);
}

/** The first alert of a track (at S-1's centre, ±2 m) and, 45 m east, still inside S-1, its final placing. */
async function raisedThenFar() {
  const first = sighting({ uncertaintyM: 2, frames: 4, firstSeenUs: T0_US, lastSeenUs: T0_US + 2e6 });
  const raised = await service.raise(first);
  const far = sighting({
    ...offset(S1_CENTRE, 0, 45),
    uncertaintyM: 2,
    frames: 12,
    firstSeenUs: T0_US,
    lastSeenUs: T0_US + 8e6,
  });
  // Beyond the de-dup radius: 30 m plus both uncertainties.
  expect(isSamePlume(raised.alert, far, DEFAULT_ALERT_RULES)).toBe(false);
  return { first, raised, far };
}

describe('a sighting that revises an earlier one of its flight', () => {
  it('updates the alert of the sighting it revises, even placed beyond the de-dup radius', async () => {
    const { first, raised, far } = await raisedThenFar();
    const events: { alert: Alert; change: string }[] = [];
    service.onAlert((e) => events.push(e));

    const revised = await service.raise({
      ...far,
      sightingKey: `${first.sightingKey}/all`,
      revisesKey: first.sightingKey,
    });

    expect(revised.change).toBe('updated');
    // The final sighting stands in the first one's place: one sighting, its frames and times, its
    // position — the first one's frames are among the final one's and are not counted twice.
    expect(revised.alert).toMatchObject({
      id: raised.alert.id,
      code: raised.alert.code,
      siteId: 'S-1',
      sightings: 1,
      frames: far.frames,
      meanScore: far.meanScore,
      firstSeenUs: T0_US,
      lastSeenUs: T0_US + 8e6,
      uncertaintyM: far.uncertaintyM,
    });
    expect(metresApart(revised.alert, far)).toBeLessThan(0.01);
    // One plume, one alert: a supervisor is not told twice.
    expect(store.listAlerts()).toHaveLength(1);
    // The dashboard hears an update of that alert, not a new one.
    expect(events).toEqual([{ alert: revised.alert, change: 'updated' }]);
  });

  it('without revisesKey, the same far sighting raises a new alert', async () => {
    const { raised, far } = await raisedThenFar();

    const other = await service.raise(far);

    expect(other.change).toBe('created');
    expect(other.alert.id).not.toBe(raised.alert.id);
    expect(store.listAlerts()).toHaveLength(2);
    expect(store.getAlert(raised.alert.id)).toMatchObject({ sightings: 1, lastSeenUs: T0_US + 2e6 });
  });

  it('a revisesKey that names no sighting of this flight is de-duplicated as any other sighting', async () => {
    const { first, far } = await raisedThenFar();
    // The same key, stored by another flight: not this flight's sighting.
    service.registerFlight({ id: 'F-2', name: 'other patrol' });
    // Each placing below is at least 50 m from every other: beyond the de-dup radius of any.
    const elsewhere = sighting({ ...offset(S1_CENTRE, -30, -40), flightId: 'F-2', sightingKey: 'k-1' });
    const f2 = await service.raise(elsewhere);

    const unknown = await service.raise({ ...far, revisesKey: 'never-raised' });
    const otherFlights = await service.raise({
      ...far,
      ...offset(S1_CENTRE, 35, -45),
      sightingKey: `${first.sightingKey}/other`,
      revisesKey: 'k-1',
    });

    expect(unknown.change).toBe('created');
    expect(otherFlights.change).toBe('created');
    expect(store.listAlerts()).toHaveLength(4);
    expect(store.getAlert(f2.alert.id)).toMatchObject({ flightId: 'F-2', sightings: 1 });
  });

  it('stored once: the same revision raised again changes nothing', async () => {
    const { first, far } = await raisedThenFar();
    const revision = { ...far, sightingKey: `${first.sightingKey}/all`, revisesKey: first.sightingKey };
    const once = await service.raise(revision);

    const again = await service.raise(revision);

    expect(again.change).toBe('unchanged');
    expect(again.alert).toEqual(once.alert);
    expect(store.getAlert(once.alert.id)?.sightings).toBe(1);
  });

  it("moves an alert that is the track's alone to the site the final sighting places it in", async () => {
    // First placed (from an edge view) in S-1; all the track's views place it in S-3, Borough Works.
    const first = sighting({ uncertaintyM: 12, frames: 4 });
    const raised = await service.raise(first);
    expect(raised.alert).toMatchObject({ siteId: 'S-1', contractor: 'Acme Build' });
    const inS3 = { ...offset(S1_CENTRE, 180, 20), uncertaintyM: 3, frames: 10 };

    const revised = await service.raise(
      sighting({ ...inS3, sightingKey: `${first.sightingKey}/all`, revisesKey: first.sightingKey }),
    );

    expect(revised.alert).toMatchObject({
      id: raised.alert.id,
      siteId: 'S-3',
      contractor: 'Borough Works',
      siteDistanceM: 0,
      sightings: 1,
      frames: 10,
    });
    // The evidence picture is captioned with the site it now names.
    expect(store.getAlert(raised.alert.id)?.caption).toContain('S-3');
  });

  it("keeps what other sightings brought to the alert, and its site, replacing only the track's own", async () => {
    service.registerFlight({ id: 'F-2', name: 'earlier patrol' });
    const earlier = await service.raise(sighting({ flightId: 'F-2', frames: 6, uncertaintyM: 4 }));
    // This flight's first sighting of the same plume joins that alert; its final one is placed 20 m off.
    const first = sighting({ firstSeenUs: T0_US + MINUTE_US, frames: 4, uncertaintyM: 4 });
    expect((await service.raise(first)).alert.id).toBe(earlier.alert.id);
    const final = sighting({
      ...offset(S1_CENTRE, 0, 20),
      firstSeenUs: T0_US + MINUTE_US,
      frames: 10,
      uncertaintyM: 4,
      sightingKey: `${first.sightingKey}/all`,
      revisesKey: first.sightingKey,
    });

    const revised = await service.raise(final);

    expect(revised.alert).toMatchObject({
      id: earlier.alert.id,
      siteId: 'S-1',
      sightings: 2,
      frames: 6 + 10,
    });
    // Equal weights: half way between the earlier flight's placing and the final one.
    expect(metresApart(revised.alert, offset(S1_CENTRE, 0, 10))).toBeLessThan(0.1);
  });
});
