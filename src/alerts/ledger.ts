import type { Site } from '../sites/index.js';
import { SiteLocator } from './attribute.js';
import { reachedSeqs, sitesCoveredBy } from './patrol-coverage.js';
import type { ReviewState } from './review-terms.js';
import type { AlertStore } from './store.js';
import type { ContractorLedgerRow, LedgerQuery, SiteLedgerRow, SitePatrol } from './types.js';

const US_PER_S = 1e6;

/**
 * The supervision ledger: each site (every one of `q.sites`, and the store's sites with alerts or
 * patrols) with its contractor, risk, the patrols that covered it, its alerts by review state, and
 * whether its confirmed alerts first seen within the window (untilUs − windowS, untilUs] reach the
 * blacklist rule. Flagged sites first, then by confirmed and pending alerts in the window.
 */
export function siteLedger(store: AlertStore, q: LedgerQuery): SiteLedgerRow[] {
  const sites = new Map<string, Site>();
  for (const s of store.storedSites()) sites.set(s.id, s);
  // The file read now says what a site is today; the store, what it was when last written.
  for (const s of q.sites ?? []) sites.set(s.id, s);
  const rows = new Map<string, SiteLedgerRow>();
  const rowOf = (siteId: string): SiteLedgerRow => {
    let row = rows.get(siteId);
    if (!row) {
      const site = sites.get(siteId);
      row = {
        siteId,
        siteName: site?.name ?? siteId,
        contractor: site?.contractor ?? null,
        risk: site?.riskLevel ?? null,
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
      };
      rows.set(siteId, row);
    }
    return row;
  };
  for (const s of q.sites ?? []) rowOf(s.id);

  for (const c of store.siteAlertCounts(q.untilUs - q.windowS * US_PER_S, q.untilUs)) {
    const row = rowOf(c.siteId);
    row[c.state] += c.alerts;
    if (c.state === 'dismissed') continue;
    if (c.state === 'confirmed') row.windowConfirmed += c.inWindow;
    else row.windowPending += c.inWindow;
    row.lastAlertUs = Math.max(row.lastAlertUs ?? c.lastSeenUs, c.lastSeenUs);
  }
  for (const [siteId, patrols] of sitePatrols(store, [...sites.values()], { untilUs: q.untilUs })) {
    const row = rowOf(siteId);
    row.patrols = patrols.length;
    row.lastPatrolUs = patrols.at(-1)?.startedUs ?? null;
  }
  for (const row of rows.values()) {
    row.flagged = row.windowConfirmed >= q.confirmedAlerts;
    row.reviewNeeded = !row.flagged && row.windowConfirmed + row.windowPending >= q.confirmedAlerts;
  }
  return [...rows.values()].sort(
    (a, b) =>
      Number(b.flagged) - Number(a.flagged) ||
      b.windowConfirmed - a.windowConfirmed ||
      b.windowPending - a.windowPending ||
      b.confirmed + b.pending - (a.confirmed + a.pending) ||
      a.siteId.localeCompare(b.siteId),
  );
}

/** The ledger's rows added up per contractor (sites with none under null, last); most confirmed first. */
export function contractorLedger(rows: readonly SiteLedgerRow[]): ContractorLedgerRow[] {
  const byName = new Map<string, ContractorLedgerRow>();
  for (const r of rows) {
    // Names differing only in case are one contractor, as the alert filters take them.
    const key = r.contractor?.toLowerCase() ?? '';
    let c = byName.get(key);
    if (!c) {
      c = {
        contractor: r.contractor,
        sites: 0,
        flaggedSites: 0,
        patrols: 0,
        confirmed: 0,
        pending: 0,
        dismissed: 0,
        windowConfirmed: 0,
        lastAlertUs: null,
      };
      byName.set(key, c);
    }
    c.sites++;
    if (r.flagged) c.flaggedSites++;
    c.patrols += r.patrols;
    c.confirmed += r.confirmed;
    c.pending += r.pending;
    c.dismissed += r.dismissed;
    c.windowConfirmed += r.windowConfirmed;
    if (r.lastAlertUs !== null) c.lastAlertUs = Math.max(c.lastAlertUs ?? r.lastAlertUs, r.lastAlertUs);
  }
  return [...byName.values()].sort(
    (a, b) =>
      (a.contractor === null ? 1 : 0) - (b.contractor === null ? 1 : 0) ||
      b.flaggedSites - a.flaggedSites ||
      b.windowConfirmed - a.windowConfirmed ||
      b.confirmed - a.confirmed ||
      (a.contractor ?? '').localeCompare(b.contractor ?? ''),
  );
}

/**
 * The patrols that covered each site, started within [sinceUs, untilUs], oldest first: those whose
 * records show them there (patrol-coverage.ts) and every flight that raised or saw again an alert at
 * the site (a replayed flight has no record), each with the alerts it found there by review state.
 */
export function sitePatrols(
  store: AlertStore,
  sites: readonly Site[],
  range: { sinceUs?: number; untilUs: number },
): Map<string, SitePatrol[]> {
  const locator = new SiteLocator(sites);
  const records = store.listPatrols(range.untilUs);
  const reached = reachedSeqs(records);
  const recordOf = new Map(records.map((r) => [r.flightId, r]));
  const bySite = new Map<string, Map<string, SitePatrol>>();
  const add = (siteId: string, patrol: SitePatrol): SitePatrol => {
    let flights = bySite.get(siteId);
    if (!flights) {
      flights = new Map();
      bySite.set(siteId, flights);
    }
    const known = flights.get(patrol.flightId);
    if (known) return known;
    flights.set(patrol.flightId, patrol);
    return patrol;
  };
  const noAlerts = (): Record<ReviewState, number> => ({ pending: 0, confirmed: 0, dismissed: 0 });
  const fromRecord = (r: (typeof records)[number]): SitePatrol => ({
    flightId: r.flightId,
    vehicleId: r.vehicleId,
    planName: r.planName,
    startedUs: r.startedUs,
    endedUs: r.endedUs,
    outcome: r.outcome,
    alerts: noAlerts(),
  });
  for (const r of records) {
    for (const siteId of sitesCoveredBy(r, reached.get(r) ?? 0, locator)) add(siteId, fromRecord(r));
  }
  for (const f of store.siteFlightAlerts()) {
    const record = recordOf.get(f.flightId);
    const patrol = add(
      f.siteId,
      record
        ? fromRecord(record)
        : {
            flightId: f.flightId,
            vehicleId: null,
            planName: null,
            startedUs: f.startedUs,
            endedUs: f.endedUs,
            outcome: null,
            alerts: noAlerts(),
          },
    );
    patrol.alerts[f.state] += f.alerts;
  }
  const result = new Map<string, SitePatrol[]>();
  for (const [siteId, flights] of bySite) {
    const within = [...flights.values()]
      .filter(
        (p) => p.startedUs <= range.untilUs && (range.sinceUs === undefined || p.startedUs >= range.sinceUs),
      )
      .sort((a, b) => a.startedUs - b.startedUs || a.flightId.localeCompare(b.flightId));
    if (within.length > 0) result.set(siteId, within);
  }
  return result;
}
