import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ioFailure, UserError } from '../errors.js';
import type { Site, SiteGeometry } from '../sites/index.js';
import { alertCode } from './code.js';
import { FootageTable } from './footage.js';
import { periodLabel } from './history.js';
import { migrate, SCHEMA_VERSION } from './migrations.js';
import type { ReviewState } from './review-terms.js';
import type {
  Alert,
  AlertFilter,
  AlertPose,
  FlightRecord,
  HistoryPeriod,
  PatrolRecord,
  PlumeSighting,
  PlumeState,
  Review,
  ReviewInput,
  Severity,
  SightingPlume,
  SiteHistoryRow,
} from './types.js';

/** How long a writer waits for another process's lock before giving up, ms. */
export const BUSY_TIMEOUT_MS = 5000;

export interface OpenAlertStoreOptions {
  /** Refuse a file that does not exist rather than create an empty store (read-only commands). */
  mustExist?: boolean;
  /**
   * Only read (the commands that list and export): nothing is written, not the journal mode nor a
   * migration, so a read-only file or folder will do. Implies mustExist.
   */
  readOnly?: boolean;
  /**
   * How long a write waits for another process's lock, ms (default BUSY_TIMEOUT_MS). SQLite waits
   * synchronously: the daemon, whose event loop flies vehicles, waits briefly (STORE_TIMING) and holds.
   */
  busyTimeoutMs?: number;
}

/** What a new alert is made of, besides the sighting's plume state. */
export interface NewAlert
  extends Pick<Alert, 'flightId' | 'siteId' | 'contractor' | 'siteDistanceM' | 'pose' | 'caption'> {
  evidenceJpeg: Buffer;
}

/** An existing alert a sighting may update: its plume state and where it stands. */
export interface AlertCandidate extends PlumeState {
  id: number;
}

const ALERT_COLUMNS = `a.id, a.code, a.flight_id, a.site_id, s.name AS site_name, a.contractor, a.site_distance_m,
  a.lat_deg, a.lon_deg, a.uncertainty_m, a.first_seen_us, a.last_seen_us, a.frames, a.severity, a.area_m2,
  a.mean_score, a.peak_score, a.pose, a.caption, a.created_us, a.updated_us,
  (SELECT count(*) FROM detections d WHERE d.alert_id = a.id AND d.revised_by IS NULL) AS sightings,
  r.id AS review_id, r.verdict AS review_verdict, r.reason AS review_reason, r.note AS review_note,
  r.reviewer AS review_reviewer, r.role AS review_role, r.via AS review_via, r.created_us AS review_created_us`;

/** Alerts with their site and their latest review (the one with the highest id: reviews are only ever added). */
const LATEST_REVIEW_JOIN =
  'LEFT JOIN reviews r ON r.id = (SELECT max(id) FROM reviews WHERE alert_id = a.id)';
const ALERTS_JOINED = `alerts a LEFT JOIN sites s ON s.id = a.site_id ${LATEST_REVIEW_JOIN}`;

/** An alert's review state, in a query over ALERTS_JOINED. */
const REVIEW_STATE_SQL = `coalesce(r.verdict, 'pending')`;

const REVIEW_COLUMNS = `id, alert_id AS alertId, verdict, reason, note, reviewer, role, via, created_us AS createdUs`;

const PATROL_COLUMNS = `flight_id AS flightId, vehicle_id AS vehicleId, plan_name AS planName,
  plan_digest AS planDigest, mission AS missionJson, status, last_reached_seq AS lastReachedSeq, outcome,
  started_us AS startedUs, updated_us AS updatedUs, ended_us AS endedUs`;

interface AlertRow {
  id: number;
  code: string;
  flight_id: string;
  site_id: string | null;
  site_name: string | null;
  contractor: string | null;
  site_distance_m: number | null;
  lat_deg: number;
  lon_deg: number;
  uncertainty_m: number;
  first_seen_us: number;
  last_seen_us: number;
  frames: number;
  severity: Severity;
  area_m2: number | null;
  mean_score: number;
  peak_score: number;
  pose: string;
  caption: string;
  created_us: number;
  updated_us: number;
  sightings: number;
  review_id: number | null;
  review_verdict: Review['verdict'] | null;
  review_reason: Review['reason'] | null;
  review_note: string | null;
  review_reviewer: string | null;
  review_role: string | null;
  review_via: Review['via'] | null;
  review_created_us: number | null;
}

/** Alerts of one site in one review state: how many, and when. */
export interface SiteAlertCounts {
  siteId: string;
  state: ReviewState;
  /** First seen up to the query's end. */
  alerts: number;
  /** First seen within the query's window. */
  inWindow: number;
  lastSeenUs: number;
}

/** The alerts one flight raised or saw again at one site, in one review state. */
export interface SiteFlightAlerts {
  siteId: string;
  flightId: string;
  state: ReviewState;
  alerts: number;
  /** When the flight started, or its first sighting there when the store does not know. */
  startedUs: number;
  endedUs: number | null;
}

/**
 * Opens (creating and migrating as needed) the alert store in a SQLite file: WAL journal with
 * synchronous=FULL, so that every committed write survives the process being killed, foreign keys on.
 */
export function openAlertStore(file: string, opts: OpenAlertStoreOptions = {}): AlertStore {
  if ((opts.mustExist || opts.readOnly) && !fs.existsSync(file)) {
    throw new UserError(`${file}: no such alert database (give its path with --db)`);
  }
  // A store of an older schema is upgraded first, which needs write access once.
  if (opts.readOnly) return openReadOnly(file) ?? openAlertStore(file, { mustExist: true });
  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: Boolean(opts.mustExist) });
  } catch (err) {
    throw cannotOpen(file, err);
  }
  try {
    db.pragma(`busy_timeout = ${Math.round(opts.busyTimeoutMs ?? BUSY_TIMEOUT_MS)}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db, file);
  } catch (err) {
    db.close();
    if (err instanceof UserError) throw err;
    throw cannotOpen(file, err);
  }
  return new AlertStore(db, file);
}

/**
 * The store opened for reading, or null when its schema is older than this dustpatrol's. SQLite reads a
 * WAL database only where it can create the shared-memory file beside it (-shm); in a read-only folder
 * it reads a private copy of the store instead, removed on close.
 */
function openReadOnly(file: string): AlertStore | null {
  let db = openReadOnlyDb(file);
  let copyDir: string | undefined;
  let version: number;
  try {
    version = db.pragma('user_version', { simple: true }) as number;
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code !== 'SQLITE_READONLY_DIRECTORY') throw cannotOpen(file, err);
    copyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-store-'));
    const copy = path.join(copyDir, path.basename(file));
    // With its write-ahead log, if one was left: commits not yet checkpointed live there.
    for (const suffix of ['', '-wal']) {
      if (fs.existsSync(file + suffix)) fs.copyFileSync(file + suffix, copy + suffix);
    }
    db = openReadOnlyDb(copy);
    version = db.pragma('user_version', { simple: true }) as number;
  }
  const release = () => copyDir && fs.rmSync(copyDir, { recursive: true, force: true });
  if (version < SCHEMA_VERSION) {
    db.close();
    release();
    return null;
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    migrate(db, file); // only checks: the schema is not newer than this dustpatrol reads
  } catch (err) {
    db.close();
    release();
    if (err instanceof UserError) throw err;
    throw cannotOpen(file, err);
  }
  return new AlertStore(db, file, release);
}

/** Deletes a store's files: the database and its write-ahead log and shared memory, if any. */
export function removeAlertStore(file: string): void {
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
}

function openReadOnlyDb(file: string): Database.Database {
  try {
    return new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw cannotOpen(file, err);
  }
}

function cannotOpen(file: string, err: unknown): UserError {
  const code = (err as { code?: string }).code;
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new UserError(`${file}: not a SQLite database (or a damaged one), so not an alert store`);
  }
  return (
    ioFailure(file, 'open the alert database', err) ??
    new UserError(`${file}: cannot open the alert database: ${(err as Error).message}`)
  );
}

/** The alert store: flights, sites, alerts and their sightings. Only AlertService writes alerts. */
export class AlertStore {
  /** The footage index: what each recording's camera saw when (written in this store's transactions). */
  readonly footage: FootageTable;

  constructor(
    private readonly db: Database.Database,
    readonly file: string,
    /** Called once closed: removes a read-only store's private copy. */
    private readonly afterClose: () => void = () => {},
  ) {
    this.footage = new FootageTable(db);
  }

  close(): void {
    if (!this.db.open) return;
    this.db.close();
    this.afterClose();
  }

  /** Runs `fn` as one IMMEDIATE transaction: all of it is committed (durably) or none. */
  transaction<T>(fn: () => T): T {
    return this.writing(() => this.db.transaction(fn).immediate());
  }

  /**
   * Runs a write; a full disk, an I/O error or a read-only file becomes one line naming the store,
   * not a crash. What was committed before stays.
   */
  private writing<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw ioFailure(this.file, 'write the alert database', err) ?? err;
    }
  }

  upsertFlight(f: FlightRecord, nowUs: number): void {
    this.writing(() => this.upsertFlightRow(f, nowUs));
  }

  private upsertFlightRow(f: FlightRecord, nowUs: number): void {
    this.db
      .prepare(
        `INSERT INTO flights (id, name, tlog_path, video_path, vehicle_sysid, started_us, ended_us, created_us)
         VALUES (@id, @name, @tlogPath, @videoPath, @vehicleSysid, @startedUs, @endedUs, @nowUs)
         ON CONFLICT (id) DO UPDATE SET
           name = coalesce(excluded.name, name), tlog_path = coalesce(excluded.tlog_path, tlog_path),
           video_path = coalesce(excluded.video_path, video_path),
           vehicle_sysid = coalesce(excluded.vehicle_sysid, vehicle_sysid),
           started_us = coalesce(excluded.started_us, started_us), ended_us = coalesce(excluded.ended_us, ended_us)`,
      )
      .run({
        id: f.id,
        name: f.name ?? null,
        tlogPath: f.tlogPath ?? null,
        videoPath: f.videoPath ?? null,
        vehicleSysid: f.vehicleSysid ?? null,
        startedUs: f.startedUs ?? null,
        endedUs: f.endedUs ?? null,
        nowUs,
      });
  }

  /** A flight known only by its id (a sighting arrived before its flight was registered). */
  ensureFlight(id: string, nowUs: number): void {
    this.db.prepare('INSERT OR IGNORE INTO flights (id, created_us) VALUES (?, ?)').run(id, nowUs);
  }

  getFlight(id: string): Required<FlightRecord> | null {
    const row = this.db
      .prepare(
        `SELECT id, name, tlog_path AS tlogPath, video_path AS videoPath, vehicle_sysid AS vehicleSysid,
           started_us AS startedUs, ended_us AS endedUs FROM flights WHERE id = ?`,
      )
      .get(id) as Required<FlightRecord> | undefined;
    return row ?? null;
  }

  listFlights(limit = 100): Required<FlightRecord>[] {
    return this.db
      .prepare(
        `SELECT id, name, tlog_path AS tlogPath, video_path AS videoPath, vehicle_sysid AS vehicleSysid,
           started_us AS startedUs, ended_us AS endedUs FROM flights
         ORDER BY coalesce(started_us, created_us) DESC LIMIT ?`,
      )
      .all(limit) as Required<FlightRecord>[];
  }

  /** Records a patrol or its progress (the whole record; a crash loses nothing written before). */
  savePatrol(p: PatrolRecord): void {
    this.writing(() => this.savePatrolRow(p));
  }

  private savePatrolRow(p: PatrolRecord): void {
    this.db
      .prepare(
        `INSERT INTO patrols (flight_id, vehicle_id, plan_name, plan_digest, mission, status, last_reached_seq,
           outcome, started_us, updated_us, ended_us)
         VALUES (@flightId, @vehicleId, @planName, @planDigest, @missionJson, @status, @lastReachedSeq,
           @outcome, @startedUs, @updatedUs, @endedUs)
         ON CONFLICT (flight_id) DO UPDATE SET status = excluded.status,
           last_reached_seq = excluded.last_reached_seq, outcome = excluded.outcome,
           updated_us = excluded.updated_us, ended_us = excluded.ended_us`,
      )
      .run(p);
  }

  /** The vehicle's patrol that has not ended (the daemon died mid-flight), newest first. */
  unfinishedPatrol(vehicleId: string): PatrolRecord | null {
    return this.patrolWhere('vehicle_id = ? AND ended_us IS NULL', vehicleId);
  }

  /** The newest patrol of a plan: what `--resume` continues. */
  lastPatrolOfPlan(planDigest: string): PatrolRecord | null {
    return this.patrolWhere('plan_digest = ?', planDigest);
  }

  private patrolWhere(where: string, value: string): PatrolRecord | null {
    const row = this.db
      .prepare(`SELECT ${PATROL_COLUMNS} FROM patrols WHERE ${where} ORDER BY started_us DESC LIMIT 1`)
      .get(value) as PatrolRecord | undefined;
    return row ?? null;
  }

  /** Every patrol record started up to `untilUs`, oldest first. */
  listPatrols(untilUs = Number.MAX_SAFE_INTEGER): PatrolRecord[] {
    return this.db
      .prepare(`SELECT ${PATROL_COLUMNS} FROM patrols WHERE started_us <= ? ORDER BY started_us, flight_id`)
      .all(untilUs) as PatrolRecord[];
  }

  /** Inserts or updates sites (never deletes one: alerts refer to it), in one transaction. */
  upsertSites(sites: readonly Site[], nowUs: number): void {
    const upsert = this.db.prepare(
      `INSERT INTO sites (id, name, contractor, geometry, properties, updated_us)
       VALUES (@id, @name, @contractor, @geometry, @properties, @nowUs)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, contractor = excluded.contractor,
         geometry = excluded.geometry, properties = excluded.properties, updated_us = excluded.updated_us`,
    );
    this.transaction(() => {
      for (const s of sites) {
        upsert.run({
          id: s.id,
          name: s.name,
          contractor: s.contractor,
          geometry: JSON.stringify(s.geometry),
          properties: JSON.stringify(s.properties),
          nowUs,
        });
      }
    });
  }

  /** The sites as last written (from the site files the daemon or a replay read), by id. */
  storedSites(): Site[] {
    const rows = this.db
      .prepare('SELECT id, name, contractor, geometry, properties FROM sites ORDER BY id')
      .all() as {
      id: string;
      name: string;
      contractor: string | null;
      geometry: string;
      properties: string;
    }[];
    return rows.map((r) => {
      const properties = JSON.parse(r.properties) as Record<string, unknown>;
      return {
        id: r.id,
        name: r.name,
        contractor: r.contractor,
        address: typeof properties.address === 'string' ? properties.address : null,
        riskLevel: typeof properties.risk === 'string' ? properties.risk : null,
        pattern: null,
        geometry: JSON.parse(r.geometry) as SiteGeometry,
        properties,
        featureIndex: -1,
        source: this.file,
      };
    });
  }

  /** The alert a stored sighting belongs to, or null when (flightId, sightingKey) is new. */
  alertIdOfSighting(flightId: string, sightingKey: string): number | null {
    const row = this.db
      .prepare('SELECT alert_id FROM detections WHERE flight_id = ? AND sighting_key = ?')
      .get(flightId, sightingKey) as { alert_id: number } | undefined;
    return row?.alert_id ?? null;
  }

  /** Alerts of the same site (or none) whose sightings come within `windowUs` of [fromUs, toUs]. */
  candidates(siteId: string | null, fromUs: number, toUs: number, windowUs: number): AlertCandidate[] {
    return this.db
      .prepare(
        `SELECT id, lat_deg AS latDeg, lon_deg AS lonDeg, uncertainty_m AS uncertaintyM,
           first_seen_us AS firstSeenUs, last_seen_us AS lastSeenUs, frames, mean_score AS meanScore,
           peak_score AS peakScore, area_m2 AS areaM2, severity
         FROM alerts WHERE site_id IS ? AND last_seen_us >= ? AND first_seen_us <= ?`,
      )
      .all(siteId, fromUs - windowUs, toUs + windowUs) as AlertCandidate[];
  }

  /** One alert's plume state, by id (a sighting that revises the one before it updates that alert). */
  candidate(id: number): AlertCandidate | null {
    const row = this.db
      .prepare(
        `SELECT id, lat_deg AS latDeg, lon_deg AS lonDeg, uncertainty_m AS uncertaintyM,
           first_seen_us AS firstSeenUs, last_seen_us AS lastSeenUs, frames, mean_score AS meanScore,
           peak_score AS peakScore, area_m2 AS areaM2, severity
         FROM alerts WHERE id = ?`,
      )
      .get(id) as AlertCandidate | undefined;
    return row ?? null;
  }

  insertAlert(a: NewAlert, state: PlumeState, nowUs: number): number {
    const { lastInsertRowid } = this.db
      .prepare(
        `INSERT INTO alerts (flight_id, site_id, contractor, site_distance_m, lat_deg, lon_deg, uncertainty_m,
           first_seen_us, last_seen_us, frames, severity, area_m2, mean_score, peak_score, pose, evidence_jpeg,
           caption, created_us, updated_us)
         VALUES (@flightId, @siteId, @contractor, @siteDistanceM, @latDeg, @lonDeg, @uncertaintyM,
           @firstSeenUs, @lastSeenUs, @frames, @severity, @areaM2, @meanScore, @peakScore, @pose, @evidenceJpeg,
           @caption, @nowUs, @nowUs)`,
      )
      .run({ ...a, ...state, pose: JSON.stringify(a.pose), nowUs });
    const id = Number(lastInsertRowid);
    this.db.prepare('UPDATE alerts SET code = ? WHERE id = ?').run(alertCode(id), id);
    return id;
  }

  /** New plume state; with `evidence`, a better frame (and the pose and caption that go with it). */
  updateAlert(
    id: number,
    state: PlumeState,
    evidence: Pick<NewAlert, 'pose' | 'evidenceJpeg' | 'caption'> | null,
    nowUs: number,
  ): void {
    this.db
      .prepare(
        `UPDATE alerts SET lat_deg = @latDeg, lon_deg = @lonDeg, uncertainty_m = @uncertaintyM,
           first_seen_us = @firstSeenUs, last_seen_us = @lastSeenUs, frames = @frames, severity = @severity,
           area_m2 = @areaM2, mean_score = @meanScore, peak_score = @peakScore, updated_us = @nowUs
         WHERE id = @id`,
      )
      .run({ ...state, id, nowUs });
    if (evidence) {
      this.db
        .prepare('UPDATE alerts SET pose = ?, evidence_jpeg = ?, caption = ? WHERE id = ?')
        .run(JSON.stringify(evidence.pose), evidence.evidenceJpeg, evidence.caption, id);
    }
  }

  /** Stores a sighting as one of the alert's detections; returns its id. */
  insertDetection(alertId: number, s: Omit<PlumeSighting, 'evidence'>, nowUs: number): number {
    const { lastInsertRowid } = this.db
      .prepare(
        `INSERT INTO detections (alert_id, flight_id, sighting_key, first_seen_us, last_seen_us, frames, lat_deg,
           lon_deg, uncertainty_m, area_m2, mean_score, peak_score, created_us)
         VALUES (@alertId, @flightId, @sightingKey, @firstSeenUs, @lastSeenUs, @frames, @latDeg, @lonDeg,
           @uncertaintyM, @areaM2, @meanScore, @peakScore, @nowUs)`,
      )
      .run({
        alertId,
        flightId: s.flightId,
        sightingKey: s.sightingKey,
        firstSeenUs: s.firstSeenUs,
        lastSeenUs: s.lastSeenUs,
        frames: s.frames,
        latDeg: s.latDeg,
        lonDeg: s.lonDeg,
        uncertaintyM: s.uncertaintyM,
        areaM2: s.areaM2,
        meanScore: s.meanScore,
        peakScore: s.peakScore,
        nowUs,
      });
    return Number(lastInsertRowid);
  }

  /** The flight's sighting `sightingKey` is revised by detection `byId`: it no longer counts. */
  markRevised(flightId: string, sightingKey: string, byId: number): void {
    this.db
      .prepare('UPDATE detections SET revised_by = ? WHERE flight_id = ? AND sighting_key = ?')
      .run(byId, flightId, sightingKey);
  }

  /** The alert's detections that stand (not revised), oldest first: what its plume state is made of. */
  standingDetections(alertId: number): SightingPlume[] {
    return this.db
      .prepare(
        `SELECT lat_deg AS latDeg, lon_deg AS lonDeg, uncertainty_m AS uncertaintyM,
           first_seen_us AS firstSeenUs, last_seen_us AS lastSeenUs, frames, mean_score AS meanScore,
           peak_score AS peakScore, area_m2 AS areaM2
         FROM detections WHERE alert_id = ? AND revised_by IS NULL ORDER BY id`,
      )
      .all(alertId) as SightingPlume[];
  }

  /** The site an alert is attributed to, when a revision moved its plume. */
  reattribute(
    id: number,
    site: { siteId: string | null; contractor: string | null; siteDistanceM: number | null },
  ): void {
    this.db
      .prepare(
        'UPDATE alerts SET site_id = @siteId, contractor = @contractor, site_distance_m = @siteDistanceM WHERE id = @id',
      )
      .run({ ...site, id });
  }

  /** Alerts matching the filter, oldest first sighting first, without their evidence. */
  listAlerts(filter: AlertFilter = {}): Alert[] {
    const { where, params } = whereOf(filter);
    const limit = filter.limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(filter.limit))}`;
    const rows = this.db
      .prepare(
        `SELECT ${ALERT_COLUMNS} FROM ${ALERTS_JOINED} ${where} ORDER BY a.first_seen_us, a.id${limit}`,
      )
      .all(params) as AlertRow[];
    return rows.map(alertOf);
  }

  countAlerts(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM alerts').get() as { n: number }).n;
  }

  /** Alerts first raised on this flight (not those it only sighted again). */
  countAlertsRaisedBy(flightId: string): number {
    const row = this.db.prepare('SELECT count(*) AS n FROM alerts WHERE flight_id = ?').get(flightId);
    return (row as { n: number }).n;
  }

  /** One alert without its evidence, or null. */
  getAlert(id: number): Alert | null {
    const row = this.db.prepare(`SELECT ${ALERT_COLUMNS} FROM ${ALERTS_JOINED} WHERE a.id = ?`).get(id) as
      | AlertRow
      | undefined;
    return row ? alertOf(row) : null;
  }

  evidenceJpeg(id: number): Buffer | null {
    const row = this.db.prepare('SELECT evidence_jpeg FROM alerts WHERE id = ?').get(id) as
      | { evidence_jpeg: Buffer }
      | undefined;
    return row?.evidence_jpeg ?? null;
  }

  /**
   * Alerts per site (null: no site) per UTC day, ISO week or month of their first sighting; dismissed
   * alerts count only where the filter asks for them.
   */
  siteHistory(period: HistoryPeriod, filter: AlertFilter = {}): SiteHistoryRow[] {
    const { where, params } = whereOf({ reviewStates: ['pending', 'confirmed'], ...filter });
    const rows = this.db
      .prepare(
        `SELECT a.site_id, s.name AS site_name, a.first_seen_us, a.severity FROM ${ALERTS_JOINED} ${where}`,
      )
      .all(params) as {
      site_id: string | null;
      site_name: string | null;
      first_seen_us: number;
      severity: string;
    }[];
    const buckets = new Map<string, SiteHistoryRow>();
    for (const r of rows) {
      const label = periodLabel(r.first_seen_us, period);
      const key = JSON.stringify([r.site_id, label]);
      let bucket = buckets.get(key);
      if (!bucket) {
        bucket = { siteId: r.site_id, siteName: r.site_name, period: label, alerts: 0, high: 0 };
        buckets.set(key, bucket);
      }
      bucket.alerts++;
      if (r.severity === 'high') bucket.high++;
    }
    return [...buckets.values()].sort(
      (a, b) =>
        (a.siteId === null ? 1 : 0) - (b.siteId === null ? 1 : 0) ||
        (a.siteId ?? '').localeCompare(b.siteId ?? '') ||
        a.period.localeCompare(b.period),
    );
  }

  /**
   * Alerts per site and review state, first seen up to `untilUs`: how many, how many first seen after
   * `fromUs` (the window), and the last sighting. Alerts with no site are left out.
   */
  siteAlertCounts(fromUs: number, untilUs: number): SiteAlertCounts[] {
    return this.db
      .prepare(
        `SELECT a.site_id AS siteId, ${REVIEW_STATE_SQL} AS state, count(*) AS alerts,
           sum(CASE WHEN a.first_seen_us > @fromUs THEN 1 ELSE 0 END) AS inWindow,
           max(a.last_seen_us) AS lastSeenUs
         FROM ${ALERTS_JOINED}
         WHERE a.site_id IS NOT NULL AND a.first_seen_us <= @untilUs
         GROUP BY a.site_id, state`,
      )
      .all({ fromUs, untilUs }) as SiteAlertCounts[];
  }

  /** Per site, flight and review state: the alerts the flight raised or saw again there. */
  siteFlightAlerts(): SiteFlightAlerts[] {
    return this.db
      .prepare(
        `SELECT a.site_id AS siteId, d.flight_id AS flightId, ${REVIEW_STATE_SQL} AS state,
           count(DISTINCT a.id) AS alerts, coalesce(f.started_us, min(d.first_seen_us)) AS startedUs,
           f.ended_us AS endedUs
         FROM detections d JOIN alerts a ON a.id = d.alert_id
           ${LATEST_REVIEW_JOIN} LEFT JOIN flights f ON f.id = d.flight_id
         WHERE a.site_id IS NOT NULL AND d.revised_by IS NULL
         GROUP BY a.site_id, d.flight_id, state`,
      )
      .all() as SiteFlightAlerts[];
  }

  /** Adds a review to the alert's audit log; returns it as stored. The alert must exist. */
  insertReview(
    alertId: number,
    input: ReviewInput,
    by: Pick<Review, 'reviewer' | 'role' | 'via'>,
    nowUs: number,
  ): Review {
    const { lastInsertRowid } = this.db
      .prepare(
        `INSERT INTO reviews (alert_id, verdict, reason, note, reviewer, role, via, created_us)
         VALUES (@alertId, @verdict, @reason, @note, @reviewer, @role, @via, @nowUs)`,
      )
      .run({ alertId, ...input, ...by, nowUs });
    return this.db
      .prepare(`SELECT ${REVIEW_COLUMNS} FROM reviews WHERE id = ?`)
      .get(Number(lastInsertRowid)) as Review;
  }

  /** An alert's reviews, oldest first: the last one stands. */
  reviewsOf(alertId: number): Review[] {
    return this.db
      .prepare(`SELECT ${REVIEW_COLUMNS} FROM reviews WHERE alert_id = ? ORDER BY id`)
      .all(alertId) as Review[];
  }
}

function whereOf(f: AlertFilter): { where: string; params: Record<string, unknown> } {
  const clauses: string[] = [];
  const params: Record<string, unknown> = {};
  if (f.siteId !== undefined) {
    clauses.push('a.site_id = @siteId');
    params.siteId = f.siteId;
  }
  if (f.contractor !== undefined) {
    clauses.push('a.contractor = @contractor COLLATE NOCASE');
    params.contractor = f.contractor;
  }
  if (f.sinceUs !== undefined) {
    clauses.push('a.first_seen_us >= @sinceUs');
    params.sinceUs = f.sinceUs;
  }
  if (f.untilUs !== undefined) {
    clauses.push('a.first_seen_us <= @untilUs');
    params.untilUs = f.untilUs;
  }
  if (f.flightId !== undefined) {
    clauses.push('a.id IN (SELECT alert_id FROM detections WHERE flight_id = @flightId)');
    params.flightId = f.flightId;
  }
  if (f.reviewStates !== undefined) {
    const names = f.reviewStates.map((state, i) => {
      params[`state${i}`] = state;
      return `@state${i}`;
    });
    clauses.push(names.length === 0 ? '0' : `${REVIEW_STATE_SQL} IN (${names.join(', ')})`);
  }
  return { where: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

function alertOf(r: AlertRow): Alert {
  return {
    id: r.id,
    code: r.code,
    flightId: r.flight_id,
    siteId: r.site_id,
    siteName: r.site_name,
    contractor: r.contractor,
    siteDistanceM: r.site_distance_m,
    latDeg: r.lat_deg,
    lonDeg: r.lon_deg,
    uncertaintyM: r.uncertainty_m,
    firstSeenUs: r.first_seen_us,
    lastSeenUs: r.last_seen_us,
    frames: r.frames,
    sightings: r.sightings,
    severity: r.severity,
    areaM2: r.area_m2,
    meanScore: r.mean_score,
    peakScore: r.peak_score,
    pose: JSON.parse(r.pose) as AlertPose,
    caption: r.caption,
    createdUs: r.created_us,
    updatedUs: r.updated_us,
    reviewState: r.review_verdict ?? 'pending',
    review:
      r.review_id === null
        ? null
        : {
            id: r.review_id,
            alertId: r.id,
            verdict: r.review_verdict as Review['verdict'],
            reason: r.review_reason as Review['reason'],
            note: r.review_note ?? '',
            reviewer: r.review_reviewer ?? '',
            role: r.review_role,
            via: r.review_via as Review['via'],
            createdUs: r.review_created_us as number,
          },
  };
}
