import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertService, openAlertStore, type PatrolRecord, SCHEMA_VERSION } from '../../src/alerts/index.js';
import { MIGRATIONS } from '../../src/alerts/migrations.js';
import { sighting, smallSites, T0_US, tempDir } from './sightings.js';

// A store written by a dustpatrol that knew schema 1 only (before patrols were recorded): the next
// dustpatrol opens it, keeps everything in it, and adds what schema 2 brings.

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0xff, 0xd9]);
const POSE = { latDeg: 34.7295, lonDeg: 113.6203, altRelM: 60, headingDeg: 10, gimbalPitchDeg: -45 };

let dir: string;
beforeAll(() => {
  dir = tempDir('alerts-migrate');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A schema-1 store with one flight, one alert at S-1 (no site row: the old store knew none) and its sighting. */
function schemaOneStore(file: string): void {
  const db = new Database(file);
  try {
    db.exec(MIGRATIONS[0]);
    db.pragma('user_version = 1');
    db.prepare(
      `INSERT INTO flights (id, name, tlog_path, vehicle_sysid, started_us, ended_us, created_us)
       VALUES ('F-OLD', 'morning patrol', '/data/F-OLD.tlog', 1, ?, ?, ?)`,
    ).run(T0_US, T0_US + 600e6, T0_US);
    db.prepare(
      `INSERT INTO alerts (id, code, flight_id, site_id, contractor, site_distance_m, lat_deg, lon_deg,
         uncertainty_m, first_seen_us, last_seen_us, frames, severity, area_m2, mean_score, peak_score, pose,
         evidence_jpeg, caption, created_us, updated_us)
       VALUES (1, 'A-000001', 'F-OLD', NULL, NULL, NULL, 34.7303594, 113.6205465, 6, ?, ?, 8, 'medium', 150,
         0.7, 0.8, ?, ?, 'no site  2024-05-03 08:00:00 UTC', ?, ?)`,
    ).run(T0_US, T0_US + 4e6, JSON.stringify(POSE), JPEG, T0_US, T0_US);
    db.prepare(
      `INSERT INTO detections (alert_id, flight_id, sighting_key, first_seen_us, last_seen_us, frames, lat_deg,
         lon_deg, uncertainty_m, area_m2, mean_score, peak_score, created_us)
       VALUES (1, 'F-OLD', '1@old', ?, ?, 8, 34.7303594, 113.6205465, 6, 150, 0.7, 0.8, ?)`,
    ).run(T0_US, T0_US + 4e6, T0_US);
  } finally {
    db.close();
  }
}

function userVersion(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}

function patrol(over: Partial<PatrolRecord> = {}): PatrolRecord {
  return {
    flightId: 'F-NEW',
    vehicleId: 'drone-1',
    planName: 'demo.plan',
    planDigest: 'd'.repeat(64),
    missionJson: '{"items":[],"fence":{"polygons":[],"circles":[]}}',
    status: 'flying',
    lastReachedSeq: 3,
    outcome: null,
    startedUs: T0_US + 86_400e6,
    updatedUs: T0_US + 86_400e6,
    endedUs: null,
    ...over,
  };
}

describe('a schema-1 alert store', () => {
  it('opens, keeps its flight and alert, and gains the patrols table', () => {
    const file = path.join(dir, 'v1.db');
    schemaOneStore(file);

    const store = openAlertStore(file);
    try {
      expect(store.getFlight('F-OLD')).toMatchObject({
        name: 'morning patrol',
        tlogPath: '/data/F-OLD.tlog',
      });
      expect(store.listAlerts()).toHaveLength(1);
      expect(store.getAlert(1)).toMatchObject({
        code: 'A-000001',
        flightId: 'F-OLD',
        severity: 'medium',
        frames: 8,
        sightings: 1,
        pose: POSE,
      });
      expect(store.evidenceJpeg(1)?.equals(JPEG)).toBe(true);

      // Schema 2: patrols are recorded, found unfinished, and found by plan for --resume.
      expect(store.unfinishedPatrol('drone-1')).toBeNull();
      store.upsertFlight({ id: 'F-NEW', name: 'drone-1: demo.plan' }, T0_US + 86_400e6);
      store.savePatrol(patrol());
      expect(store.unfinishedPatrol('drone-1')).toEqual(patrol());
      expect(store.lastPatrolOfPlan('d'.repeat(64))).toEqual(patrol());
      const ended = patrol({
        status: 'landed',
        outcome: 'completed',
        lastReachedSeq: 7,
        endedUs: T0_US + 9e10,
      });
      store.savePatrol(ended);
      expect(store.unfinishedPatrol('drone-1')).toBeNull();
      expect(store.lastPatrolOfPlan('d'.repeat(64))).toEqual(ended);
    } finally {
      store.close();
    }
    expect(userVersion(file)).toBe(SCHEMA_VERSION);

    // Opened again: nothing to migrate, nothing lost.
    const again = openAlertStore(file);
    try {
      expect(again.listAlerts()).toHaveLength(1);
      expect(again.lastPatrolOfPlan('d'.repeat(64))).toMatchObject({ outcome: 'completed' });
    } finally {
      again.close();
    }
  });

  it('takes new sightings after the migration: a new alert numbered after the old one', async () => {
    const file = path.join(dir, 'v1-raise.db');
    schemaOneStore(file);
    const store = openAlertStore(file);
    try {
      const service = new AlertService({ store, sites: await smallSites() });
      service.registerFlight({ id: 'F-NEW', name: 'after the upgrade' });
      // A day later: too late to be the old plume seen again.
      const { alert, change } = await service.raise(
        sighting({ flightId: 'F-NEW', firstSeenUs: T0_US + 86_400e6 }),
      );
      expect(change).toBe('created');
      expect(alert.code).toBe('A-000002');
      expect(store.listAlerts()).toHaveLength(2);
    } finally {
      store.close();
    }
  });
});

// A store written before reviews existed (schema 3): it opens, every alert in it is pending, and it
// takes reviews from then on; the CLI's read-only opening upgrades it once and then only reads.
describe('a schema-3 alert store', () => {
  function schemaThreeStore(file: string): void {
    schemaOneStore(file);
    const db = new Database(file);
    try {
      for (let v = 1; v < 3; v++) db.exec(MIGRATIONS[v] as string);
      db.pragma('user_version = 3');
    } finally {
      db.close();
    }
  }

  it('opens with its alerts pending, and keeps the reviews given after', () => {
    const file = path.join(dir, 'v3.db');
    schemaThreeStore(file);
    const reader = openAlertStore(file, { readOnly: true });
    try {
      expect(reader.getAlert(1)).toMatchObject({ code: 'A-000001', reviewState: 'pending', review: null });
      expect(reader.reviewsOf(1)).toEqual([]);
    } finally {
      reader.close();
    }
    expect(userVersion(file)).toBe(SCHEMA_VERSION);

    const store = openAlertStore(file);
    try {
      const service = new AlertService({ store });
      const { review } = service.review(
        1,
        { verdict: 'dismissed', reason: 'haze', note: '' },
        { reviewer: 'ana', role: null, via: 'cli' },
      );
      expect(store.getAlert(1)).toMatchObject({ reviewState: 'dismissed', review });
      expect(store.evidenceJpeg(1)?.equals(JPEG)).toBe(true);
    } finally {
      store.close();
    }
  });
});
