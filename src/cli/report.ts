import { type Command, Option } from 'commander';
import { isoSince, isoUntil, withBlacklistRule, withDb } from './alerts.js';

export interface ReportOptions {
  db?: string;
  contractor?: string;
  site?: string;
  since?: number;
  until?: number;
  out: string;
  sites?: string[];
  threshold: number;
  windowDays: number;
  chromium?: string;
  json?: boolean;
}

export function registerReport(program: Command): void {
  withBlacklistRule(
    withDb(
      program
        .command('report')
        .description(
          'A printable enforcement report on a contractor or a site: the rule and where each site stands, ' +
            'a map of the sites and alerts, every confirmed alert with its evidence, time, place and ' +
            'uncertainty, and the patrols that found nothing (HTML, or PDF printed by headless Chromium)',
        ),
    ),
  )
    .addOption(
      new Option('--contractor <name>', "all of this contractor's sites (case-insensitive)").conflicts(
        'site',
      ),
    )
    .option('--site <id>', 'this one site')
    .option('--since <iso>', 'alerts first seen and patrols started at or after this UTC time', isoSince)
    .option(
      '--until <iso>',
      'and at or before this one (default: now; a date alone: the whole day)',
      isoUntil,
    )
    .requiredOption('--out <file>', 'the report: FILE.html, or FILE.pdf printed by Chromium')
    .option('--sites <file...>', 'site files: what the sites are today, and sites the store never saw')
    .option('--chromium <path>', 'the Chromium that prints a PDF (default: /usr/bin/chromium)')
    .option('--json', 'print what was written as one JSON object, for machines')
    .action(async (opts: ReportOptions, command: Command) => {
      if (opts.contractor === undefined && opts.site === undefined) {
        command.error('error: give --contractor NAME or --site ID');
      }
      const { runReport } = await import('./report-run.js');
      await runReport(opts);
    });
}
