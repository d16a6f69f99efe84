export { uploadWhenBooted, waitForBoot } from './boot-wait.js';
export { type Firmware, firmwareOf, flightModeName, isMissionMode, setModeParams } from './flight-modes.js';
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
export {
  type PatrolEnding,
  type PatrolFailsafe,
  type PatrolNotice,
  type PatrolNoticeKind,
  type PatrolProgress,
  type PatrolResult,
  type PatrolStatus,
  patrolStatus,
} from './patrol-status.js';
export {
  missionOnBoardDiffers,
  type PreflightCheck,
  type PreflightOptions,
  runPreflightChecks,
  telemetryChecks,
} from './preflight.js';
export { Sortie, type SortieEvents, type SortieOptions } from './sortie.js';
export {
  type AirState,
  type CommandContext,
  checkPilotCommand,
  type FinalState,
  IllegalTransitionError,
  type PilotCommand,
  SortieMachine,
  type SortieState,
} from './sortie-state.js';
export type { GeoPosition, StatusText, VehicleState } from './state.js';
export { Vehicle } from './vehicle.js';
