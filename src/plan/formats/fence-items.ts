import type { MissionItem } from '../../mavlink/index.js';
import type { GeoFence, RallyPoint } from './mission-plan.js';

/** MAV_CMD values of the fence and rally mission types (MAVLink common.xml). */
const FENCE_POLYGON_VERTEX_INCLUSION = 5001;
const FENCE_POLYGON_VERTEX_EXCLUSION = 5002;
const FENCE_CIRCLE_INCLUSION = 5003;
const FENCE_CIRCLE_EXCLUSION = 5004;
const RALLY_POINT = 5100;
const MAV_FRAME_GLOBAL = 0;
const MAV_FRAME_GLOBAL_RELATIVE_ALT = 3;

function item(command: number, frame: number, param1: number, x: number, y: number, z: number): MissionItem {
  return { command, frame, param1, param2: 0, param3: 0, param4: 0, x, y, z, autocontinue: true };
}

/**
 * The geofence as MAV_MISSION_TYPE_FENCE items: each polygon vertex carries its polygon's vertex count
 * in param1, circles their radius, as ArduPilot and PX4 expect.
 */
export function toFenceItems(fence: GeoFence): MissionItem[] {
  const polygons = fence.polygons.flatMap((polygon) =>
    polygon.vertices.map((v) =>
      item(
        polygon.inclusion ? FENCE_POLYGON_VERTEX_INCLUSION : FENCE_POLYGON_VERTEX_EXCLUSION,
        MAV_FRAME_GLOBAL,
        polygon.vertices.length,
        v.latDeg,
        v.lonDeg,
        0,
      ),
    ),
  );
  const circles = fence.circles.map((circle) =>
    item(
      circle.inclusion ? FENCE_CIRCLE_INCLUSION : FENCE_CIRCLE_EXCLUSION,
      MAV_FRAME_GLOBAL,
      circle.radiusM,
      circle.center.latDeg,
      circle.center.lonDeg,
      0,
    ),
  );
  return [...polygons, ...circles];
}

/** Rally points as MAV_MISSION_TYPE_RALLY items, altitude above home. */
export function toRallyItems(rally: RallyPoint[]): MissionItem[] {
  return rally.map((p) => item(RALLY_POINT, MAV_FRAME_GLOBAL_RELATIVE_ALT, 0, p.latDeg, p.lonDeg, p.altRelM));
}
