import type Database from 'better-sqlite3';
import { UserError } from '../errors.js';

/**
 * The store's schema, one step per version (`PRAGMA user_version`). Never edit a step once released:
 * add the next one. Times are µs since the Unix epoch; positions degrees; distances metres.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: flights, sites, alerts and the sightings behind them.
  `
  CREATE TABLE flights (
    id TEXT PRIMARY KEY,
    name TEXT,
    tlog_path TEXT,
    video_path TEXT,
    vehicle_sysid INTEGER,
    started_us INTEGER,
    ended_us INTEGER,
    created_us INTEGER NOT NULL
  );
  CREATE TABLE sites (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    contractor TEXT,
    geometry TEXT NOT NULL,
    properties TEXT NOT NULL DEFAULT '{}',
    updated_us INTEGER NOT NULL
  );
  CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    code TEXT UNIQUE,
    flight_id TEXT NOT NULL REFERENCES flights(id),
    site_id TEXT REFERENCES sites(id),
    contractor TEXT,
    site_distance_m REAL,
    lat_deg REAL NOT NULL,
    lon_deg REAL NOT NULL,
    uncertainty_m REAL NOT NULL,
    first_seen_us INTEGER NOT NULL,
    last_seen_us INTEGER NOT NULL,
    frames INTEGER NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
    area_m2 REAL,
    mean_score REAL NOT NULL,
    peak_score REAL NOT NULL,
    pose TEXT NOT NULL,
    evidence_jpeg BLOB NOT NULL,
    caption TEXT NOT NULL,
    created_us INTEGER NOT NULL,
    updated_us INTEGER NOT NULL
  );
  CREATE INDEX alerts_site_last_seen ON alerts(site_id, last_seen_us);
  CREATE INDEX alerts_first_seen ON alerts(first_seen_us);
  CREATE INDEX alerts_flight ON alerts(flight_id);
  CREATE INDEX alerts_contractor ON alerts(contractor COLLATE NOCASE);
  CREATE TABLE detections (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES alerts(id),
    flight_id TEXT NOT NULL REFERENCES flights(id),
    sighting_key TEXT NOT NULL,
    first_seen_us INTEGER NOT NULL,
    last_seen_us INTEGER NOT NULL,
    frames INTEGER NOT NULL,
    lat_deg REAL NOT NULL,
    lon_deg REAL NOT NULL,
    uncertainty_m REAL NOT NULL,
    area_m2 REAL,
    mean_score REAL NOT NULL,
    peak_score REAL NOT NULL,
    created_us INTEGER NOT NULL,
    UNIQUE (flight_id, sighting_key)
  );
  CREATE INDEX detections_alert ON detections(alert_id);
  `,
  // 2: patrols flown live: what was flown, how far it got (for --resume after a battery swap) and how it ended.
  `
  CREATE TABLE patrols (
    flight_id TEXT PRIMARY KEY REFERENCES flights(id),
    vehicle_id TEXT NOT NULL,
    plan_name TEXT NOT NULL,
    plan_digest TEXT NOT NULL,
    mission TEXT NOT NULL,
    status TEXT NOT NULL,
    last_reached_seq INTEGER,
    outcome TEXT,
    started_us INTEGER NOT NULL,
    updated_us INTEGER NOT NULL,
    ended_us INTEGER
  );
  CREATE INDEX patrols_vehicle ON patrols(vehicle_id, started_us);
  CREATE INDEX patrols_plan ON patrols(plan_digest, started_us);
  `,
  // 3: a live sighting raised early is revised by its track's final one, which then stands in its place.
  `
  ALTER TABLE detections ADD COLUMN revised_by INTEGER REFERENCES detections(id);
  `,
  // 4: reviews, an audit log: each one kept with who and when; a later one supersedes, none is changed
  // or deleted (the triggers refuse it, whoever asks).
  `
  CREATE TABLE reviews (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES alerts(id),
    verdict TEXT NOT NULL CHECK (verdict IN ('confirmed', 'dismissed')),
    reason TEXT NOT NULL CHECK (
      (verdict = 'confirmed' AND reason = 'dust') OR
      (verdict = 'dismissed' AND reason IN ('cloud', 'haze', 'soil', 'vehicle', 'other'))
    ),
    note TEXT NOT NULL DEFAULT '',
    reviewer TEXT NOT NULL,
    role TEXT,
    via TEXT NOT NULL CHECK (via IN ('api', 'cli')),
    created_us INTEGER NOT NULL
  );
  CREATE INDEX reviews_alert ON reviews(alert_id, id);
  CREATE TRIGGER reviews_never_updated BEFORE UPDATE ON reviews
    BEGIN SELECT RAISE(ABORT, 'reviews are an audit log: a review is never changed'); END;
  CREATE TRIGGER reviews_never_deleted BEFORE DELETE ON reviews
    BEGIN SELECT RAISE(ABORT, 'reviews are an audit log: a review is never deleted'); END;
  `,
  // 5: the footage index: each recording of a flight's video, and what its camera saw when (the
  // picture's ground footprint over a span of the recording), boxed in an R*Tree for "who saw here".
  `
  CREATE TABLE recordings (
    id INTEGER PRIMARY KEY,
    flight_id TEXT NOT NULL REFERENCES flights(id),
    path TEXT NOT NULL UNIQUE,
    created_us INTEGER NOT NULL
  );
  CREATE INDEX recordings_flight ON recordings(flight_id);
  CREATE TABLE footage (
    id INTEGER PRIMARY KEY,
    recording_id INTEGER NOT NULL REFERENCES recordings(id),
    start_offset_s REAL NOT NULL,
    end_offset_s REAL NOT NULL,
    start_us INTEGER NOT NULL,
    end_us INTEGER NOT NULL,
    footprint TEXT NOT NULL,
    camera TEXT NOT NULL,
    UNIQUE (recording_id, start_offset_s)
  );
  CREATE INDEX footage_start ON footage(start_us);
  CREATE VIRTUAL TABLE footage_box USING rtree(id, min_lon_deg, max_lon_deg, min_lat_deg, max_lat_deg);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the database up to SCHEMA_VERSION, each step in its own transaction. */
export function migrate(db: Database.Database, file: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new UserError(
      `${file}: alert database schema version ${version} is newer than this dustpatrol understands ` +
        `(${SCHEMA_VERSION}); use a newer dustpatrol`,
    );
  }
  if (version === 0) {
    const tables = db
      .prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'`)
      .get() as {
      n: number;
    };
    if (tables.n > 0) throw new UserError(`${file}: a SQLite database, but not a dustpatrol alert store`);
  }
  for (let v = version; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      // Another process may have taken this step while we waited for the write lock.
      if ((db.pragma('user_version', { simple: true }) as number) !== v) return;
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}
