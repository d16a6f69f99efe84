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
