import { UserError } from '../../errors.js';
import type { MissionItem } from '../../mavlink/index.js';
import type { PlanSettings, Sortie, Waypoint } from '../types.js';

/** The MAV_CMDs a sortie uses (common.xml). */
export const MAV_CMD = {
  NAV_WAYPOINT: 16,
  NAV_RETURN_TO_LAUNCH: 20,
  NAV_TAKEOFF: 22,
  DO_CHANGE_SPEED: 178,
  DO_SET_ROI_LOCATION: 195,
  DO_SET_ROI_NONE: 197,
  DO_MOUNT_CONTROL: 205,
} as const;

export const MAV_FRAME = { GLOBAL: 0, MISSION: 2, GLOBAL_RELATIVE_ALT: 3 } as const;

const SPEED_TYPE_GROUND = 1;
const THROTTLE_UNCHANGED = -1;
const MAV_MOUNT_MODE_MAVLINK_TARGETING = 2;
/** Degrees × 1e7 is what MISSION_ITEM_INT carries; finer digits would not survive the upload. */
const LAT_LON_DECIMALS = 7;
/** Mission Planner writes home with 6 decimals (0.1 m); ArduPilot replaces home with its own anyway. */
const HOME_DECIMALS = 6;
/** Centimetres, hundredths of a second or degree: well inside what a .waypoints file keeps. */
const VALUE_DECIMALS = 2;

function rounded(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

type Params = [number, number, number, number];

function item(command: number, frame: number, params: Params, x = 0, y = 0, z = 0): MissionItem {
  const [param1, param2, param3, param4] = params.map((p) => rounded(p, VALUE_DECIMALS));
  return {
    command,
    frame,
    param1,
    param2,
    param3,
    param4,
    x: frame === MAV_FRAME.MISSION ? x : rounded(x, LAT_LON_DECIMALS),
    y: frame === MAV_FRAME.MISSION ? y : rounded(y, LAT_LON_DECIMALS),
    z: rounded(z, VALUE_DECIMALS),
    autocontinue: true,
  };
}

type Roi = NonNullable<Waypoint['roi']>;

function sameRoi(a: Roi | null, b: Roi | null): boolean {
  return (
    a === b ||
    (a !== null && b !== null && a.latDeg === b.latDeg && a.lonDeg === b.lonDeg && a.altRelM === b.altRelM)
  );
}

/**
 * The camera items for a waypoint, emitted only where the ROI or gimbal pitch changes. ArduPilot
 * runs the DO items that follow a navigation item as soon as that item starts, so placed after the
 * waypoint they take effect on the leg into it, and the camera is already set when it arrives.
 */
function cameraItems(
  waypoint: Waypoint,
  camera: { roi: Roi | null; pitchDeg: number | null },
): MissionItem[] {
  const items: MissionItem[] = [];
  const roi = waypoint.roi;
  if (roi !== undefined && !sameRoi(roi, camera.roi)) {
    items.push(
      roi === null
        ? item(MAV_CMD.DO_SET_ROI_NONE, MAV_FRAME.MISSION, [0, 0, 0, 0])
        : item(
            MAV_CMD.DO_SET_ROI_LOCATION,
            MAV_FRAME.GLOBAL_RELATIVE_ALT,
            [0, 0, 0, 0],
            roi.latDeg,
            roi.lonDeg,
            roi.altRelM,
          ),
    );
    camera.roi = roi;
  }
  const pitchDeg = waypoint.gimbalPitchDeg;
  if (pitchDeg !== undefined && pitchDeg !== camera.pitchDeg) {
    // Pitch, roll, yaw (relative to the vehicle's heading); z is the mount mode.
    items.push(
      item(
        MAV_CMD.DO_MOUNT_CONTROL,
        MAV_FRAME.MISSION,
        [pitchDeg, 0, 0, 0],
        0,
        0,
        MAV_MOUNT_MODE_MAVLINK_TARGETING,
      ),
    );
    camera.pitchDeg = pitchDeg;
  }
  return items;
}

/**
 * A sortie as an ArduPilot Copter mission: home (the launch point) at seq 0, take-off to transit
 * altitude, cruise speed, every waypoint with its camera changes, and return to launch. Refuses a
 * sortie with a waypoint above the altitude limit rather than writing a mission that breaks it.
 */
export function buildSortieItems(sortie: Sortie, settings: PlanSettings): MissionItem[] {
  const { launch } = sortie;
  const limitM = settings.maxAltitudeAglM;
  const tooHigh = (altRelM: number, what: string) => {
    if (altRelM > limitM) {
      throw new UserError(
        `sortie ${sortie.index}: ${what} is ${altRelM} m above launch, over the ${limitM} m limit`,
      );
    }
  };
  tooHigh(settings.transitAltitudeRelM, 'the take-off altitude');
  // ArduPilot replaces home with where it arms; the altitude only informs ground stations.
  const homeAltAmslM = launch.altAmslM ?? 0;
  const items = [
    item(
      MAV_CMD.NAV_WAYPOINT,
      MAV_FRAME.GLOBAL,
      [0, 0, 0, 0],
      rounded(launch.latDeg, HOME_DECIMALS),
      rounded(launch.lonDeg, HOME_DECIMALS),
      homeAltAmslM,
    ),
    item(
      MAV_CMD.NAV_TAKEOFF,
      MAV_FRAME.GLOBAL_RELATIVE_ALT,
      [0, 0, 0, 0],
      launch.latDeg,
      launch.lonDeg,
      settings.transitAltitudeRelM,
    ),
    item(MAV_CMD.DO_CHANGE_SPEED, MAV_FRAME.MISSION, [
      SPEED_TYPE_GROUND,
      settings.cruiseSpeedMs,
      THROTTLE_UNCHANGED,
      0,
    ]),
  ];
  const camera: { roi: Roi | null; pitchDeg: number | null } = { roi: null, pitchDeg: null };
  sortie.waypoints.forEach((waypoint, i) => {
    tooHigh(waypoint.altRelM, `waypoint ${i + 1}`);
    items.push(
      item(
        MAV_CMD.NAV_WAYPOINT,
        MAV_FRAME.GLOBAL_RELATIVE_ALT,
        [waypoint.holdS ?? 0, 0, 0, 0],
        waypoint.latDeg,
        waypoint.lonDeg,
        waypoint.altRelM,
      ),
      ...cameraItems(waypoint, camera),
    );
  });
  items.push(item(MAV_CMD.NAV_RETURN_TO_LAUNCH, MAV_FRAME.MISSION, [0, 0, 0, 0]));
  return items;
}
