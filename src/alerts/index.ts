export { type Attribution, SiteLocator } from './attribute.js';
export { alertCode, parseAlertRef } from './code.js';
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
export { SCHEMA_VERSION } from './migrations.js';
export { type AlertRules, DEFAULT_ALERT_RULES } from './rules.js';
export {
  type AlertChange,
  type AlertListener,
  AlertService,
  type AlertServiceOptions,
  type HeldRaise,
  type HoldOptions,
  type RaiseResult,
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
  FlightRecord,
  HistoryPeriod,
  LedgerQuery,
  PatrolRecord,
  PlumeSighting,
  PlumeState,
  Severity,
  SiteHistoryRow,
  SiteLedgerRow,
} from './types.js';
export { writeFileAtomic } from './write-file.js';
