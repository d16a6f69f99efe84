import os from 'node:os';
import path from 'node:path';
import {
  type Alert,
  type AlertFilter,
  type AlertStore,
  checkReviewerName,
  contractorLedger,
  formatUtcUs,
  isoUtcUs,
  type LedgerQuery,
  openAlertStore,
  parseAlertRef,
  type Review,
  recordReview,
  reviewInputOf,
  type SiteLedgerRow,
  siteLedger,
  writeAlertsCsv,
  writeAlertsGeoJson,
  writeAlertsKml,
  writeFileAtomic,
  writeReviewDataset,
} from '../alerts/index.js';
import { UserError } from '../errors.js';
import { loadSiteFiles } from '../sites/index.js';
import {
  type DatasetOptions,
  type DbOptions,
  type ExportOptions,
  type FilterOptions,
  type LedgerOptions,
  type ListOptions,
  type ReviewOptions,
  S_PER_DAY,
  type ShowOptions,
  type SitesLedgerOptions,
  US_PER_MS,
} from './alerts.js';
import { DEFAULT_DB } from './options.js';
import { table } from './output.js';

export function listAlerts(opts: ListOptions): Promise<void> {
  return withStore(opts, (store) => {
    const list = store.listAlerts(filterOf(opts));
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(list.map(jsonOf))}\n`);
      return;
    }
    if (list.length === 0) {
      process.stdout.write('no alerts match\n');
      return;
    }
    const rows = list.map((a) => [
      a.code,
      a.siteId ?? 'no site',
      a.contractor ?? '—',
      formatUtcUs(a.firstSeenUs).replace(' UTC', ''),
      a.frames,
      a.severity,
      `${a.latDeg.toFixed(5)}, ${a.lonDeg.toFixed(5)}`,
      `±${a.uncertaintyM.toFixed(0)}`,
      reviewWord(a),
    ]);
    const header = [
      'id',
      'site',
      'contractor',
      'first seen UTC',
      'frames',
      'severity',
      'lat, lon',
      '±m',
      'review',
    ];
    process.stdout.write(`${table(header, rows)}\n${plural(list.length, 'alert')}\n`);
  });
}

export function showAlert(ref: string, opts: ShowOptions): Promise<void> {
  return withStore(opts, (store) => {
    const id = parseAlertRef(ref);
    if (id === null) throw new UserError(`'${ref}' is not an alert id (expected A-000123 or 123)`);
    const alert = store.getAlert(id);
    const evidenceJpeg = store.evidenceJpeg(id);
    if (!alert || !evidenceJpeg) throw new UserError(`${ref}: no such alert in ${store.file}`);
    if (opts.snapshot) writeFileAtomic(opts.snapshot, evidenceJpeg);
    const reviews = store.reviewsOf(id);
    if (opts.json) {
      const out = { ...jsonOf(alert), evidenceBytes: evidenceJpeg.length, reviews: reviews.map(reviewJson) };
      process.stdout.write(`${JSON.stringify(out)}\n`);
    } else {
      process.stdout.write(formatAlert(alert, evidenceJpeg.length));
      if (reviews.length > 0) {
        process.stdout.write(
          `\nreview history, oldest first:\n${reviews.map((r) => `  ${reviewLine(r)}`).join('\n')}\n`,
        );
      }
    }
    if (opts.snapshot && !opts.json) process.stdout.write(`evidence written to ${opts.snapshot}\n`);
  });
}

export function exportAlerts(opts: ExportOptions): Promise<void> {
  return withStore(opts, (store) => {
    const list = store.listAlerts(filterOf(opts));
    let extra = '';
    if (opts.format === 'geojson') writeAlertsGeoJson(opts.out, list);
    else if (opts.format === 'csv') writeAlertsCsv(opts.out, list);
    else {
      const kml = writeAlertsKml(opts.out, list, (a) => store.evidenceJpeg(a.id));
      extra = ` (snapshots in ${kml.snapshotsDir}${path.sep})`;
    }
    process.stdout.write(`wrote ${plural(list.length, 'alert')} to ${opts.out}${extra}\n`);
  });
}

export function reviewAlert(ref: string, opts: ReviewOptions): Promise<void> {
  const id = parseAlertRef(ref);
  if (id === null) throw new UserError(`'${ref}' is not an alert id (expected A-000123 or 123)`);
  const input = reviewInputOf(
    { verdict: opts.confirm ? 'confirmed' : 'dismissed', reason: opts.dismiss, note: opts.note },
    (field) => ({ verdict: '--confirm or --dismiss', reason: '--dismiss', note: '--note' })[field],
  );
  const reviewer = checkReviewerName(opts.by ?? localUserName(), '--by');
  return withStore(
    opts,
    (store) => {
      const { review, alert, superseded } = recordReview(
        store,
        id,
        input,
        { reviewer, role: null, via: 'cli' },
        Date.now() * US_PER_MS,
      );
      if (opts.json) {
        const out = {
          review: reviewJson(review),
          alert: jsonOf(alert),
          superseded: superseded && reviewJson(superseded),
        };
        process.stdout.write(`${JSON.stringify(out)}\n`);
        return;
      }
      const before = superseded
        ? `; supersedes ${superseded.verdict} by ${superseded.reviewer}, ${formatUtcUs(superseded.createdUs)}`
        : '';
      process.stdout.write(`${alert.code} ${verdictText(review)} by ${review.reviewer}${before}\n`);
    },
    { write: true },
  );
}

export function writeDataset(opts: DatasetOptions): Promise<void> {
  return withStore(opts, (store) => {
    const summary = writeReviewDataset(store, opts.out, filterOf(opts));
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(summary)}\n`);
      return;
    }
    const reasons = Object.entries(summary.negativesByReason)
      .map(([reason, n]) => `${n} ${reason}`)
      .join(', ');
    process.stdout.write(
      `wrote ${plural(summary.plumes, 'plume')} and ${plural(summary.negatives, 'hard negative')}` +
        `${reasons ? ` (${reasons})` : ''} to ${summary.index}\n`,
    );
  });
}

export async function showLedger(opts: SitesLedgerOptions): Promise<void> {
  const query = await ledgerQuery(opts);
  return withStore(opts, (store) => {
    noteLaterAlerts(store, query.untilUs, opts.until !== undefined);
    const ledger = siteLedger(store, query);
    const history = store.siteHistory(opts.period, { untilUs: query.untilUs });
    const flagged = ledger.filter((r) => r.flagged);
    const toReview = ledger.filter((r) => r.reviewNeeded);
    if (opts.json) {
      const out = {
        ...ruleJson(opts, query),
        period: opts.period,
        sites: ledger,
        history,
        flagged: flagged.map((r) => r.siteId),
        reviewNeeded: toReview.map((r) => r.siteId),
      };
      process.stdout.write(`${JSON.stringify(out)}\n`);
      return;
    }
    if (ledger.length === 0 && history.length === 0) {
      process.stdout.write('no alerts and no patrols\n');
      return;
    }
    const ledgerRows = ledger.map((r) => [
      r.siteId,
      r.siteName,
      r.contractor ?? '—',
      r.risk ?? '—',
      r.patrols,
      utcOrDash(r.lastPatrolUs),
      r.confirmed,
      r.pending,
      r.dismissed,
      r.windowConfirmed,
      utcOrDash(r.lastAlertUs),
      flagWord(r),
    ]);
    const historyRows = history.map((r) => [r.siteId ?? 'no site', r.period, r.alerts, r.high]);
    const header = [
      'site',
      'name',
      'contractor',
      'risk',
      'patrols',
      'last patrol UTC',
      'confirmed',
      'pending',
      'dismissed',
      'in window',
      'last alert UTC',
      'flag',
    ];
    process.stdout.write(
      `${table(header, ledgerRows)}\n\n` +
        `${table(['site', opts.period, 'alerts', 'high'], historyRows)}\n\n${flagLines(opts, query, flagged, toReview)}\n`,
    );
  });
}

export async function showContractors(opts: LedgerOptions): Promise<void> {
  const query = await ledgerQuery(opts);
  return withStore(opts, (store) => {
    noteLaterAlerts(store, query.untilUs, opts.until !== undefined);
    const contractors = contractorLedger(siteLedger(store, query));
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ ...ruleJson(opts, query), contractors })}\n`);
      return;
    }
    if (contractors.length === 0) {
      process.stdout.write('no alerts and no patrols\n');
      return;
    }
    const rows = contractors.map((c) => [
      c.contractor ?? 'no contractor',
      c.sites,
      c.flaggedSites,
      c.patrols,
      c.confirmed,
      c.pending,
      c.dismissed,
      c.windowConfirmed,
      utcOrDash(c.lastAlertUs),
    ]);
    const header = [
      'contractor',
      'sites',
      'flagged',
      'patrols',
      'confirmed',
      'pending',
      'dismissed',
      'in window',
      'last alert UTC',
    ];
    process.stdout.write(`${table(header, rows)}\n\n${ruleLine(opts, query)}\n`);
  });
}

/**
 * Says on stderr how many stored alerts are first seen after the end the user did not choose (now):
 * alert times are the vehicle's clock, which may run ahead of this machine's (the simulator's speed-up
 * does), and such alerts would otherwise be left out without a word.
 */
export function noteLaterAlerts(store: AlertStore, untilUs: number, chosen: boolean): void {
  if (chosen) return;
  const later = store.listAlerts({ sinceUs: untilUs + 1 }).length;
  if (later === 0) return;
  process.stderr.write(
    `note: ${plural(later, 'alert')} first seen after now (${formatUtcUs(untilUs)}, by the vehicle's clock) ` +
      'not counted; give --until to take them in\n',
  );
}

async function ledgerQuery(opts: LedgerOptions): Promise<LedgerQuery> {
  const sites = opts.sites ? (await loadSiteFiles(opts.sites)).sites : undefined;
  return {
    confirmedAlerts: opts.threshold,
    windowS: opts.windowDays * S_PER_DAY,
    untilUs: opts.until ?? Date.now() * US_PER_MS,
    sites,
  };
}

function ruleJson(opts: LedgerOptions, q: LedgerQuery) {
  return { threshold: opts.threshold, windowDays: opts.windowDays, untilUtc: isoUtcUs(q.untilUs) };
}

function ruleLine(opts: LedgerOptions, q: LedgerQuery): string {
  const days = `${opts.windowDays} day${opts.windowDays === 1 ? '' : 's'}`;
  return `blacklist rule: ${opts.threshold} or more confirmed alerts in the ${days} to ${formatUtcUs(q.untilUs)}`;
}

function flagLines(
  opts: LedgerOptions,
  q: LedgerQuery,
  flagged: SiteLedgerRow[],
  toReview: SiteLedgerRow[],
): string {
  const name = (r: SiteLedgerRow) => `${r.siteId} ${r.siteName} (${r.contractor ?? 'no contractor'})`;
  const lines = [
    `${ruleLine(opts, q)}: ${flagged.length === 0 ? 'no site flagged' : `flagged ${flagged.map(name).join('; ')}`}`,
  ];
  if (toReview.length > 0) {
    lines.push(`pending alerts could flag: ${toReview.map(name).join('; ')} (review them)`);
  }
  return lines.join('\n');
}

function flagWord(r: SiteLedgerRow): string {
  if (r.flagged) return 'FLAGGED';
  return r.reviewNeeded ? 'review pending' : '';
}

function utcOrDash(us: number | null): string {
  return us === null ? '—' : formatUtcUs(us).replace(' UTC', '');
}

/** The OS user the CLI acts as when not told `--by`. */
function localUserName(): string {
  let name: string | undefined;
  try {
    name = os.userInfo().username;
  } catch {
    // No user database entry for this uid (a container): the environment may still say.
    name = process.env.USER ?? process.env.LOGNAME;
  }
  if (!name) throw new UserError('--by: cannot tell who you are from the OS; give --by NAME');
  return name;
}

function verdictText(r: Pick<Review, 'verdict' | 'reason'>): string {
  return r.verdict === 'confirmed' ? 'confirmed as dust' : `dismissed: ${r.reason}`;
}

function reviewWord(a: Alert): string {
  return a.review?.verdict === 'dismissed' ? `dismissed: ${a.review.reason}` : a.reviewState;
}

function reviewLine(r: Review): string {
  const who = `${r.reviewer}${r.role ? ` (${r.role})` : ''} via ${r.via}`;
  return `${formatUtcUs(r.createdUs)}  ${verdictText(r)}  by ${who}${r.note ? `: ${r.note}` : ''}`;
}

function reviewJson(r: Review) {
  return { ...r, createdUtc: isoUtcUs(r.createdUs) };
}

/**
 * Opens the existing database (never creating one) for reading, or with `write` for writing (a review),
 * runs `fn`, closes it.
 */
async function withStore(
  opts: DbOptions,
  fn: (store: AlertStore) => void | Promise<void>,
  { write = false } = {},
): Promise<void> {
  const store = openAlertStore(opts.db ?? DEFAULT_DB, write ? { mustExist: true } : { readOnly: true });
  try {
    await fn(store);
  } finally {
    store.close();
  }
}

function filterOf(opts: FilterOptions & { state?: Alert['reviewState'] }): AlertFilter {
  if (opts.since !== undefined && opts.until !== undefined && opts.since > opts.until) {
    throw new UserError(`--since ${isoUtcUs(opts.since)} is after --until ${isoUtcUs(opts.until)}`);
  }
  return {
    siteId: opts.site,
    contractor: opts.contractor,
    sinceUs: opts.since,
    untilUs: opts.until,
    flightId: opts.flight,
    reviewStates: opts.state === undefined ? undefined : [opts.state],
  };
}

function jsonOf(a: Alert) {
  return { ...a, firstSeenUtc: isoUtcUs(a.firstSeenUs), lastSeenUtc: isoUtcUs(a.lastSeenUs) };
}

function formatAlert(a: Alert, evidenceBytes: number): string {
  const rows: [string, string | number][] = [
    ['alert', a.code],
    ['site', a.siteId === null ? 'no site' : `${a.siteId} ${a.siteName ?? ''}`.trim()],
    ['contractor', a.contractor ?? '—'],
    [
      'site distance',
      a.siteDistanceM === null
        ? '—'
        : a.siteDistanceM === 0
          ? 'inside'
          : `${a.siteDistanceM.toFixed(1)} m outside`,
    ],
    ['severity', a.severity],
    ['first seen', formatUtcUs(a.firstSeenUs)],
    ['last seen', formatUtcUs(a.lastSeenUs)],
    ['frames', a.frames],
    ['sightings', a.sightings],
    ['position', `${a.latDeg.toFixed(6)}, ${a.lonDeg.toFixed(6)} ±${a.uncertaintyM.toFixed(1)} m`],
    ['area', a.areaM2 === null ? 'unknown' : `${a.areaM2.toFixed(0)} m²`],
    ['score', `mean ${a.meanScore.toFixed(2)}, peak ${a.peakScore.toFixed(2)}`],
    [
      'drone',
      `${a.pose.latDeg.toFixed(6)}, ${a.pose.lonDeg.toFixed(6)} at ${a.pose.altRelM.toFixed(1)} m rel, ` +
        `heading ${a.pose.headingDeg.toFixed(0)}°, gimbal ${a.pose.gimbalPitchDeg.toFixed(0)}°`,
    ],
    ['flight', a.flightId],
    [
      'review',
      a.review
        ? `${verdictText(a.review)} by ${a.review.reviewer}, ${formatUtcUs(a.review.createdUs)}`
        : 'pending',
    ],
    ['caption', a.caption],
    ['evidence', `JPEG, ${evidenceBytes} bytes`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return `${rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n')}\n`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
