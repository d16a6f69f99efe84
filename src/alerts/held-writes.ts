import type { FlightRecord, PatrolRecord, PlumeSighting } from './types.js';

/**
 * Held alerts keep their evidence image up to this many; beyond it the oldest held alert's image is
 * dropped first (a JPEG of an analysed frame is 20–150 KB, so at most about 15 MB). An alert's facts
 * (site, place, time, scores: a few hundred bytes) are never dropped.
 */
export const HELD_EVIDENCE_IMAGES = 100;

/** A sighting ready to be written: attributed to its site, its evidence composed (no frame kept). */
export interface PreparedSighting {
  sighting: Omit<PlumeSighting, 'evidence'>;
  site: { siteId: string | null; contractor: string | null; siteDistanceM: number | null };
  /** The evidence JPEG; null once dropped while held (the alert is then stored with a placeholder). */
  evidenceJpeg: Buffer | null;
  caption: string;
  /** When it was raised (µs since the epoch): its alert's created time, however late it is written. */
  raisedUs: number;
}

export type HeldWrite =
  | { kind: 'flight'; flight: FlightRecord; atUs: number }
  | { kind: 'patrol'; record: PatrolRecord }
  | { kind: 'alert'; prepared: PreparedSighting };

/** What the store holds in memory while it cannot write, as the daemon shows it. */
export interface StoreStatus {
  /** False while writes fail (full disk, another process's lock, an I/O error) and are held. */
  available: boolean;
  /** The last failure, one line; null while available. */
  reason: string | null;
  /** Alerts waiting to be written. */
  heldAlerts: number;
  /** Flight and patrol records waiting to be written (the latest of each). */
  heldRecords: number;
  /** Held alerts whose evidence image was dropped to stay within HELD_EVIDENCE_IMAGES. */
  evidenceDropped: number;
}

/**
 * Writes the store could not take, in the order they came, to be written in that order when it can:
 * a flight before the patrol and the alerts that refer to it, an alert before the one that revises it.
 * A record held again replaces the held one (the store keeps the whole latest record) in its place.
 */
export class HeldWrites {
  private readonly queue: HeldWrite[] = [];
  private dropped = 0;

  constructor(private readonly evidenceImages = HELD_EVIDENCE_IMAGES) {}

  get size(): number {
    return this.queue.length;
  }

  get alerts(): number {
    return this.queue.filter((w) => w.kind === 'alert').length;
  }

  get records(): number {
    return this.queue.length - this.alerts;
  }

  get evidenceDropped(): number {
    return this.dropped;
  }

  /** Later known fields win, as the store's upsert does (coalesce). */
  holdFlight(flight: FlightRecord, atUs: number): void {
    const held = this.queue.find(
      (w): w is Extract<HeldWrite, { kind: 'flight' }> => w.kind === 'flight' && w.flight.id === flight.id,
    );
    const known = Object.fromEntries(Object.entries(flight).filter(([, v]) => v !== undefined && v !== null));
    if (held) held.flight = { ...held.flight, ...known };
    else this.queue.push({ kind: 'flight', flight: { ...flight }, atUs });
  }

  holdPatrol(record: PatrolRecord): void {
    const copy = { ...record };
    const held = this.queue.find(
      (w): w is Extract<HeldWrite, { kind: 'patrol' }> =>
        w.kind === 'patrol' && w.record.flightId === record.flightId,
    );
    if (held) held.record = copy;
    else this.queue.push({ kind: 'patrol', record: copy });
  }

  /** Holds an alert; returns the held alert whose evidence image was dropped to make room, if one was. */
  holdAlert(prepared: PreparedSighting): PreparedSighting | null {
    this.queue.push({ kind: 'alert', prepared });
    const withImages = this.queue.flatMap((w) =>
      w.kind === 'alert' && w.prepared.evidenceJpeg ? [w.prepared] : [],
    );
    if (withImages.length <= this.evidenceImages) return null;
    const oldest = withImages[0];
    oldest.evidenceJpeg = null;
    this.dropped++;
    return oldest;
  }

  /** Whether a sighting is held already (the same one raised twice is stored once). */
  holdsSighting(flightId: string, sightingKey: string): boolean {
    return this.queue.some(
      (w) =>
        w.kind === 'alert' &&
        w.prepared.sighting.flightId === flightId &&
        w.prepared.sighting.sightingKey === sightingKey,
    );
  }

  /** The held alerts, oldest first (for a last report when they cannot be written). */
  heldAlerts(): PreparedSighting[] {
    return this.queue.flatMap((w) => (w.kind === 'alert' ? [w.prepared] : []));
  }

  /** The oldest held write, which must be written first; undefined when none is held. */
  next(): HeldWrite | undefined {
    return this.queue[0];
  }

  /** The oldest held write was written (or given up): the next one is due. */
  shift(): void {
    const written = this.queue.shift();
    if (written?.kind === 'alert' && !written.prepared.evidenceJpeg && this.dropped > 0) this.dropped--;
  }
}
