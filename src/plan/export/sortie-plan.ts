import type { SiteRegistry } from '../../sites/index.js';
import { fromMissionItems, type MissionPlan } from '../formats/mission-plan.js';
import type { PlanSettings, Sortie } from '../types.js';
import { launchRallyPoints, sortieGeoFence } from './geofence.js';
import { buildSortieItems } from './mission-builder.js';

/** MAV_TYPE_QUADROTOR, the type QGroundControl files carry for ArduPilot Copter. */
const MAV_TYPE_QUADROTOR = 2;

/**
 * A sortie as a mission plan, ready for writeQgcPlan / writeWaypoints: the mission items, the
 * geofence (operating area, no-fly zones) and the launch points as rally points.
 */
export function sortieMissionPlan(
  sortie: Sortie,
  registry: Pick<SiteRegistry, 'noFlyZones' | 'operatingArea' | 'launchPoints'>,
  settings: PlanSettings,
  source: string,
): MissionPlan {
  const plan = fromMissionItems(buildSortieItems(sortie, settings), 'ardupilot', source);
  return {
    ...plan,
    vehicleType: MAV_TYPE_QUADROTOR,
    cruiseSpeedMs: settings.cruiseSpeedMs,
    hoverSpeedMs: settings.cruiseSpeedMs,
    fence: sortieGeoFence(registry, [sortie.launch, ...sortie.waypoints]),
    rally: launchRallyPoints(registry, settings.transitAltitudeRelM),
  };
}
