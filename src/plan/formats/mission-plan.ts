import { UserError } from '../../errors.js';
import { isGlobalFrame, type MissionItem } from '../../mavlink/index.js';
import type { QgcPlanOriginal } from './qgc-plan.js';
import type { WaypointsOriginal } from './waypoints.js';

export interface LatLon {
  latDeg: number;
  lonDeg: number;
}

export interface HomePosition extends LatLon {
  altAmslM: number;
}

/** A geofence polygon: the vehicle must stay inside (inclusion) or outside it. */
export interface FencePolygon {
  inclusion: boolean;
  vertices: LatLon[];
}

export interface FenceCircle {
  inclusion: boolean;
  center: LatLon;
  radiusM: number;
}

export interface GeoFence {
  polygons: FencePolygon[];
  circles: FenceCircle[];
}

/** A rally (safe) point; QGroundControl stores its altitude above home. */
export interface RallyPoint extends LatLon {
  altRelM: number;
}

/**
 * A mission as dustpatrol holds it, whatever file it came from: home, the items flown after
 * home (complex items already flattened), the geofence and rally points.
 */
export interface MissionPlan {
  /** Where it came from: a file path, or e.g. 'vehicle'. Error messages start with it. */
  source: string;
  home: HomePosition | null;
  /** What the vehicle flies after home, in order. */
  items: MissionItem[];
  /** MAV_AUTOPILOT the plan was made for; null when the file does not say. */
  firmwareType: number | null;
  /** MAV_TYPE the plan was made for; null when the file does not say. */
  vehicleType: number | null;
  cruiseSpeedMs: number | null;
  hoverSpeedMs: number | null;
  fence: GeoFence;
  rally: RallyPoint[];
  /** What the file held beyond this model, so writing it back in its own format loses nothing. */
  original: QgcPlanOriginal | WaypointsOriginal | null;
}

/** MAV_CMD_NAV_WAYPOINT, the command ArduPilot's home item carries. */
const MAV_CMD_NAV_WAYPOINT = 16;
/** MAV_FRAME_GLOBAL: altitude above mean sea level. */
const MAV_FRAME_GLOBAL = 0;
const MAV_AUTOPILOT_GENERIC = 0;
const MAV_AUTOPILOT_ARDUPILOTMEGA = 3;
const MAV_AUTOPILOT_PX4 = 12;

/**
 * The list to upload to an ArduPilot vehicle: item 0 is home (ArduPilot overwrites it with its
 * own), then the plan's items. Refuses a plan without home, or with a position it cannot send.
 */
export function toMissionItems(plan: MissionPlan): MissionItem[] {
  if (!plan.home) {
    throw new UserError(`${plan.source}: no home position; ArduPilot missions start with home as item 0`);
  }
  plan.items.forEach((item, i) => {
    if (!isGlobalFrame(item.frame)) return;
    const missing = (['x', 'y', 'z'] as const).filter((axis) => !Number.isFinite(item[axis]));
    if (missing.length === 0) return;
    const names = missing.map((axis) => ({ x: 'latitude', y: 'longitude', z: 'altitude' })[axis]).join(', ');
    throw new UserError(
      `${plan.source}: item ${i + 1} (MAV_CMD ${item.command}, frame ${item.frame}) has no ${names}` +
        (missing.includes('z') ? ' (QGroundControl leaves it empty when it computes it from terrain)' : ''),
    );
  });
  const home: MissionItem = {
    command: MAV_CMD_NAV_WAYPOINT,
    frame: MAV_FRAME_GLOBAL,
    param1: 0,
    param2: 0,
    param3: 0,
    param4: 0,
    x: plan.home.latDeg,
    y: plan.home.lonDeg,
    z: plan.home.altAmslM,
    autocontinue: true,
  };
  return [home, ...plan.items];
}

/**
 * A plan from items read off a vehicle. ArduPilot's list starts with home (item 0); PX4's and
 * others' do not, so their plan has no home. The firmware name maps to MAV_AUTOPILOT
 * (ARDUPILOTMEGA, PX4, or GENERIC for any other).
 */
export function fromMissionItems(
  items: MissionItem[],
  firmware: 'ardupilot' | 'px4' | 'other',
  source = 'vehicle',
): MissionPlan {
  const withHome = firmware === 'ardupilot' && items.length > 0;
  const first = items[0];
  return {
    source,
    home: withHome ? { latDeg: first.x, lonDeg: first.y, altAmslM: first.z } : null,
    items: withHome ? items.slice(1) : [...items],
    firmwareType:
      firmware === 'ardupilot'
        ? MAV_AUTOPILOT_ARDUPILOTMEGA
        : firmware === 'px4'
          ? MAV_AUTOPILOT_PX4
          : MAV_AUTOPILOT_GENERIC,
    vehicleType: null,
    cruiseSpeedMs: null,
    hoverSpeedMs: null,
    fence: { polygons: [], circles: [] },
    rally: [],
    original: null,
  };
}
