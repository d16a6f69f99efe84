import { isoUtcUs, openAlertStore } from '../alerts/index.js';
import { UserError } from '../errors.js';
import { writeReport } from '../report/index.js';
import { loadSiteFiles } from '../sites/index.js';
import { S_PER_DAY, US_PER_MS } from './alerts.js';
import { noteLaterAlerts } from './alerts-run.js';
import { DEFAULT_DB } from './options.js';
import type { ReportOptions } from './report.js';

export async function runReport(opts: ReportOptions): Promise<void> {
  const untilUs = opts.until ?? Date.now() * US_PER_MS;
  if (opts.since !== undefined && opts.since > untilUs) {
    throw new UserError(`--since ${isoUtcUs(opts.since)} is after --until ${isoUtcUs(untilUs)}`);
  }
  const sites = opts.sites ? (await loadSiteFiles(opts.sites)).sites : undefined;
  const store = openAlertStore(opts.db ?? DEFAULT_DB, { readOnly: true });
  try {
    noteLaterAlerts(store, untilUs, opts.until !== undefined);
    const written = await writeReport(
      store,
      {
        subject: opts.site !== undefined ? { siteId: opts.site } : { contractor: opts.contractor as string },
        sinceUs: opts.since,
        untilUs,
        rule: { confirmedAlerts: opts.threshold, windowS: opts.windowDays * S_PER_DAY },
        sites,
        nowUs: Date.now() * US_PER_MS,
      },
      opts.out,
      { chromiumPath: opts.chromium },
    );
    const d = written.data;
    const flagged = d.siteRows.filter((r) => r.ledger.flagged).map((r) => r.site.id);
    const summary = {
      file: written.file,
      format: written.format,
      bytes: written.bytes,
      pages: written.pages,
      sites: d.sites.length,
      confirmed: d.confirmed.length,
      pending: d.pending.length,
      dismissed: d.dismissed.length,
      quietPatrols: d.quietPatrols.length,
      flagged,
    };
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(summary)}\n`);
      return;
    }
    const pages = written.pages === null ? '' : `, ${written.pages} page${written.pages === 1 ? '' : 's'}`;
    process.stdout.write(
      `wrote ${d.title} report to ${written.file} (${written.format.toUpperCase()}, ${kib(written.bytes)}${pages}): ` +
        `${d.sites.length} site${d.sites.length === 1 ? '' : 's'}, ${d.confirmed.length} confirmed, ` +
        `${d.pending.length} pending, ${d.dismissed.length} dismissed, ` +
        `${d.quietPatrols.length} patrol${d.quietPatrols.length === 1 ? '' : 's'} that found nothing; ` +
        `${flagged.length === 0 ? 'no site breaks the rule' : `breaking the rule: ${flagged.join(', ')}`}\n`,
    );
  } finally {
    store.close();
  }
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KiB`;
}
