import { type Command, InvalidArgumentError, Option } from 'commander';
import type { HistoryPeriod } from '../alerts/index.js';
import { DEFAULT_ALERT_RULES } from '../alerts/light.js';
import { DEFAULT_DB, parseNumberIn } from './options.js';

const EXPORT_FORMATS = ['geojson', 'kml', 'csv'] as const;
const PERIODS: HistoryPeriod[] = ['day', 'week', 'month'];
export const S_PER_DAY = 86_400;
export const US_PER_MS = 1000;

export interface DbOptions {
  db?: string;
}

export interface FilterOptions extends DbOptions {
  site?: string;
  contractor?: string;
  since?: number;
  until?: number;
  flight?: string;
}

export type ListOptions = FilterOptions & { json?: boolean };
export type ShowOptions = DbOptions & { snapshot?: string; json?: boolean };
export type ExportOptions = FilterOptions & { format: (typeof EXPORT_FORMATS)[number]; out: string };
export interface LedgerOptions extends DbOptions {
  period: HistoryPeriod;
  threshold: number;
  windowDays: number;
  until?: number;
  json?: boolean;
}

export function registerAlerts(program: Command): void {
  const alerts = program
    .command('alerts')
    .description('Dust alerts in the alert database: list, show, export, and the per-site ledger');

  withFilters(alerts.command('list').description('List alerts, oldest first'))
    .option('--json', 'print the alerts as one JSON array, for machines')
    .action(async (opts: ListOptions) => {
      const { listAlerts } = await import('./alerts-run.js');
      await listAlerts(opts);
    });

  withDb(alerts.command('show').description("One alert's details; optionally write its evidence JPEG"))
    .argument('<id>', 'alert id: A-000123 or 123')
    .option('--snapshot <file>', 'write the evidence JPEG to this file')
    .option('--json', 'print the alert as one JSON object, for machines')
    .action(async (ref: string, opts: ShowOptions) => {
      const { showAlert } = await import('./alerts-run.js');
      await showAlert(ref, opts);
    });

  withFilters(alerts.command('export').description('Export alerts as GeoJSON, KML (with snapshots) or CSV'))
    .addOption(new Option('--format <format>', 'output format').choices(EXPORT_FORMATS).makeOptionMandatory())
    .requiredOption(
      '--out <file>',
      'output file; KML puts the snapshots in a folder beside it (NAME-snapshots/)',
    )
    .action(async (opts: ExportOptions) => {
      const { exportAlerts } = await import('./alerts-run.js');
      await exportAlerts(opts);
    });

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
    .action(async (opts: LedgerOptions) => {
      const { showLedger } = await import('./alerts-run.js');
      await showLedger(opts);
    });
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

export function isoSince(value: string): number {
  return parseIsoUs(value, false);
}

export function isoUntil(value: string): number {
  return parseIsoUs(value, true);
}
