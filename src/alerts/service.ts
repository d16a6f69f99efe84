import { type Clock, systemClock, type TimerHandle } from '../clock.js';
import { IoError, ioFailure } from '../errors.js';
import type { Site, SiteRegistry } from '../sites/index.js';
import { STORE_TIMING, type StoreTiming } from '../timing.js';
import { encodeSnapshot } from '../video/index.js';
import { SiteLocator } from './attribute.js';
import { groundDistanceM, isSamePlume, mergeSighting, stateOf, stateOfSightings } from './dedupe.js';
import { composeEvidence } from './evidence.js';
import type { FootageView, RecordingRef } from './footage.js';
import {
  HELD_EVIDENCE_IMAGES,
  type HeldWrite,
  HeldWrites,
  type PreparedSighting,
  type StoreStatus,
} from './held-writes.js';
import { type Reviewer, type ReviewResult, recordReview } from './review.js';
import { type AlertRules, DEFAULT_ALERT_RULES } from './rules.js';
import type { AlertCandidate, AlertStore } from './store.js';
import { formatUtcUs, nowUs as wallClockUs } from './time.js';
import type { Alert, FlightRecord, PatrolRecord, PlumeSighting, ReviewInput } from './types.js';
import { checkSighting } from './validate.js';

export type AlertChange = 'created' | 'updated' | 'unchanged';

export interface RaiseResult {
  alert: Alert;
  change: AlertChange;
}

/** A sighting the store could not take now: held in memory and written when it can (`raiseOrHold`). */
export interface HeldRaise {
  alert: null;
  change: 'held';
}

/** Called after an alert was created or updated (committed), never for an unchanged one. */
export type AlertListener = (event: { alert: Alert; change: 'created' | 'updated' }) => void;

/** Called after a review was recorded (committed). */
export type ReviewListener = (result: ReviewResult) => void;

/** What the store's trouble means for the pilot and supervisor: one line (or none) and where it stands. */
export interface StoreEvent {
  level: 'info' | 'warning' | 'error';
  /** A line for the log and the pilot; null for a change of the counts alone (a record held). */
  text: string | null;
  status: StoreStatus;
}

export interface HoldOptions {
  /** The retry timer's clock (default: the system clock). */
  clock?: Clock;
  /** Overrides of STORE_TIMING's retry delays (tests). */
  timing?: Partial<Pick<StoreTiming, 'retryDelayMs' | 'retryMaxDelayMs'>>;
  /** Held alerts that keep their evidence image (default HELD_EVIDENCE_IMAGES). */
  evidenceImages?: number;
}

export interface AlertServiceOptions {
  store: AlertStore;
  /** The sites alerts are attributed to; written to the store's sites table. */
  sites?: readonly Site[] | SiteRegistry;
  rules?: Partial<AlertRules>;
  /** Wall clock for created/updated stamps, µs since the epoch (default: Date.now()). */
  nowUs?: () => number;
  /** A listener that throws is reported here (default: a process warning); the alert stays stored. */
  onListenerError?: (err: unknown) => void;
  /**
   * The daemon's way: what the store cannot write now (a full disk, another process's lock, an I/O
   * error) is held in memory and written when it can, tried again on a timer (STORE_TIMING), nothing
   * lost; without it such a write throws one IoError line (replay and the CLI stop there).
   */
  hold?: HoldOptions;
}

const US_PER_S = 1e6;

/**
 * Turns plume sightings into alerts: attributes each to a site, rates it, merges it into the alert
 * of the same plume or raises a new one, stores it in one transaction and tells the listeners.
 */
export class AlertService {
  readonly rules: AlertRules;
  private locator: SiteLocator;
  private readonly listeners = new Set<AlertListener>();
  private readonly reviewListeners = new Set<ReviewListener>();
  private readonly storeListeners = new Set<(event: StoreEvent) => void>();
  private readonly clock: () => number;
  private readonly held: HeldWrites;
  private readonly holdClock: Clock;
  private readonly retry: { firstMs: number; maxMs: number };
  private retryTimer: TimerHandle | undefined;
  private retryDelayMs = 0;
  /** The last write failure, while writes are held. */
  private failure: string | null = null;
  /** The picture stored for an alert whose evidence image was dropped while held. */
  private placeholderJpeg: Buffer | null = null;

  constructor(private readonly opts: AlertServiceOptions) {
    this.rules = { ...DEFAULT_ALERT_RULES, ...opts.rules };
    this.clock = opts.nowUs ?? wallClockUs;
    this.held = new HeldWrites(opts.hold?.evidenceImages ?? HELD_EVIDENCE_IMAGES);
    this.holdClock = opts.hold?.clock ?? systemClock;
    this.retry = {
      firstMs: opts.hold?.timing?.retryDelayMs ?? STORE_TIMING.retryDelayMs,
      maxMs: opts.hold?.timing?.retryMaxDelayMs ?? STORE_TIMING.retryMaxDelayMs,
    };
    this.locator = new SiteLocator([]);
    const sites = opts.sites === undefined ? [] : 'sites' in opts.sites ? opts.sites.sites : opts.sites;
    this.syncSites(sites);
  }

  get store(): AlertStore {
    return this.opts.store;
  }

  /** Records a flight (or adds to what is known of it); held while the store cannot write, when holding. */
  registerFlight(flight: FlightRecord): void {
    const atUs = this.clock();
    this.writeOrHold(
      () => this.store.upsertFlight(flight, atUs),
      () => this.held.holdFlight(flight, atUs),
    );
  }

  /** Records a patrol or its progress (the whole record); held while the store cannot write, when holding. */
  savePatrol(record: PatrolRecord): void {
    this.writeOrHold(
      () => this.store.savePatrol(record),
      () => this.held.holdPatrol(record),
    );
  }

  /**
   * Adds views of a recording to the footage index, as live analytics takes them. When holding, false
   * while the store cannot take them (the caller keeps them and gives them again later); otherwise a
   * failure to write throws.
   */
  addFootage(recording: RecordingRef, views: readonly FootageView[]): boolean {
    if (this.opts.hold && this.failure !== null) return false;
    try {
      this.writeFootage(recording, views, false);
      return true;
    } catch (err) {
      const io = this.opts.hold && this.ioErrorOf(err);
      if (!io) throw err;
      this.unavailable(io);
      return false;
    }
  }

  /** Indexes a recording anew, in one transaction: a replay's views replace those it had. */
  replaceFootage(recording: RecordingRef, views: readonly FootageView[]): void {
    this.writeFootage(recording, views, true);
  }

  private writeFootage(recording: RecordingRef, views: readonly FootageView[], replace: boolean): void {
    const atUs = this.clock();
    const { footage } = this.store;
    this.store.transaction(() => {
      this.store.ensureFlight(recording.flightId, atUs);
      const id = footage.recordingId(recording, atUs);
      if (replace) footage.clear(id);
      footage.add(id, views);
    });
  }

  /** Whether the store takes writes, and what is held in memory until it does. */
  get storeStatus(): StoreStatus {
    return {
      available: this.failure === null,
      reason: this.failure,
      heldAlerts: this.held.alerts,
      heldRecords: this.held.records,
      evidenceDropped: this.held.evidenceDropped,
    };
  }

  /** Listens to the store becoming unavailable, what is held meanwhile, and its return; returns the unsubscribe. */
  onStoreEvent(listener: (event: StoreEvent) => void): () => void {
    this.storeListeners.add(listener);
    return () => this.storeListeners.delete(listener);
  }

  /**
   * Tries the held writes once more now and stops the retry timer (the daemon is stopping); returns
   * the alerts still held, which the caller reports, since they are lost with the process.
   */
  stopHolding(): PreparedSighting[] {
    this.holdClock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.held.size > 0) this.drainHeld();
    this.holdClock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    return this.held.heldAlerts();
  }

  /** Upserts the sites into the store and attributes later sightings to them. */
  syncSites(sites: readonly Site[]): void {
    this.store.upsertSites(sites, this.clock());
    this.locator = new SiteLocator(sites);
  }

  /** Listens to created and updated alerts; returns the function that stops listening. */
  onAlert(listener: AlertListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Listens to reviews recorded through `review`; returns the function that stops listening. */
  onReview(listener: ReviewListener): () => void {
    this.reviewListeners.add(listener);
    return () => this.reviewListeners.delete(listener);
  }

  /**
   * Records a reviewer's verdict on an alert (confirmed: dust; dismissed, with what it was instead) in
   * its audit log and tells the listeners. Never held: the store must take it now, or it throws (an
   * IoError while the store is unavailable), so the reviewer knows it was not kept.
   */
  review(alertId: number, input: ReviewInput, by: Reviewer): ReviewResult {
    const result = recordReview(this.store, alertId, input, by, this.clock());
    for (const listener of this.reviewListeners) {
      try {
        listener(result);
      } catch (err) {
        this.reportListenerError(err);
      }
    }
    return result;
  }

  /**
   * Stores one sighting: a new alert, an update of the alert of the same plume (same site, within
   * dedupRadiusM and dedupWindowS), the revision of an earlier sighting of its track (`revisesKey`),
   * or nothing when this (flightId, sightingKey) is already stored.
   * A bad sighting is refused with a UserError before anything is written.
   */
  async raise(s: PlumeSighting): Promise<RaiseResult> {
    checkSighting(s);
    const known = this.store.alertIdOfSighting(s.flightId, s.sightingKey);
    if (known !== null) return { alert: this.mustGet(known), change: 'unchanged' };
    return this.write(await this.prepare(s));
  }

  /**
   * `raise`, or, when the store cannot write now (and the service holds: `hold`), the sighting held in
   * memory, its evidence composed, to be written in order when the store takes writes again.
   */
  async raiseOrHold(s: PlumeSighting): Promise<RaiseResult | HeldRaise> {
    if (!this.opts.hold) return this.raise(s);
    checkSighting(s);
    if (this.held.holdsSighting(s.flightId, s.sightingKey)) return { alert: null, change: 'held' };
    if (this.held.size === 0) {
      try {
        const known = this.store.alertIdOfSighting(s.flightId, s.sightingKey);
        if (known !== null) return { alert: this.mustGet(known), change: 'unchanged' };
      } catch (err) {
        // A store that cannot even be read is as unavailable as one that cannot be written.
        if (!this.ioErrorOf(err)) throw err;
      }
    }
    const prepared = await this.prepare(s);
    // Once anything is held, later sightings wait behind it: an alert's revision after the alert.
    if (this.held.size === 0) {
      try {
        return this.write(prepared);
      } catch (err) {
        const io = this.ioErrorOf(err);
        if (!io) throw err;
        this.unavailable(io);
      }
    }
    // Made before anything is held, so that a held alert whose image is dropped always has one.
    this.placeholderJpeg ??= await placeholderEvidence();
    this.holdAlert(prepared);
    return { alert: null, change: 'held' };
  }

  /** Attributes the sighting to its site and composes its evidence JPEG; nothing is written. */
  private async prepare(s: PlumeSighting): Promise<PreparedSighting> {
    const { site, distanceM } = this.locator.attribute(s.latDeg, s.lonDeg, this.rules.nearestSiteMaxM);
    // The JPEG is made before the transaction, so the write lock is held only for the writes.
    const { jpeg, caption } = await composeEvidence(s, site);
    const { evidence: _frame, ...sighting } = s;
    return {
      sighting,
      site: { siteId: site?.id ?? null, contractor: site?.contractor ?? null, siteDistanceM: distanceM },
      evidenceJpeg: jpeg,
      caption,
      raisedUs: this.clock(),
    };
  }

  /** Writes a prepared sighting in one transaction and tells the listeners. */
  private write(p: PreparedSighting): RaiseResult {
    const s = p.sighting;
    const now = p.raisedUs;
    const siteId = p.site.siteId;
    const evidence =
      p.evidenceJpeg === null ? null : { pose: s.pose, evidenceJpeg: p.evidenceJpeg, caption: p.caption };

    const { id, change } = this.store.transaction(() => {
      // Checked again inside: another raise of the same sighting may have committed meanwhile.
      const stored = this.store.alertIdOfSighting(s.flightId, s.sightingKey);
      if (stored !== null) return { id: stored, change: 'unchanged' as const };
      this.store.ensureFlight(s.flightId, now);
      const revised = this.revisedAlert(s);
      if (revised) {
        this.revise(revised, s, p.site, evidence, now);
        return { id: revised.id, change: 'updated' as const };
      }
      const same = this.samePlumeAlert(s, siteId);
      let alertId: number;
      if (same) {
        const { state, betterEvidence } = mergeSighting(same, s, this.rules);
        this.store.updateAlert(same.id, state, betterEvidence ? evidence : null, now);
        alertId = same.id;
      } else {
        alertId = this.store.insertAlert(
          { flightId: s.flightId, ...p.site, ...(evidence ?? this.placeholder(p)) },
          stateOf(s, this.rules),
          now,
        );
      }
      this.store.insertDetection(alertId, s, now);
      return { id: alertId, change: same ? ('updated' as const) : ('created' as const) };
    });

    const alert = this.mustGet(id);
    if (change !== 'unchanged') this.notify({ alert, change });
    return { alert, change };
  }

  /**
   * The sighting stands in for the one it revises (same track, all its views): the alert is remade
   * from the sightings that stand, so the revised one's frames are not counted twice. An alert that is
   * this track's alone follows the plume to whatever site it is now placed in.
   */
  private revise(
    alert: AlertCandidate & { revisesKey: string },
    s: Sighting,
    site: { siteId: string | null; contractor: string | null; siteDistanceM: number | null },
    evidence: Evidence | null,
    now: number,
  ): void {
    const detectionId = this.store.insertDetection(alert.id, s, now);
    this.store.markRevised(s.flightId, alert.revisesKey, detectionId);
    const standing = this.store.standingDetections(alert.id);
    const alone = standing.length === 1;
    if (alone) this.store.reattribute(alert.id, site);
    const state = stateOfSightings(standing, this.rules);
    this.store.updateAlert(alert.id, state, alone || s.peakScore > alert.peakScore ? evidence : null, now);
  }

  private revisedAlert(s: Sighting): (AlertCandidate & { revisesKey: string }) | null {
    if (s.revisesKey === undefined) return null;
    const id = this.store.alertIdOfSighting(s.flightId, s.revisesKey);
    const candidate = id === null ? null : this.store.candidate(id);
    return candidate && { ...candidate, revisesKey: s.revisesKey };
  }

  /** An alert of the same site close to the sighting in place and time, the nearest one. */
  private samePlumeAlert(s: Sighting, siteId: string | null): AlertCandidate | undefined {
    const windowUs = this.rules.dedupWindowS * US_PER_S;
    return this.store
      .candidates(siteId, s.firstSeenUs, s.lastSeenUs, windowUs)
      .filter((a) => isSamePlume(a, s, this.rules))
      .sort((a, b) => groundDistanceM(a, s) - groundDistanceM(b, s))[0];
  }

  /** The evidence of an alert whose image was dropped while held: a grey picture saying so, with its caption. */
  private placeholder(p: PreparedSighting): Evidence {
    if (!this.placeholderJpeg)
      throw new Error('no placeholder evidence: an image was dropped before any was held');
    return { pose: p.sighting.pose, evidenceJpeg: this.placeholderJpeg, caption: p.caption };
  }

  /** Runs a write now, or holds it when the store cannot take it (holding only; else it throws). */
  private writeOrHold(write: () => void, hold: () => void): void {
    if (this.opts.hold && this.held.size > 0) {
      hold();
      this.tell('info', null);
      return;
    }
    try {
      write();
    } catch (err) {
      const io = this.opts.hold && this.ioErrorOf(err);
      if (!io) throw err;
      this.unavailable(io);
      hold();
      this.tell('info', null);
    }
  }

  private holdAlert(p: PreparedSighting): void {
    const dropped = this.held.holdAlert(p);
    const { heldAlerts } = this.storeStatus;
    this.tell(
      'warning',
      `alert held, not stored yet: ${describeSighting(p)} (store unavailable: ${heldAlerts} alert${heldAlerts === 1 ? '' : 's'} held)`,
    );
    if (dropped) {
      this.tell(
        'warning',
        `more than ${this.opts.hold?.evidenceImages ?? HELD_EVIDENCE_IMAGES} alerts held: the evidence image of ` +
          `the alert held for ${describeSighting(dropped)} was dropped (its facts are kept)`,
      );
    }
  }

  /** The store stopped taking writes: say so once, and try again on the timer. */
  private unavailable(err: IoError): void {
    const first = this.failure === null;
    this.failure = err.message;
    if (first) {
      this.tell(
        'error',
        `store unavailable: ${err.message}; holding alerts and patrol records in memory ` +
          `(evidence images of up to ${this.opts.hold?.evidenceImages ?? HELD_EVIDENCE_IMAGES} alerts) and trying again`,
      );
    }
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== undefined) return;
    this.retryDelayMs =
      this.retryDelayMs === 0 ? this.retry.firstMs : Math.min(this.retry.maxMs, this.retryDelayMs * 2);
    this.retryTimer = this.holdClock.setTimeout(() => {
      this.retryTimer = undefined;
      this.drainHeld();
    }, this.retryDelayMs);
  }

  /** Writes what is held, oldest first, until the store fails again (then the timer tries later). */
  private drainHeld(): void {
    let alerts = 0;
    let records = 0;
    for (let w = this.held.next(); w; w = this.held.next()) {
      try {
        this.writeHeld(w);
      } catch (err) {
        const io = this.ioErrorOf(err);
        if (io) {
          this.failure = io.message;
          this.tell('info', null);
          this.scheduleRetry();
          return;
        }
        // Not the store's state but this write (a bug): it would block every later one.
        this.tell(
          'error',
          `a held ${w.kind} could not be written and is dropped: ${(err as Error)?.message ?? err}`,
        );
      }
      if (w.kind === 'alert') alerts++;
      else records++;
      this.held.shift();
    }
    this.retryDelayMs = 0;
    if (this.failure !== null) {
      this.failure = null;
      this.tell(
        'info',
        `store available again: ${alerts} held alert${alerts === 1 ? '' : 's'} and ${records} record${records === 1 ? '' : 's'} written`,
      );
    }
  }

  private writeHeld(w: HeldWrite): void {
    if (w.kind === 'flight') this.store.upsertFlight(w.flight, w.atUs);
    else if (w.kind === 'patrol') this.store.savePatrol(w.record);
    else this.write(w.prepared);
  }

  /** The error as the store's I/O failure (full, locked, I/O error), or null for anything else. */
  private ioErrorOf(err: unknown): IoError | null {
    if (err instanceof IoError) return err;
    return ioFailure(this.store.file, 'use the alert database', err) ?? null;
  }

  private tell(level: StoreEvent['level'], text: string | null): void {
    const event = { level, text, status: this.storeStatus };
    for (const listener of this.storeListeners) {
      try {
        listener(event);
      } catch (err) {
        this.reportListenerError(err);
      }
    }
  }

  private reportListenerError(err: unknown): void {
    const report =
      this.opts.onListenerError ??
      ((e: unknown) => process.emitWarning(`alert listener failed: ${(e as Error)?.message ?? e}`));
    report(err);
  }

  private mustGet(id: number): Alert {
    const alert = this.store.getAlert(id);
    if (!alert) throw new Error(`alert ${id} vanished from ${this.store.file}`);
    return alert;
  }

  private notify(event: { alert: Alert; change: 'created' | 'updated' }): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.reportListenerError(err);
      }
    }
  }
}

type Sighting = PreparedSighting['sighting'];

const PLACEHOLDER = { width: 320, height: 180, grey: 96 };

/** A grey picture saying that the evidence image was dropped while the store was unavailable. */
function placeholderEvidence(): Promise<Buffer> {
  const { width, height, grey } = PLACEHOLDER;
  return encodeSnapshot({ data: Buffer.alloc(width * height * 3, grey), width, height }, [], {
    caption: 'evidence image dropped: the store was unavailable',
  });
}
type Evidence = { pose: PlumeSighting['pose']; evidenceJpeg: Buffer; caption: string };

/** `D-01 (Acme) at 34.72620,113.63173, 2026-05-03 09:30:00 UTC` */
function describeSighting(p: PreparedSighting): string {
  const { siteId, contractor } = p.site;
  const where = siteId ? `${siteId}${contractor ? ` (${contractor})` : ''}` : 'no site';
  const s = p.sighting;
  return `${where} at ${s.latDeg.toFixed(5)},${s.lonDeg.toFixed(5)}, ${formatUtcUs(s.firstSeenUs)}`;
}
