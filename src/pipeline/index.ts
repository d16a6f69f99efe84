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
export { type AnalysedFrame, type ConfirmedPlume, detectVideo, type PlumeHandlers } from './detect-video.js';
export { type FleetOptions, PatrolFleet, sitesGeoJson } from './fleet.js';
export { type FlightTelemetry, loadFlightTelemetry } from './flight-telemetry.js';
export {
  LIVE_CONFIRMATION,
  LiveAnalytics,
  type LiveAnalyticsOptions,
  type LiveAnalyticsStats,
} from './live-analytics.js';
export { ArrivalClock, FrameClock } from './live-clock.js';
export { loadPatrolPlan, missionDigest, routeGeoJson, type SortiePlan, sortiePlanOf } from './patrol-plan.js';
export { type FramePoses, type Placing, placePlume, showsSource } from './place-plume.js';
export {
  DEFAULT_MAX_POSE_GAP_MS,
  flightIdOf,
  type ReplayOptions,
  type ReplayProgress,
  type ReplaySummary,
  replayFlight,
  type UntaggedPlume,
} from './replay.js';
export { toSighting } from './sighting.js';
export {
  type PatrolOutcome,
  type SessionContext,
  type VehicleLinkConfig,
  VehicleSession,
} from './vehicle-session.js';
