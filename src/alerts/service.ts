import type { Site, SiteRegistry } from '../sites/index.js';
import { SiteLocator } from './attribute.js';
import { groundDistanceM, isSamePlume, mergeSighting, stateOf, stateOfSightings } from './dedupe.js';
import { composeEvidence } from './evidence.js';
import { type AlertRules, DEFAULT_ALERT_RULES } from './rules.js';
import type { AlertCandidate, AlertStore } from './store.js';
import { nowUs as wallClockUs } from './time.js';
import type { Alert, FlightRecord, PlumeSighting } from './types.js';
import { checkSighting } from './validate.js';

export type AlertChange = 'created' | 'updated' | 'unchanged';

export interface RaiseResult {
  alert: Alert;
  change: AlertChange;
}

/** Called after an alert was created or updated (committed), never for an unchanged one. */
export type AlertListener = (event: { alert: Alert; change: 'created' | 'updated' }) => void;

export interface AlertServiceOptions {
  store: AlertStore;
  /** The sites alerts are attributed to; written to the store's sites table. */
  sites?: readonly Site[] | SiteRegistry;
  rules?: Partial<AlertRules>;
  /** Wall clock for created/updated stamps, µs since the epoch (default: Date.now()). */
  nowUs?: () => number;
  /** A listener that throws is reported here (default: a process warning); the alert stays stored. */
  onListenerError?: (err: unknown) => void;
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
  private readonly clock: () => number;

  constructor(private readonly opts: AlertServiceOptions) {
    this.rules = { ...DEFAULT_ALERT_RULES, ...opts.rules };
    this.clock = opts.nowUs ?? wallClockUs;
    this.locator = new SiteLocator([]);
    const sites = opts.sites === undefined ? [] : 'sites' in opts.sites ? opts.sites.sites : opts.sites;
    this.syncSites(sites);
  }

  get store(): AlertStore {
    return this.opts.store;
  }

  /** Records a flight (or adds to what is known of it). */
  registerFlight(flight: FlightRecord): void {
    this.store.upsertFlight(flight, this.clock());
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

    const { site, distanceM } = this.locator.attribute(s.latDeg, s.lonDeg, this.rules.nearestSiteMaxM);
    // The JPEG is made before the transaction, so the write lock is held only for the writes.
    const { jpeg, caption } = await composeEvidence(s, site);
    const evidence = { pose: s.pose, evidenceJpeg: jpeg, caption };
    const now = this.clock();
    const siteId = site?.id ?? null;

    const { id, change } = this.store.transaction(() => {
      // Checked again inside: another raise of the same sighting may have committed meanwhile.
      const stored = this.store.alertIdOfSighting(s.flightId, s.sightingKey);
      if (stored !== null) return { id: stored, change: 'unchanged' as const };
      this.store.ensureFlight(s.flightId, now);
      const revised = this.revisedAlert(s);
      if (revised) {
        this.revise(
          revised,
          s,
          { siteId, contractor: site?.contractor ?? null, siteDistanceM: distanceM },
          evidence,
          now,
        );
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
          {
            flightId: s.flightId,
            siteId,
            contractor: site?.contractor ?? null,
            siteDistanceM: distanceM,
            ...evidence,
          },
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
    s: PlumeSighting,
    site: { siteId: string | null; contractor: string | null; siteDistanceM: number | null },
    evidence: { pose: PlumeSighting['pose']; evidenceJpeg: Buffer; caption: string },
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

  private revisedAlert(s: PlumeSighting): (AlertCandidate & { revisesKey: string }) | null {
    if (s.revisesKey === undefined) return null;
    const id = this.store.alertIdOfSighting(s.flightId, s.revisesKey);
    const candidate = id === null ? null : this.store.candidate(id);
    return candidate && { ...candidate, revisesKey: s.revisesKey };
  }

  /** An alert of the same site close to the sighting in place and time, the nearest one. */
  private samePlumeAlert(s: PlumeSighting, siteId: string | null): AlertCandidate | undefined {
    const windowUs = this.rules.dedupWindowS * US_PER_S;
    return this.store
      .candidates(siteId, s.firstSeenUs, s.lastSeenUs, windowUs)
      .filter((a) => isSamePlume(a, s, this.rules))
      .sort((a, b) => groundDistanceM(a, s) - groundDistanceM(b, s))[0];
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
        const report =
          this.opts.onListenerError ??
          ((e: unknown) => process.emitWarning(`alert listener failed: ${(e as Error)?.message ?? e}`));
        report(err);
      }
    }
  }
}
