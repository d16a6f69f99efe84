import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Alert,
  AlertService,
  type AlertStore,
  contractorLedger,
  type LedgerQuery,
  openAlertStore,
  type PatrolRecord,
  siteLedger,
  sitePatrols,
} from '../../src/alerts/index.js';
import { registryFromFeatures, type Site } from '../../src/sites/index.js';
import { DAY_US, MINUTE_US, S1_CENTRE, sighting, smallSites, T0_US, tempDir } from './sightings.js';

// The enforcement ledger over a real store: alerts by review state, the blacklist rule on confirmed
// alerts alone, patrols from their records (what their missions reached) and from flights that only
// sighted alerts, and sites with nothing at all when the site file is given.

const HOUR_US = 3_600e6;
/** Points inside the small fixture's sites (S-3's is in its ring, not its courtyard). */
const IN = {
  S1: S1_CENTRE,
  S2: { latDeg: 34.7302, lonDeg: 113.6228 },
  S3: { latDeg: 34.7319, lonDeg: 113.6201 },
  S4: { latDeg: 34.732, lonDeg: 113.6235 },
  nowhere: { latDeg: 34.7295, lonDeg: 113.6245 },
};
const HOME = { latDeg: 34.7291017, lonDeg: 113.6216396 };

/** A mission item as a patrol record stores it (x latitude, y longitude, degrees). */
function item(
  command: number,
  frame: number,
  at: { latDeg: number; lonDeg: number } = { latDeg: 0, lonDeg: 0 },
) {
  return {
    command,
    frame,
    param1: 0,
    param2: 0,
    param3: 0,
    param4: 0,
    x: at.latDeg,
    y: at.lonDeg,
    z: 40,
    autocontinue: true,
  };
}
const home = () => item(16, 0, HOME);
const takeoff = () => item(22, 3, HOME);
const speed = () => item(178, 2);
const wp = (at: { latDeg: number; lonDeg: number }) => item(16, 3, at);
const roi = (at: { latDeg: number; lonDeg: number }) => item(195, 3, at);
const rtl = () => item(20, 2);

function patrol(flightId: string, items: unknown[], over: Partial<PatrolRecord>): PatrolRecord {
  return {
    flightId,
    vehicleId: 'drone-1',
    planName: `${flightId} plan`,
    planDigest: `digest-${flightId}`,
    missionJson: JSON.stringify({ items, fence: { polygons: [], circles: [] } }),
    status: 'landed',
    lastReachedSeq: null,
    outcome: null,
    startedUs: T0_US,
    updatedUs: T0_US,
    endedUs: T0_US + HOUR_US,
    ...over,
  };
}

/** A site far from the others that nothing ever happened at. */
function quietSite(): Site {
  const [lon, lat] = [113.64, 34.74];
  const ring = [
    [lon, lat],
    [lon + 0.001, lat],
    [lon + 0.001, lat + 0.001],
    [lon, lat + 0.001],
    [lon, lat],
  ];
  return registryFromFeatures([
    {
      source: 'quiet',
      features: [
        {
          type: 'Feature',
          properties: { id: 'S-9', name: 'Quiet plot', contractor: 'Acme Build', risk: 'low' },
          geometry: { type: 'Polygon', coordinates: [ring] },
        },
      ],
    },
  ]).sites[0] as Site;
}

let dir: string;
let store: AlertStore;
let service: AlertService;
let sites: Site[];
let s1: Alert[];
const untilUs = T0_US + 3 * DAY_US + MINUTE_US;
const rule = (over: Partial<LedgerQuery> = {}): LedgerQuery => ({
  confirmedAlerts: 2,
  windowS: 3 * 86_400,
  untilUs,
  ...over,
});
const by = { reviewer: 'ana', role: null, via: 'cli' as const };

beforeAll(async () => {
  dir = tempDir('alerts-ledger');
  store = openAlertStore(path.join(dir, 'ledger.db'));
  sites = await smallSites();
  service = new AlertService({ store, sites });
  for (const id of ['F-P1', 'F-P2', 'F-P3', 'F-P4', 'F-replay']) service.registerFlight({ id });
  // P1 flew its whole mission: a waypoint in S-2, then the camera on S-4 from a waypoint outside it.
  store.savePatrol(
    patrol(
      'F-P1',
      [home(), takeoff(), speed(), wp(IN.S2), wp(IN.nowhere), roi(IN.S4), wp(IN.nowhere), rtl()],
      {
        outcome: 'completed',
        lastReachedSeq: 7,
        startedUs: T0_US - HOUR_US,
      },
    ),
  );
  // P2 reached its waypoint in S-1 (seq 3) and the one after (4), not S-3's (5): the battery ran low.
  const p2Items = [home(), takeoff(), speed(), wp(IN.S1), wp(IN.nowhere), wp(IN.S3), rtl()];
  store.savePatrol(
    patrol('F-P2', p2Items, {
      outcome: 'battery reserve',
      lastReachedSeq: 4,
      startedUs: T0_US - 10 * MINUTE_US,
    }),
  );
  // P3 resumed P2 from its last waypoint (a mission one item shorter: its seqs run one behind the
  // plan's) and reached S-3's waypoint, the plan's seq 5.
  const resumed = [home(), takeoff(), speed(), wp(IN.nowhere), wp(IN.S3), rtl()];
  store.savePatrol(
    patrol('F-P3', resumed, {
      planDigest: 'digest-F-P2',
      outcome: 'aborted',
      lastReachedSeq: 5,
      startedUs: T0_US + 3 * DAY_US - HOUR_US,
    }),
  );
  // P4 resumed it too, earlier, and got no further than the plan's seq 4: its own seq 4 (S-3's
  // waypoint) was not reached.
  store.savePatrol(
    patrol('F-P4', resumed, {
      planDigest: 'digest-F-P2',
      outcome: 'aborted',
      lastReachedSeq: 4,
      startedUs: T0_US + 2 * DAY_US,
    }),
  );
  // S-1: one alert a day for four days (P2 saw the first; a replayed flight the rest); S-3: P3's one.
  s1 = [];
  for (let day = 0; day < 4; day++) {
    const flightId = day === 0 ? 'F-P2' : 'F-replay';
    s1.push((await service.raise(sighting({ firstSeenUs: T0_US + day * DAY_US, flightId }))).alert);
  }
  await service.raise(
    sighting({ ...IN.S3, firstSeenUs: T0_US + 3 * DAY_US - 30 * MINUTE_US, flightId: 'F-P3' }),
  );
  const [a0, a1, a2] = s1 as [Alert, Alert, Alert];
  service.review(a0.id, { verdict: 'confirmed', reason: 'dust', note: '' }, by);
  service.review(a1.id, { verdict: 'confirmed', reason: 'dust', note: '' }, by);
  service.review(a2.id, { verdict: 'dismissed', reason: 'soil', note: '' }, by);
});
afterAll(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const row = (rows: ReturnType<typeof siteLedger>, id: string) => rows.find((r) => r.siteId === id);

describe('the site ledger', () => {
  it('counts alerts by review state; only confirmed ones in the window flag a site', () => {
    const rows = siteLedger(store, rule());
    // The day-0 alert is outside the 3-day window; day 1 is confirmed, day 2 dismissed, day 3 pending.
    expect(row(rows, 'S-1')).toMatchObject({
      siteName: 'North block',
      contractor: 'Acme Build',
      risk: 'high',
      confirmed: 2,
      pending: 1,
      dismissed: 1,
      windowConfirmed: 1,
      windowPending: 1,
      lastAlertUs: (s1[3] as Alert).lastSeenUs,
      flagged: false,
      reviewNeeded: true,
    });
    // A wider window takes the day-0 alert in: two confirmed flag it.
    expect(row(siteLedger(store, rule({ windowS: 4 * 86_400 })), 'S-1')).toMatchObject({
      windowConfirmed: 2,
      flagged: true,
      reviewNeeded: false,
    });
    // Dismissed alerts do not count: were the dismissed one confirmed instead, it would flag.
    expect(siteLedger(store, rule()).filter((r) => r.flagged)).toEqual([]);
  });

  it('counts the patrols that covered each site, from their records and from flights that sighted alerts', () => {
    const rows = siteLedger(store, rule());
    // S-1: P2 (its waypoint there reached) and the replayed flight; not P3, resumed past it.
    expect(row(rows, 'S-1')).toMatchObject({ patrols: 2, lastPatrolUs: T0_US + DAY_US });
    // S-2: P1's waypoint; S-4: P1's camera; S-3: P3 (P2 and P4 never got there).
    expect(row(rows, 'S-2')).toMatchObject({
      patrols: 1,
      lastPatrolUs: T0_US - HOUR_US,
      confirmed: 0,
      pending: 0,
    });
    expect(row(rows, 'S-4')).toMatchObject({ patrols: 1, risk: null });
    expect(row(rows, 'S-3')).toMatchObject({
      patrols: 1,
      pending: 1,
      lastPatrolUs: T0_US + 3 * DAY_US - HOUR_US,
    });

    const s1Patrols = sitePatrols(store, sites, { untilUs }).get('S-1') ?? [];
    expect(s1Patrols.map((p) => [p.flightId, p.vehicleId, p.outcome, p.alerts])).toEqual([
      ['F-P2', 'drone-1', 'battery reserve', { pending: 0, confirmed: 1, dismissed: 0 }],
      ['F-replay', null, null, { pending: 1, confirmed: 1, dismissed: 1 }],
    ]);
    // From T0 on, P1 and P2 (started before) are left out.
    const since = sitePatrols(store, sites, { sinceUs: T0_US, untilUs });
    expect([...since.keys()].sort()).toEqual(['S-1', 'S-3']);
    // Up to a time before P3 and the replay: only what had happened then.
    const early = sitePatrols(store, sites, { untilUs: T0_US });
    expect([...early.keys()].sort()).toEqual(['S-1', 'S-2', 'S-4']);
  });

  it('lists every site of the file given, those with nothing too; without it only those with alerts or patrols', () => {
    const all = siteLedger(store, rule({ sites: [...sites, quietSite()] }));
    expect(all.map((r) => r.siteId).sort()).toEqual(['S-1', 'S-2', 'S-3', 'S-4', 'S-9']);
    expect(row(all, 'S-9')).toEqual({
      siteId: 'S-9',
      siteName: 'Quiet plot',
      contractor: 'Acme Build',
      risk: 'low',
      patrols: 0,
      lastPatrolUs: null,
      confirmed: 0,
      pending: 0,
      dismissed: 0,
      windowConfirmed: 0,
      windowPending: 0,
      lastAlertUs: null,
      flagged: false,
      reviewNeeded: false,
    });
    expect(siteLedger(store, rule()).map((r) => r.siteId)).not.toContain('S-9');
  });

  it("adds a contractor's sites up", () => {
    const contractors = contractorLedger(
      siteLedger(store, rule({ windowS: 4 * 86_400, sites: [...sites, quietSite()] })),
    );
    expect(contractors).toEqual([
      {
        contractor: 'Acme Build',
        sites: 3,
        flaggedSites: 1,
        patrols: 3,
        confirmed: 2,
        pending: 1,
        dismissed: 1,
        windowConfirmed: 2,
        lastAlertUs: (s1[3] as Alert).lastSeenUs,
      },
      expect.objectContaining({
        contractor: 'Borough Works',
        sites: 2,
        flaggedSites: 0,
        patrols: 2,
        pending: 1,
      }),
    ]);
  });

  it('flags the site once a reviewer confirms the pending alert', () => {
    service.review((s1[3] as Alert).id, { verdict: 'confirmed', reason: 'dust', note: '' }, by);
    expect(row(siteLedger(store, rule()), 'S-1')).toMatchObject({
      windowConfirmed: 2,
      flagged: true,
      reviewNeeded: false,
    });
    expect(siteLedger(store, rule())[0]?.siteId).toBe('S-1');
  });
});
