import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type Alert,
  AlertService,
  type AlertStore,
  DEFAULT_ALERT_RULES,
  isSamePlume,
  openAlertStore,
} from '../../src/alerts/index.js';
import type { Site } from '../../src/sites/index.js';
import { offset, S1_CENTRE, sighting, smallSites, T0_US, tempDir } from './sightings.js';

// Live, a plume is raised as soon as it is confirmed (from the views so far), then its track's final
// sighting — all its views — revises that alert (`revisesKey`), wherever it places the plume.

let dir: string;
let sites: Site[];
let store: AlertStore;
let service: AlertService;
let dbCount = 0;

beforeAll(async () => {
  dir = tempDir('alerts-revise');
  sites = await smallSites();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  store = openAlertStore(path.join(dir, `revise-${++dbCount}.db`));
  service = new AlertService({ store, sites });
  service.registerFlight({ id: 'F-1', name: 'live patrol', vehicleSysid: 1 });
});
afterEach(() => store.close());

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
    expect(revised.alert).toMatchObject({
      id: raised.alert.id,
      code: raised.alert.code,
      siteId: 'S-1',
      sightings: 2,
      firstSeenUs: T0_US,
      lastSeenUs: T0_US + 8e6,
    });
    // One plume, one alert: a supervisor is not told twice.
    expect(store.listAlerts()).toHaveLength(1);
    // The alert moved towards where the final sighting placed the plume.
    expect(metresApart(revised.alert, far)).toBeLessThan(metresApart(raised.alert, far));
    // The dashboard hears an update of that alert, not a new one.
    expect(events).toEqual([{ alert: revised.alert, change: 'updated' }]);
  });

  it('without revisesKey, the same far sighting raises a new alert', async () => {
    const { raised, far } = await raisedThenFar();

    const other = await service.raise(far);

    expect(other.change).toBe('created');
    expect(other.alert.id).not.toBe(raised.alert.id);
    expect(store.listAlerts()).toHaveLength(2);
    expect(store.alert(raised.alert.id)).toMatchObject({ sightings: 1, lastSeenUs: T0_US + 2e6 });
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
    expect(store.alert(f2.alert.id)).toMatchObject({ flightId: 'F-2', sightings: 1 });
  });

  it('stored once: the same revision raised again changes nothing', async () => {
    const { first, far } = await raisedThenFar();
    const revision = { ...far, sightingKey: `${first.sightingKey}/all`, revisesKey: first.sightingKey };
    const once = await service.raise(revision);

    const again = await service.raise(revision);

    expect(again.change).toBe('unchanged');
    expect(again.alert).toEqual(once.alert);
    expect(store.alert(once.alert.id)?.sightings).toBe(2);
  });
});
