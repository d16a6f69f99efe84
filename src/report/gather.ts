import { type Alert, type AlertStore, type BlacklistRule, siteLedger, sitePatrols } from '../alerts/index.js';
import { UserError } from '../errors.js';
import type { Site } from '../sites/index.js';
import type { QuietPatrol, ReportAlert, ReportData, ReportSiteRow, ReportSubject } from './types.js';

export interface ReportQuery {
  subject: ReportSubject;
  /** Alerts first seen and patrols started in [sinceUs, untilUs], µs since the epoch. */
  sinceUs?: number;
  untilUs: number;
  rule: BlacklistRule;
  /** Sites read from files now: they say what a site is today, and add sites the store never saw. */
  sites?: readonly Site[];
  /** When the report is made, µs since the epoch. */
  nowUs: number;
}

/** Gathers a report's facts from the store: its sites, their alerts by review state, patrols and the rule. */
export function gatherReport(store: AlertStore, q: ReportQuery): ReportData {
  const known = new Map<string, Site>();
  for (const s of store.storedSites()) known.set(s.id, s);
  for (const s of q.sites ?? []) known.set(s.id, s);
  const sites = subjectSites([...known.values()], q.subject, store.file);

  const alerts: Alert[] = sites
    .flatMap((s) => store.listAlerts({ siteId: s.id, sinceUs: q.sinceUs, untilUs: q.untilUs }))
    .sort((a, b) => a.firstSeenUs - b.firstSeenUs || a.id - b.id);
  const confirmed: ReportAlert[] = [];
  for (const alert of alerts.filter((a) => a.reviewState === 'confirmed')) {
    const evidenceJpeg = store.evidenceJpeg(alert.id);
    if (evidenceJpeg) confirmed.push({ alert, evidenceJpeg });
  }

  const ledger = new Map(
    siteLedger(store, { ...q.rule, untilUs: q.untilUs, sites }).map((r) => [r.siteId, r]),
  );
  // Coverage is judged against every known site, as the ledger judges it.
  const patrolsBySite = sitePatrols(store, [...known.values()], { sinceUs: q.sinceUs, untilUs: q.untilUs });
  const quietPatrols: QuietPatrol[] = [];
  const siteRows: ReportSiteRow[] = sites.map((site) => {
    const patrols = patrolsBySite.get(site.id) ?? [];
    for (const patrol of patrols) {
      if (patrol.alerts.confirmed + patrol.alerts.pending === 0) quietPatrols.push({ site, patrol });
    }
    const count = (state: Alert['reviewState']) =>
      alerts.filter((a) => a.siteId === site.id && a.reviewState === state).length;
    return {
      site,
      ledger: ledger.get(site.id) as ReportSiteRow['ledger'],
      patrols: patrols.length,
      confirmed: count('confirmed'),
      pending: count('pending'),
      dismissed: count('dismissed'),
    };
  });
  quietPatrols.sort((a, b) => a.patrol.startedUs - b.patrol.startedUs || a.site.id.localeCompare(b.site.id));

  const first = sites[0] as Site;
  return {
    title:
      'contractor' in q.subject
        ? `Contractor ${first.contractor ?? q.subject.contractor}`
        : `Site ${first.id} ${first.name}`,
    subject: q.subject,
    sinceUs: q.sinceUs ?? null,
    untilUs: q.untilUs,
    generatedUs: q.nowUs,
    storeFile: store.file,
    rule: q.rule,
    sites,
    siteRows,
    confirmed,
    pending: alerts.filter((a) => a.reviewState === 'pending'),
    dismissed: alerts.filter((a) => a.reviewState === 'dismissed'),
    quietPatrols,
  };
}

/** The subject's sites, by id; a UserError naming what is known when there is none. */
function subjectSites(all: Site[], subject: ReportSubject, storeFile: string): Site[] {
  if ('siteId' in subject) {
    const site = all.find((s) => s.id === subject.siteId);
    if (!site)
      throw new UserError(`no site ${subject.siteId} in ${storeFile} (or the site files given with --sites)`);
    return [site];
  }
  const wanted = subject.contractor.toLowerCase();
  const sites = all
    .filter((s) => s.contractor?.toLowerCase() === wanted)
    .sort((a, b) => a.id.localeCompare(b.id));
  if (sites.length === 0) {
    const names = [...new Set(all.map((s) => s.contractor).filter((c): c is string => c !== null))].sort();
    const shown = names.length > 8 ? `${names.slice(0, 8).join(', ')}, …` : names.join(', ');
    throw new UserError(
      `no site of contractor "${subject.contractor}" in ${storeFile} (or the site files given with --sites)` +
        (names.length > 0 ? `; contractors known: ${shown}` : ''),
    );
  }
  return sites;
}
