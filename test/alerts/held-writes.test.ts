// The store stops taking writes in the middle of a patrol: its disk fills, or another process locks it.
// The daemon's AlertService (`hold`) keeps what it cannot write in memory, in order, bounded in evidence
// images, says so, and writes it all when the store takes writes again, on its retry timer (a fake clock
// here, STORE_TIMING's delays). Nothing already stored is lost.
//
// The full disk is SQLite's own full condition (SQLITE_FULL) on the real store, made with
// PRAGMA max_page_count on the store's connection: a real full disk needs a mount (root, or a user
// namespace that CI may not allow; test/cli/full-disk.test.ts uses one where it can), and what the store
// sees is the same error either way. The lock is a second better-sqlite3 connection holding
// BEGIN EXCLUSIVE, as another process would.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AlertService,
  type AlertStore,
  openAlertStore,
  type PatrolRecord,
  type StoreEvent,
} from '../../src/alerts/index.js';
import { IoError } from '../../src/errors.js';
import type { Site } from '../../src/sites/index.js';
import { STORE_TIMING } from '../../src/timing.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { fillStore, freeStore } from '../helpers/full-store.js';
import { MINUTE_US, offset, S1_CENTRE, sighting, smallSites, T0_US, tempDir } from './sightings.js';

let dir: string;
let sites: Site[];
let file: string;
let store: AlertStore;
let clock: FakeClock;
let service: AlertService;
let events: StoreEvent[];
let dbCount = 0;

beforeAll(async () => {
  dir = tempDir('alerts-held');
  sites = await smallSites();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function openService(evidenceImages?: number): void {
  file = path.join(dir, `held-${++dbCount}.db`);
  store = openAlertStore(file, { busyTimeoutMs: STORE_TIMING.daemonBusyTimeoutMs });
  clock = new FakeClock();
  service = new AlertService({ store, sites, hold: { clock, evidenceImages } });
  events = [];
  service.onStoreEvent((e) => events.push(e));
}
beforeEach(() => openService());
afterEach(() => store.close());

const fillDisk = () => fillStore(store);
const freeDisk = () => freeStore(store);

function patrol(over: Partial<PatrolRecord> = {}): PatrolRecord {
  return {
    flightId: 'F-1',
    vehicleId: 'drone-1',
    planName: 'north.plan',
    planDigest: 'd'.repeat(64),
    missionJson: '[]',
    status: 'flying',
    lastReachedSeq: null,
    outcome: null,
    startedUs: T0_US,
    updatedUs: T0_US,
    endedUs: null,
    ...over,
  };
}

const texts = () => events.flatMap((e) => (e.text ? [e.text] : []));

describe('a full disk mid-patrol', () => {
  it('holds the alerts and the patrol record, says so, and writes them all in order when there is room again', async () => {
    service.registerFlight({ id: 'F-1', name: 'drone-1: north.plan', vehicleSysid: 1, startedUs: T0_US });
    service.savePatrol(patrol());
    const first = await service.raiseOrHold(sighting());
    expect(first.change).toBe('created');

    fillDisk();
    // A plume elsewhere, then its final sighting revising it, then one more plume: order matters.
    const near = offset(S1_CENTRE, 0, 400);
    const s2 = sighting({ ...near, firstSeenUs: T0_US + MINUTE_US });
    const held = [
      await service.raiseOrHold(s2),
      await service.raiseOrHold(
        sighting({
          ...near,
          firstSeenUs: T0_US + MINUTE_US,
          sightingKey: `${s2.sightingKey}/all`,
          revisesKey: s2.sightingKey,
          frames: 20,
        }),
      ),
      await service.raiseOrHold(
        sighting({ ...offset(S1_CENTRE, 0, -400), firstSeenUs: T0_US + 2 * MINUTE_US }),
      ),
    ];
    service.savePatrol(patrol({ lastReachedSeq: 3, updatedUs: T0_US + 2 * MINUTE_US }));
    service.savePatrol(patrol({ lastReachedSeq: 4, updatedUs: T0_US + 3 * MINUTE_US }));

    expect(held.map((r) => r.change)).toEqual(['held', 'held', 'held']);
    expect(service.storeStatus).toMatchObject({
      available: false,
      heldAlerts: 3,
      heldRecords: 1, // the latest of the patrol record
      evidenceDropped: 0,
    });
    expect(service.storeStatus.reason).toBe(
      `${file}: cannot write the alert database: no space left on the device (or the database is full) (SQLITE_FULL)`,
    );
    expect(texts()[0]).toBe(
      `store unavailable: ${service.storeStatus.reason}; holding alerts and patrol records in memory ` +
        '(evidence images of up to 100 alerts) and trying again',
    );
    expect(texts().filter((t) => t.startsWith('alert held'))).toHaveLength(3);
    expect(texts()[1], texts().join('\n')).toMatch(
      /^alert held, not stored yet: no site at 34\.73036,113\.62492, 2024-05-03 08:01:00 UTC \(store unavailable: 1 alert held\)$/,
    );
    // What was stored before is all there, readable on the full disk.
    expect(store.listAlerts().map((a) => a.code)).toEqual(['A-000001']);
    expect(store.unfinishedPatrol('drone-1')?.lastReachedSeq).toBeNull();

    // Still full at the first retry: nothing lost, tried again later.
    await clock.advance(STORE_TIMING.retryDelayMs);
    expect(service.storeStatus).toMatchObject({ available: false, heldAlerts: 3 });

    freeDisk();
    await clock.advance(2 * STORE_TIMING.retryDelayMs);
    expect(service.storeStatus).toEqual({
      available: true,
      reason: null,
      heldAlerts: 0,
      heldRecords: 0,
      evidenceDropped: 0,
    });
    expect(texts().at(-1)).toBe('store available again: 3 held alerts and 1 record written');
    const alerts = store.listAlerts();
    expect(alerts.map((a) => a.code)).toEqual(['A-000001', 'A-000002', 'A-000003']);
    // The revision went to the alert it revises (written after it), not to a new one.
    expect(alerts[1]).toMatchObject({ frames: 20, sightings: 1 });
    expect(store.unfinishedPatrol('drone-1')?.lastReachedSeq).toBe(4);
    // An alert's time is when it was raised, not when the store took it.
    expect(alerts[2].createdUs).toBeLessThanOrEqual(Date.now() * 1000);
  });

  it('keeps the evidence images of the newest N held alerts; the older ones are stored with a placeholder, their facts whole', async () => {
    openService(2);
    service.registerFlight({ id: 'F-1' });
    // Stored before the disk filled (max_page_count stops growth; a first row may still fit a page).
    await service.raiseOrHold(sighting({ peakScore: 0.79 }));
    fillDisk();
    for (let i = 0; i < 4; i++) {
      await service.raiseOrHold(
        sighting({
          ...offset(S1_CENTRE, 0, 400 * (i + 1)),
          firstSeenUs: T0_US + i * MINUTE_US,
          peakScore: [0.8, 0.81, 0.82, 0.83][i],
        }),
      );
    }
    expect(service.storeStatus).toMatchObject({ heldAlerts: 4, evidenceDropped: 2 });
    expect(texts().filter((t) => /evidence image of/.test(t))).toEqual([
      'more than 2 alerts held: the evidence image of the alert held for no site at 34.73036,113.62492, ' +
        '2024-05-03 08:00:00 UTC was dropped (its facts are kept)',
      'more than 2 alerts held: the evidence image of the alert held for no site at 34.73036,113.62929, ' +
        '2024-05-03 08:01:00 UTC was dropped (its facts are kept)',
    ]);

    freeDisk();
    await clock.advance(STORE_TIMING.retryDelayMs);
    const alerts = store.listAlerts();
    expect(alerts.map((a) => a.peakScore)).toEqual([0.79, 0.8, 0.81, 0.82, 0.83]);
    const sizes = await Promise.all(
      alerts.map(async (a) => sharp(store.evidenceJpeg(a.id) as Buffer).metadata()),
    );
    // The two oldest held: the placeholder picture; the two newest: their frames (the sightings' 96×64).
    expect(sizes.map((m) => `${m.width}x${m.height}`)).toEqual([
      '96x64',
      '320x180',
      '320x180',
      '96x64',
      '96x64',
    ]);
    expect(alerts[1].caption).toMatch(/^no site {2}2024-05-03 08:00:00 UTC {2}34\.73036, 113\.62492$/);
  });
});

describe('the store locked by another process for 30 s', () => {
  it('waits briefly per write, holds, retries on its timer while locked, and writes everything once the lock is gone', async () => {
    service.registerFlight({ id: 'F-1' });
    await service.raiseOrHold(sighting());
    const other = new Database(file);
    other.exec('BEGIN EXCLUSIVE');
    try {
      // SQLite's busy wait is real time: each try waits STORE_TIMING.daemonBusyTimeoutMs, then holds.
      const held = await service.raiseOrHold(sighting({ ...offset(S1_CENTRE, 0, 400) }));
      service.savePatrol(patrol({ lastReachedSeq: 2 }));
      expect(held.change).toBe('held');
      expect(service.storeStatus.reason).toBe(
        `${file}: cannot write the alert database: locked by another process (SQLITE_BUSY)`,
      );
      // The 30 s of the lock pass in simulated time: the retries at 2, 6, 14 and 30 s all find it locked.
      await clock.advance(30_000);
      expect(service.storeStatus).toMatchObject({ available: false, heldAlerts: 1, heldRecords: 1 });
    } finally {
      other.exec('COMMIT');
      other.close();
    }
    // The next retry, 30 s after the last (STORE_TIMING.retryMaxDelayMs), finds it free.
    await clock.advance(STORE_TIMING.retryMaxDelayMs);
    expect(service.storeStatus).toMatchObject({ available: true, heldAlerts: 0, heldRecords: 0 });
    expect(store.listAlerts()).toHaveLength(2);
    expect(store.unfinishedPatrol('drone-1')?.lastReachedSeq).toBe(2);
    expect(texts()).toEqual([
      `store unavailable: ${file}: cannot write the alert database: locked by another process (SQLITE_BUSY); ` +
        'holding alerts and patrol records in memory (evidence images of up to 100 alerts) and trying again',
      expect.stringMatching(/^alert held, not stored yet: /),
      'store available again: 1 held alert and 1 record written',
    ]);
  });
});

describe('without holding (replay, the CLI)', () => {
  it('a write on a full disk fails with one line naming the store, and what was stored stays', async () => {
    const plain = new AlertService({ store, sites });
    await plain.raise(sighting());
    fillDisk();
    const failed = plain.raise(sighting({ ...offset(S1_CENTRE, 0, 400) }));
    await expect(failed).rejects.toBeInstanceOf(IoError);
    await expect(failed).rejects.toThrow(
      `${file}: cannot write the alert database: no space left on the device (or the database is full) (SQLITE_FULL)`,
    );
    expect(store.listAlerts()).toHaveLength(1);
  });
});
