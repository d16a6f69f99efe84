export { type Firmware, firmwareOf, flightModeName, isMissionMode, setModeParams } from './flight-modes.js';
export {
  type FlightListener,
  type FlightOptions,
  type FlightStage,
  type FlightSummary,
  flyMission,
} from './mission-flight.js';
export {
  type PreflightCheck,
  type PreflightOptions,
  runPreflightChecks,
  telemetryChecks,
} from './preflight.js';
export type { GeoPosition, StatusText, VehicleState } from './state.js';
export { Vehicle } from './vehicle.js';
