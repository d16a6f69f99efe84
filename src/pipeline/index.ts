export { type AnalysedFrame, type ConfirmedPlume, detectVideo } from './detect-video.js';
export { type FlightTelemetry, loadFlightTelemetry } from './flight-telemetry.js';
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
