export {
  detectPhotos,
  type FolderTally,
  type PhotoInput,
  type PhotoResult,
  PhotoTally,
  photoInput,
  photoSnapshot,
  SnapshotNames,
} from './detect-photos.js';
export type { AnalysedFrame, ConfirmedPlume } from './detect-video.js';
export { flightIdAt } from './flight-id.js';
export { type FlightTelemetry, loadFlightTelemetry } from './flight-telemetry.js';
export { LiveAnalytics, type LiveAnalyticsOptions, type LiveAnalyticsStats } from './live-analytics.js';
export { ArrivalClock, FrameClock } from './live-clock.js';
export {
  analysePlumes,
  type PlumePipelineOptions,
  type PlumePlacing,
  type UnplacedPlume,
} from './plume-pipeline.js';
export { PLUME_POLICY, type PlumePolicy } from './policy.js';
export { finishRecordings, nextRecordingFile } from './recordings.js';
export {
  flightIdOf,
  type ReplayOptions,
  type ReplayProgress,
  type ReplaySummary,
  replayFlight,
} from './replay.js';
