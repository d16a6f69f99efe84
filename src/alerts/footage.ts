import type Database from 'better-sqlite3';
import type { LatLonBox } from '../geo/index.js';

/** A recording of a flight's video: the file (an absolute path) and the flight it belongs to. */
export interface RecordingRef {
  flightId: string;
  path: string;
}

export interface Recording extends RecordingRef {
  id: number;
}

/** Where the camera was and how it pointed while a view was taken. */
export interface FootageCamera {
  latDeg: number;
  lonDeg: number;
  altRelM: number;
  /** Where the picture's top points, degrees clockwise from north. */
  headingDeg: number;
  /** The optical axis below (negative) or above the horizon, degrees. */
  pitchDeg: number;
}

/**
 * One entry of the footage index: the ground a recording shows from startOffsetS to endOffsetS (seconds
 * into the file), the same span on the vehicle's clock (startUs, endUs: µs since the epoch).
 */
export interface FootageView {
  startOffsetS: number;
  endOffsetS: number;
  startUs: number;
  endUs: number;
  /** The picture's ground footprint, counter-clockwise, not closed. */
  footprint: { latDeg: number; lonDeg: number }[];
  camera: FootageCamera;
}

/** A view as stored, with its recording. */
export interface IndexedView extends FootageView {
  recording: Recording;
}

interface ViewRow {
  recording_id: number;
  flight_id: string;
  path: string;
  start_offset_s: number;
  end_offset_s: number;
  start_us: number;
  end_us: number;
  footprint: string;
  camera: string;
}

const VIEW_COLUMNS = `f.recording_id, r.flight_id, r.path, f.start_offset_s, f.end_offset_s, f.start_us, f.end_us,
  f.footprint, f.camera`;

/**
 * The footage index's tables in the alert store (migration 4): recordings, their views, and each view's
 * bounding box in an R*Tree. The store runs writes in its transactions; this only says what they are.
 */
export class FootageTable {
  constructor(private readonly db: Database.Database) {}

  /** The recording's id, registering it on first sight. */
  recordingId(recording: RecordingRef, nowUs: number): number {
    this.db
      .prepare(
        'INSERT INTO recordings (flight_id, path, created_us) VALUES (?, ?, ?) ON CONFLICT (path) DO NOTHING',
      )
      .run(recording.flightId, recording.path, nowUs);
    const row = this.db.prepare('SELECT id FROM recordings WHERE path = ?').get(recording.path) as {
      id: number;
    };
    return row.id;
  }

  /** Adds views of a recording; one already indexed (same start) is kept as it was. Returns how many were new. */
  add(recordingId: number, views: readonly FootageView[]): number {
    const insert = this.db.prepare(
      `INSERT INTO footage (recording_id, start_offset_s, end_offset_s, start_us, end_us, footprint, camera)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (recording_id, start_offset_s) DO NOTHING`,
    );
    const box = this.db.prepare(
      'INSERT INTO footage_box (id, min_lon_deg, max_lon_deg, min_lat_deg, max_lat_deg) VALUES (?, ?, ?, ?, ?)',
    );
    let added = 0;
    for (const v of views) {
      const footprint = JSON.stringify(v.footprint.map((p) => [p.lonDeg, p.latDeg]));
      const { changes, lastInsertRowid } = insert.run(
        recordingId,
        v.startOffsetS,
        v.endOffsetS,
        Math.round(v.startUs),
        Math.round(v.endUs),
        footprint,
        JSON.stringify(v.camera),
      );
      if (changes === 0) continue;
      const lats = v.footprint.map((p) => p.latDeg);
      const lons = v.footprint.map((p) => p.lonDeg);
      box.run(lastInsertRowid, Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats));
      added++;
    }
    return added;
  }

  /** Forgets every view of a recording (a replay indexes it anew). */
  clear(recordingId: number): void {
    this.db
      .prepare('DELETE FROM footage_box WHERE id IN (SELECT id FROM footage WHERE recording_id = ?)')
      .run(recordingId);
    this.db.prepare('DELETE FROM footage WHERE recording_id = ?').run(recordingId);
  }

  /**
   * Views whose footprint's box meets `box` and whose span meets [sinceUs, untilUs], by recording and
   * time. The R*Tree keeps the search to the views near the place, however many flights are indexed.
   */
  inBox(box: LatLonBox, sinceUs = Number.MIN_SAFE_INTEGER, untilUs = Number.MAX_SAFE_INTEGER): IndexedView[] {
    const rows = this.db
      .prepare(
        `SELECT ${VIEW_COLUMNS} FROM footage_box b JOIN footage f ON f.id = b.id
           JOIN recordings r ON r.id = f.recording_id
         WHERE b.max_lon_deg >= @minLonDeg AND b.min_lon_deg <= @maxLonDeg
           AND b.max_lat_deg >= @minLatDeg AND b.min_lat_deg <= @maxLatDeg
           AND f.end_us >= @sinceUs AND f.start_us <= @untilUs
         ORDER BY f.recording_id, f.start_offset_s`,
      )
      .all({ ...box, sinceUs, untilUs }) as ViewRow[];
    return rows.map(viewOf);
  }

  /** Every view of a recording, in order. */
  views(recordingId: number): IndexedView[] {
    const rows = this.db
      .prepare(
        `SELECT ${VIEW_COLUMNS} FROM footage f JOIN recordings r ON r.id = f.recording_id
         WHERE f.recording_id = ? ORDER BY f.start_offset_s`,
      )
      .all(recordingId) as ViewRow[];
    return rows.map(viewOf);
  }

  recording(id: number): Recording | null {
    const row = this.db
      .prepare('SELECT id, flight_id AS flightId, path FROM recordings WHERE id = ?')
      .get(id) as Recording | undefined;
    return row ?? null;
  }

  /** The recordings indexed, a flight's alone when given, in the order they were first indexed. */
  recordings(flightId?: string): Recording[] {
    const where = flightId === undefined ? '' : 'WHERE flight_id = ?';
    return this.db
      .prepare(`SELECT id, flight_id AS flightId, path FROM recordings ${where} ORDER BY id`)
      .all(...(flightId === undefined ? [] : [flightId])) as Recording[];
  }
}

function viewOf(r: ViewRow): IndexedView {
  return {
    recording: { id: r.recording_id, flightId: r.flight_id, path: r.path },
    startOffsetS: r.start_offset_s,
    endOffsetS: r.end_offset_s,
    startUs: r.start_us,
    endUs: r.end_us,
    footprint: (JSON.parse(r.footprint) as [number, number][]).map(([lonDeg, latDeg]) => ({
      latDeg,
      lonDeg,
    })),
    camera: JSON.parse(r.camera) as FootageCamera,
  };
}
