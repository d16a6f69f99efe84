export { sortieGeoJson } from './export/geojson.js';
export { sortieKml } from './export/kml.js';
export { buildSortieItems } from './export/mission-builder.js';
export { resumeMission } from './export/resume.js';
export {
  type PlanSummary,
  planSummary,
  type SortieFiles,
  type SortieSummary,
  SUMMARY_FILE,
  sortieName,
  writePlanFiles,
} from './export/sortie-files.js';
export { sortieMissionPlan } from './export/sortie-plan.js';
export { toFenceItems, toRallyItems } from './formats/fence-items.js';
export { loadMissionFile } from './formats/load.js';
export {
  type FenceCircle,
  type FencePolygon,
  fromMissionItems,
  type GeoFence,
  type HomePosition,
  type LatLon,
  type MissionPlan,
  type RallyPoint,
  toMissionItems,
} from './formats/mission-plan.js';
export { parseQgcPlan, type QgcPlanOriginal, writeQgcPlan } from './formats/qgc-plan.js';
export {
  parseWaypoints,
  type WaypointsOriginal,
  type WaypointsRow,
  writeWaypoints,
} from './formats/waypoints.js';
export { type PlanOptions, planPatrol } from './planner.js';
export { DEFAULT_PLAN_SETTINGS, planSettings } from './settings.js';
export { type DistanceBound, patrolLowerBound } from './tour/lower-bound.js';
export type { PatrolPlan, PlanSettings, SitePattern, SiteVisit, Sortie, Waypoint } from './types.js';
