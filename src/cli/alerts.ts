import path from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import {
  type Alert,
  type AlertFilter,
  type AlertStore,
  DEFAULT_ALERT_RULES,
  formatUtcUs,
  type HistoryPeriod,
  isoUtcUs,
  openAlertStore,
  parseAlertRef,
  writeAlertsCsv,
  writeAlertsGeoJson,
  writeAlertsKml,
  writeFileAtomic,
} from '../alerts/index.js';
import { UserError } from '../errors.js';
import { DEFAULT_DB, parseNumberIn } from './options.js';
import { table } from './output.js';

const EXPORT_FORMATS = ['geojson', 'kml', 'csv'] as const;
const PERIODS: HistoryPeriod[] = ['day', 'week', 'month'];
const S_PER_DAY = 86_400;
const US_PER_MS = 1000;

interface DbOptions {
  db?: string;
}

interface FilterOptions extends DbOptions {
  site?: string;
  contractor?: string;
  since?: number;
  until?: number;
  flight?: string;
}

export function registerAlerts(program: Command): void {
  const alerts = program
    .command('alerts')
    .description('Dust alerts in the alert database: list, show, export, and the per-site ledger');

  withFilters(alerts.command('list').description('List alerts, oldest first'))
    .option('--json', 'print the alerts as one JSON array, for machines')
    .action((opts: FilterOptions & { json?: boolean }) =>
      withStore(opts, (store) => {
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
      }),
    );

  withDb(alerts.command('show').description("One alert's details; optionally write its evidence JPEG"))
    .argument('<id>', 'alert id: A-000123 or 123')
    .option('--snapshot <file>', 'write the evidence JPEG to this file')
    .option('--json', 'print the alert as one JSON object, for machines')
    .action((ref: string, opts: DbOptions & { snapshot?: string; json?: boolean }) =>
      withStore(opts, (store) => {
        const id = parseAlertRef(ref);
        if (id === null) throw new UserError(`'${ref}' is not an alert id (expected A-000123 or 123)`);
        const alert = store.getAlert(id);
        const evidenceJpeg = store.evidenceJpeg(id);
        if (!alert || !evidenceJpeg) throw new UserError(`${ref}: no such alert in ${store.file}`);
        if (opts.snapshot) writeFileAtomic(opts.snapshot, evidenceJpeg);
        if (opts.json) {
          process.stdout.write(
            `${JSON.stringify({ ...jsonOf(alert), evidenceBytes: evidenceJpeg.length })}\n`,
          );
        } else {
          process.stdout.write(formatAlert(alert, evidenceJpeg.length));
        }
        if (opts.snapshot && !opts.json) process.stdout.write(`evidence written to ${opts.snapshot}\n`);
      }),
    );

  withFilters(alerts.command('export').description('Export alerts as GeoJSON, KML (with snapshots) or CSV'))
    .addOption(new Option('--format <format>', 'output format').choices(EXPORT_FORMATS).makeOptionMandatory())
    .requiredOption(
      '--out <file>',
      'output file; KML puts the snapshots in a folder beside it (NAME-snapshots/)',
    )
    .action((opts: FilterOptions & { format: (typeof EXPORT_FORMATS)[number]; out: string }) =>
      withStore(opts, (store) => {
        const list = store.listAlerts(filterOf(opts));
        let extra = '';
        if (opts.format === 'geojson') writeAlertsGeoJson(opts.out, list);
        else if (opts.format === 'csv') writeAlertsCsv(opts.out, list);
        else {
          const kml = writeAlertsKml(opts.out, list, (a) => store.evidenceJpeg(a.id));
          extra = ` (snapshots in ${kml.snapshotsDir}${path.sep})`;
        }
        process.stdout.write(`wrote ${plural(list.length, 'alert')} to ${opts.out}${extra}\n`);
      }),
    );

  withDb(
    alerts.command('sites').description('Alerts per site per period, and sites flagged for the blacklist'),
  )
    .addOption(new Option('--period <period>', 'history period').choices(PERIODS).default('week'))
    .option(
      '--threshold <n>',
      'alerts within the window that flag a site',
      parseNumberIn(1, 1e6),
      DEFAULT_ALERT_RULES.flagThreshold,
    )
    .option(
      '--window-days <d>',
      'the window, days back from --until',
      parseNumberIn(0.001, 36_500),
      DEFAULT_ALERT_RULES.flagWindowS / S_PER_DAY,
    )
    .option(
      '--until <iso>',
      'end of the window, UTC (default: now; a date alone: the end of that day)',
      isoUntil,
    )
    .option('--json', 'print the ledger as one JSON object, for machines')
    .action(
      (
        opts: DbOptions & {
          period: HistoryPeriod;
          threshold: number;
          windowDays: number;
          until?: number;
          json?: boolean;
        },
      ) =>
        withStore(opts, (store) => {
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
                flagged
                  .map((r) => `${r.siteId} ${r.siteName} (${r.contractor ?? 'no contractor'})`)
                  .join('; ');
          process.stdout.write(
            `${table(['site', 'name', 'contractor', 'alerts', 'in window', 'last UTC', 'flag'], ledgerRows)}\n\n` +
              `${table(['site', opts.period, 'alerts', 'high'], historyRows)}\n\n${flagLine}\n`,
          );
        }),
    );
}

function withDb(command: Command): Command {
  return command.option('--db <path>', `alert database (default: ${DEFAULT_DB} in the current directory)`);
}

function withFilters(command: Command): Command {
  return withDb(command)
    .option('--site <id>', 'only alerts at this site')
    .option('--contractor <name>', "only alerts of this contractor's sites (case-insensitive)")
    .option(
      '--since <iso>',
      'only alerts first seen at or after this UTC time (2024-05-03 or 2024-05-03T08:00)',
      isoSince,
    )
    .option(
      '--until <iso>',
      'only alerts first seen at or before this UTC time (a date alone: the whole day)',
      isoUntil,
    )
    .option('--flight <id>', 'only alerts this flight raised or saw again');
}

/** Opens the existing database (never creating one), runs `fn`, closes it. */
async function withStore(opts: DbOptions, fn: (store: AlertStore) => void | Promise<void>): Promise<void> {
  const store = openAlertStore(opts.db ?? DEFAULT_DB, { mustExist: true });
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

const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** An ISO 8601 date or date-time in µs since the epoch; without a zone it is UTC. */
function parseIsoUs(value: string, endOfDay: boolean): number {
  const m = ISO_TIME.exec(value.trim());
  const bad = () =>
    new InvalidArgumentError(
      `expected an ISO 8601 UTC date or time (2024-05-03 or 2024-05-03T08:00Z), got '${value}'`,
    );
  if (!m) throw bad();
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac.slice(0, 4)}${zone}`);
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  const realDate =
    check.getUTCFullYear() === Number(y) &&
    check.getUTCMonth() === Number(mo) - 1 &&
    check.getUTCDate() === Number(d);
  if (!Number.isFinite(ms) || !realDate || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) throw bad();
  const us = ms * US_PER_MS;
  return endOfDay && m[4] === undefined ? us + S_PER_DAY * 1e6 - 1 : us;
}

function isoSince(value: string): number {
  return parseIsoUs(value, false);
}

function isoUntil(value: string): number {
  return parseIsoUs(value, true);
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
