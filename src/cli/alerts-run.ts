import path from 'node:path';
import {
  type Alert,
  type AlertFilter,
  type AlertStore,
  formatUtcUs,
  isoUtcUs,
  openAlertStore,
  parseAlertRef,
  writeAlertsCsv,
  writeAlertsGeoJson,
  writeAlertsKml,
  writeFileAtomic,
} from '../alerts/index.js';
import { UserError } from '../errors.js';
import {
  type DbOptions,
  type ExportOptions,
  type FilterOptions,
  type LedgerOptions,
  type ListOptions,
  S_PER_DAY,
  type ShowOptions,
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
    ]);
    const header = ['id', 'site', 'contractor', 'first seen UTC', 'frames', 'severity', 'lat, lon', '±m'];
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
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ ...jsonOf(alert), evidenceBytes: evidenceJpeg.length })}\n`);
    } else {
      process.stdout.write(formatAlert(alert, evidenceJpeg.length));
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

export function showLedger(opts: LedgerOptions): Promise<void> {
  return withStore(opts, (store) => {
    const untilUs = opts.until ?? Date.now() * US_PER_MS;
    const query = { threshold: opts.threshold, windowS: opts.windowDays * S_PER_DAY, untilUs };
    const ledger = store.siteLedger(query);
    const history = store.siteHistory(opts.period, { untilUs });
    const flagged = ledger.filter((r) => r.flagged);
    if (opts.json) {
      const out = {
        period: opts.period,
        threshold: opts.threshold,
        windowDays: opts.windowDays,
        untilUtc: isoUtcUs(untilUs),
        sites: ledger,
        history,
        flagged: flagged.map((r) => r.siteId),
      };
      process.stdout.write(`${JSON.stringify(out)}\n`);
      return;
    }
    if (ledger.length === 0 && history.length === 0) {
      process.stdout.write('no alerts\n');
      return;
    }
    const windowText = `${opts.windowDays} day${opts.windowDays === 1 ? '' : 's'} to ${formatUtcUs(untilUs)}`;
    const ledgerRows = ledger.map((r) => [
      r.siteId,
      r.siteName,
      r.contractor ?? '—',
      r.totalAlerts,
      r.windowAlerts,
      r.lastAlertUs === null ? '—' : formatUtcUs(r.lastAlertUs).replace(' UTC', ''),
      r.flagged ? 'FLAGGED' : '',
    ]);
    const historyRows = history.map((r) => [r.siteId ?? 'no site', r.period, r.alerts, r.high]);
    const flagLine =
      flagged.length === 0
        ? `no site has ${opts.threshold} or more alerts in the ${windowText}`
        : `flagged (${opts.threshold} or more alerts in the ${windowText}): ` +
          flagged.map((r) => `${r.siteId} ${r.siteName} (${r.contractor ?? 'no contractor'})`).join('; ');
    process.stdout.write(
      `${table(['site', 'name', 'contractor', 'alerts', 'in window', 'last UTC', 'flag'], ledgerRows)}\n\n` +
        `${table(['site', opts.period, 'alerts', 'high'], historyRows)}\n\n${flagLine}\n`,
    );
  });
}

/** Opens the existing database for reading (never creating one, never writing it), runs `fn`, closes it. */
async function withStore(opts: DbOptions, fn: (store: AlertStore) => void | Promise<void>): Promise<void> {
  const store = openAlertStore(opts.db ?? DEFAULT_DB, { readOnly: true });
  try {
    await fn(store);
  } finally {
    store.close();
  }
}

function filterOf(opts: FilterOptions): AlertFilter {
  if (opts.since !== undefined && opts.until !== undefined && opts.since > opts.until) {
    throw new UserError(`--since ${isoUtcUs(opts.since)} is after --until ${isoUtcUs(opts.until)}`);
  }
  return {
    siteId: opts.site,
    contractor: opts.contractor,
    sinceUs: opts.since,
    untilUs: opts.until,
    flightId: opts.flight,
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
    ['caption', a.caption],
    ['evidence', `JPEG, ${evidenceBytes} bytes`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return `${rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n')}\n`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
