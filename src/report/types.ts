import type { Alert, BlacklistRule, SiteLedgerRow, SitePatrol } from '../alerts/index.js';
import type { Site } from '../sites/index.js';

/** Whom a report is about: a contractor (all its sites) or one site. */
export type ReportSubject = { contractor: string } | { siteId: string };

/** A confirmed alert as the report prints it, with its evidence picture. */
export interface ReportAlert {
  alert: Alert;
  evidenceJpeg: Buffer;
}

/** A patrol over a site that raised no confirmed or pending alert there. */
export interface QuietPatrol {
  site: Site;
  patrol: SitePatrol;
}

/** One of the report's sites: its ledger row (the rule at `untilUs`) and its period's counts. */
export interface ReportSiteRow {
  site: Site;
  ledger: SiteLedgerRow;
  /** Patrols that covered it in the period. */
  patrols: number;
  /** Its alerts first seen in the period, by review state. */
  confirmed: number;
  pending: number;
  dismissed: number;
}

/** Everything a report shows, gathered from the store. */
export interface ReportData {
  /** `Contractor Acme Build` or `Site S-1 North block`. */
  title: string;
  subject: ReportSubject;
  sinceUs: number | null;
  untilUs: number;
  generatedUs: number;
  storeFile: string;
  rule: BlacklistRule;
  sites: Site[];
  /** Per site, by id. */
  siteRows: ReportSiteRow[];
  confirmed: ReportAlert[];
  /** Alerts in the period by review state, at the report's sites. */
  pending: Alert[];
  dismissed: Alert[];
  quietPatrols: QuietPatrol[];
}
