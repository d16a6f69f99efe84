export { type Attribution, SiteLocator } from './attribute.js';
export { alertCode, parseAlertRef } from './code.js';
export { DATASET_COLUMNS, type DatasetSummary, writeReviewDataset } from './dataset.js';
export { isSamePlume, mergeSighting } from './dedupe.js';
export { composeEvidence, evidenceCaption } from './evidence.js';
export { alertsToCsv, csvField, writeAlertsCsv } from './export-csv.js';
export type { AlertFields } from './export-fields.js';
export { alertsToGeoJson, writeAlertsGeoJson } from './export-geojson.js';
export { alertsToKml, type KmlExport, snapshotsDirFor, writeAlertsKml } from './export-kml.js';
export {
  type FootageCamera,
  FootageTable,
  type FootageView,
  type IndexedView,
  type Recording,
  type RecordingRef,
} from './footage.js';
export { type FootagePlace, type FootageQuery, type FootageRange, findFootage } from './footage-query.js';
export { HELD_EVIDENCE_IMAGES, type PreparedSighting, type StoreStatus } from './held-writes.js';
export { periodLabel } from './history.js';
export { contractorLedger, siteLedger, sitePatrols } from './ledger.js';
export { SCHEMA_VERSION } from './migrations.js';
export {
  checkReviewerName,
  type Reviewer,
  type ReviewResult,
  recordReview,
  reviewInputOf,
  reviewInputOfBody,
} from './review.js';
export {
  CONFIRM_REASON,
  DISMISS_REASONS,
  type DismissReason,
  REVIEW_NOTE_MAX_CHARS,
  REVIEW_STATES,
  REVIEW_VERDICTS,
  REVIEWER_NAME_MAX_CHARS,
  type ReviewReason,
  type ReviewState,
  type ReviewVerdict,
} from './review-terms.js';
export { type AlertRules, DEFAULT_ALERT_RULES } from './rules.js';
export {
  type AlertChange,
  type AlertListener,
  AlertService,
  type AlertServiceOptions,
  type HeldRaise,
  type HoldOptions,
  type RaiseResult,
  type ReviewListener,
  type StoreEvent,
} from './service.js';
export { severityOf } from './severity.js';
export {
  AlertStore,
  BUSY_TIMEOUT_MS,
  type OpenAlertStoreOptions,
  openAlertStore,
  removeAlertStore,
} from './store.js';
export { formatUtcUs, isoUtcUs } from './time.js';
export type {
  Alert,
  AlertFilter,
  AlertPose,
  BlacklistRule,
  ContractorLedgerRow,
  FlightRecord,
  HistoryPeriod,
  LedgerQuery,
  PatrolRecord,
  PlumeSighting,
  PlumeState,
  Review,
  ReviewInput,
  Severity,
  SiteHistoryRow,
  SiteLedgerRow,
  SitePatrol,
} from './types.js';
export { outputTarget, writeFileAtomic } from './write-file.js';
