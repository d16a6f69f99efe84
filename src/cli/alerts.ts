import { type Command, InvalidArgumentError, Option } from 'commander';
import type { HistoryPeriod } from '../alerts/index.js';
import {
  DEFAULT_ALERT_RULES,
  DISMISS_REASONS,
  type DismissReason,
  REVIEW_STATES,
  type ReviewState,
} from '../alerts/light.js';
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

export type ListOptions = FilterOptions & { state?: ReviewState; json?: boolean };
export type ShowOptions = DbOptions & { snapshot?: string; json?: boolean };
export type ExportOptions = FilterOptions & {
  state?: ReviewState;
  format: (typeof EXPORT_FORMATS)[number];
  out: string;
};
export type DatasetOptions = FilterOptions & { out: string; json?: boolean };
export interface ReviewOptions extends DbOptions {
  confirm?: boolean;
  dismiss?: DismissReason;
  note?: string;
  by?: string;
  json?: boolean;
}
export interface LedgerOptions extends DbOptions {
  /** Site files whose every site is listed, with or without alerts. */
  sites?: string[];
  threshold: number;
  windowDays: number;
  until?: number;
  json?: boolean;
}
export type SitesLedgerOptions = LedgerOptions & { period: HistoryPeriod };

export function registerAlerts(program: Command): void {
  const alerts = program
    .command('alerts')
    .description(
      'Dust alerts in the alert database: list, show, review, export, the labelled set of reviewed ' +
        'alerts, and the per-site and per-contractor ledger',
    );

  withState(withFilters(alerts.command('list').description('List alerts, oldest first')))
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

  withDb(
    alerts
      .command('review')
      .description(
        "Confirm an alert as dust or dismiss it with what it was instead; kept in the alert's review " +
          'history with who and when (a later review supersedes, none is erased)',
      ),
  )
    .argument('<id>', 'alert id: A-000123 or 123')
    .addOption(new Option('--confirm', 'it is dust').conflicts('dismiss'))
    .addOption(new Option('--dismiss <reason>', 'it is not dust but this').choices(DISMISS_REASONS))
    .option('--note <text>', 'a free note kept with the review')
    .option('--by <name>', 'who reviews: the CLI acts as a named local user (default: your OS user name)')
    .option('--json', 'print the review and the alert as one JSON object, for machines')
    .action(async (ref: string, opts: ReviewOptions, command: Command) => {
      if (!opts.confirm && opts.dismiss === undefined) {
        command.error(`error: give --confirm or --dismiss <reason> (${DISMISS_REASONS.join(', ')})`);
      }
      const { reviewAlert } = await import('./alerts-run.js');
      await reviewAlert(ref, opts);
    });

  withState(
    withFilters(
      alerts.command('export').description('Export alerts as GeoJSON, KML (with snapshots) or CSV'),
    ),
  )
    .addOption(new Option('--format <format>', 'output format').choices(EXPORT_FORMATS).makeOptionMandatory())
    .requiredOption(
      '--out <file>',
      'output file; KML puts the snapshots in a folder beside it (NAME-snapshots/)',
    )
    .action(async (opts: ExportOptions) => {
      const { exportAlerts } = await import('./alerts-run.js');
      await exportAlerts(opts);
    });

  withFilters(
    alerts
      .command('dataset')
      .description(
        "The reviewed alerts' evidence frames as a labelled set for the detector's training: " +
          'DIR/images/ and DIR/index.csv (confirmed: plume, mask unknown; dismissed: neg, with its reason)',
      ),
  )
    .requiredOption('--out <dir>', 'folder to write the set to (created if missing; its parent must exist)')
    .option('--json', 'print what was written as one JSON object, for machines')
    .action(async (opts: DatasetOptions) => {
      const { writeDataset } = await import('./alerts-run.js');
      await writeDataset(opts);
    });

  withLedger(
    alerts
      .command('sites')
      .description(
        'The enforcement ledger per site (patrols, alerts by review state, last patrol), the alerts ' +
          'per period, and the sites the blacklist rule flags',
      ),
  )
    .addOption(new Option('--period <period>', 'history period').choices(PERIODS).default('week'))
    .action(async (opts: SitesLedgerOptions) => {
      const { showLedger } = await import('./alerts-run.js');
      await showLedger(opts);
    });

  withLedger(
    alerts
      .command('contractors')
      .description("The ledger per contractor, across all of a contractor's sites"),
  ).action(async (opts: LedgerOptions) => {
    const { showContractors } = await import('./alerts-run.js');
    await showContractors(opts);
  });
}

/** The blacklist rule's flags, shared with `report`. */
export function withBlacklistRule(command: Command): Command {
  return command
    .option(
      '--threshold <n>',
      'the blacklist rule: confirmed alerts within the window that flag a site',
      parseNumberIn(1, 1e6),
      DEFAULT_ALERT_RULES.flagThreshold,
    )
    .option(
      '--window-days <d>',
      "the blacklist rule's window, days back from --until",
      parseNumberIn(0.001, 36_500),
      DEFAULT_ALERT_RULES.flagWindowS / S_PER_DAY,
    );
}

function withLedger(command: Command): Command {
  return withBlacklistRule(withDb(command))
    .option(
      '--sites <file...>',
      'site files (GeoJSON, KML): list every site in them, those without alerts too',
    )
    .option(
      '--until <iso>',
      'end of the window, UTC (default: now; a date alone: the end of that day)',
      isoUntil,
    )
    .option('--json', 'print the ledger as one JSON object, for machines');
}

function withState(command: Command): Command {
  return command.addOption(
    new Option('--state <state>', 'only alerts in this review state').choices(REVIEW_STATES),
  );
}

export function withDb(command: Command): Command {
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
