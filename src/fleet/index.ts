export { type FleetOptions, PatrolFleet, sitesGeoJson } from './fleet.js';
export { loadPatrolPlan, missionDigest, routeGeoJson, type SortiePlan, sortiePlanOf } from './patrol-plan.js';
export {
  type PatrolOutcome,
  type SessionContext,
  type VehicleLinkConfig,
  VehicleSession,
} from './vehicle-session.js';
