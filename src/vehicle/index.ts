export { type Firmware, firmwareOf, flightModeName, isMissionMode, setModeParams } from './flight-modes.js';
export type { SortieClock } from './flight-stages.js';
export { fenceBreach } from './geofence-check.js';
export {
  describeArduPilotGcsFailsafe,
  describePx4DataLinkLoss,
  type LinkFailsafe,
  readLinkFailsafe,
} from './link-failsafe.js';
export {
  type FlightListener,
  type FlightOptions,
  type FlightStage,
  type FlightSummary,
  flyMission,
} from './mission-flight.js';
export { PatrolFlight, type PatrolFlightEvents, type PatrolOptions } from './patrol-flight.js';
export type {
  PatrolEnding,
  PatrolFailsafe,
  PatrolNotice,
  PatrolNoticeKind,
  PatrolProgress,
  PatrolResult,
  PatrolStatus,
} from './patrol-status.js';
export {
  missionOnBoardDiffers,
  type PreflightCheck,
  type PreflightOptions,
  runPreflightChecks,
  telemetryChecks,
} from './preflight.js';
export type { GeoPosition, StatusText, VehicleState } from './state.js';
export { Vehicle } from './vehicle.js';
