import { UserError } from '../../errors.js';
import type { MissionItem } from '../../mavlink/index.js';
import { MAV_CMD, MAV_FRAME } from './mission-builder.js';

/** MAV_CMDs beyond the builder's that a resumed mission must recognise (common.xml). */
const CMD = {
  NAV_LOITER_UNLIM: 17,
  NAV_LOITER_TURNS: 18,
  NAV_LOITER_TIME: 19,
  NAV_LAND: 21,
  NAV_LOITER_TO_ALT: 31,
  NAV_ROI: 80,
  NAV_SPLINE_WAYPOINT: 82,
  NAV_LAST: 95,
  DO_JUMP: 177,
  DO_SET_ROI: 201,
  DO_DIGICAM_CONFIGURE: 202,
  DO_MOUNT_CONFIGURE: 204,
  DO_SET_CAM_TRIGG_DIST: 206,
  DO_SET_CAM_TRIGG_INTERVAL: 214,
  DO_GIMBAL_MANAGER_PITCHYAW: 1000,
  IMAGE_START_CAPTURE: 2000,
  IMAGE_STOP_CAPTURE: 2001,
  VIDEO_START_CAPTURE: 2500,
  VIDEO_STOP_CAPTURE: 2501,
  DO_SET_CAMERA_ZOOM: 531,
  DO_SET_CAMERA_FOCUS: 532,
} as const;

/** Navigation items that go to a place (the legs a patrol covers), as opposed to take-off, RTL, land. */
const WAYPOINTS: ReadonlySet<number> = new Set([
  MAV_CMD.NAV_WAYPOINT,
  CMD.NAV_LOITER_UNLIM,
  CMD.NAV_LOITER_TURNS,
  CMD.NAV_LOITER_TIME,
  CMD.NAV_LOITER_TO_ALT,
  CMD.NAV_SPLINE_WAYPOINT,
]);

/**
 * The setting a DO command leaves in effect, so that only the last of each is replayed: speed per
 * speed type, the camera's pointing (ROI or gimbal angles), and each camera setting. Commands not
 * listed (a servo, a one-shot shutter, a jump) change nothing that lasts, or nothing we replay.
 */
function settingOf(item: MissionItem): string | null {
  switch (item.command) {
    case MAV_CMD.DO_CHANGE_SPEED:
      return `speed ${item.param1}`;
    case MAV_CMD.DO_SET_ROI_LOCATION:
    case MAV_CMD.DO_SET_ROI_NONE:
    case CMD.DO_SET_ROI:
    case CMD.NAV_ROI:
    case MAV_CMD.DO_MOUNT_CONTROL:
    case CMD.DO_GIMBAL_MANAGER_PITCHYAW:
      return 'pointing';
    case CMD.DO_MOUNT_CONFIGURE:
      return 'mount mode';
    case CMD.DO_DIGICAM_CONFIGURE:
      return 'camera configuration';
    case CMD.DO_SET_CAM_TRIGG_DIST:
    case CMD.DO_SET_CAM_TRIGG_INTERVAL:
    case CMD.IMAGE_START_CAPTURE:
    case CMD.IMAGE_STOP_CAPTURE:
      return 'photo capture';
    case CMD.VIDEO_START_CAPTURE:
    case CMD.VIDEO_STOP_CAPTURE:
      return 'video capture';
    case CMD.DO_SET_CAMERA_ZOOM:
      return 'zoom';
    case CMD.DO_SET_CAMERA_FOCUS:
      return 'focus';
    default:
      return null;
  }
}

/** MAV_FRAME_GLOBAL_INT: AMSL like MAV_FRAME_GLOBAL (terrain frames are taken as above home). */
const MAV_FRAME_GLOBAL_INT = 5;

const isNav = (item: MissionItem) => item.command <= CMD.NAV_LAST && item.command !== CMD.NAV_ROI;

/** Altitude above home of an item, for the take-off; AMSL frames are measured against home's altitude. */
function altRelM(item: MissionItem, home: MissionItem): number {
  return item.frame === MAV_FRAME.GLOBAL || item.frame === MAV_FRAME_GLOBAL_INT ? item.z - home.z : item.z;
}

/**
 * The mission that continues a patrol after a battery swap, from the last waypoint it reached (the
 * "resume mission" of Mission Planner): home, a take-off, the DO settings in effect at that point
 * (speed, camera pointing, camera), then the rest of the mission from that waypoint on.
 *
 * It restarts at the waypoint last reached rather than the one after it, so the leg the vehicle was on
 * when it left is flown whole and the camera covers it. The take-off climbs to the original take-off
 * altitude (the plan's transit altitude, chosen to clear obstacles) or the resume point's, whichever is
 * higher. DO_JUMPs in the rest are renumbered; one that jumps back before the resume point is refused.
 * `items` has home at seq 0; `lastReachedSeq` is MISSION_ITEM_REACHED's seq (null: nothing reached).
 */
export function resumeMission(items: MissionItem[], lastReachedSeq: number | null): MissionItem[] {
  if (items.length < 2) throw new UserError('resume: the mission has no items after home (seq 0)');
  const lastSeq = items.length - 1;
  if (lastReachedSeq !== null && !(Number.isInteger(lastReachedSeq) && lastReachedSeq >= 0)) {
    throw new UserError(`resume: seq ${lastReachedSeq} is not a mission item number`);
  }
  if (lastReachedSeq !== null && lastReachedSeq > lastSeq) {
    throw new UserError(
      `resume: seq ${lastReachedSeq} is out of range (the mission's items are 1-${lastSeq})`,
    );
  }
  const home = items[0];
  const reached = lastReachedSeq ?? 0;
  // The waypoint to start from: the last one reached, or the first one when none was.
  let start = -1;
  for (let seq = Math.min(reached, lastSeq); seq >= 1; seq--) {
    if (WAYPOINTS.has(items[seq].command)) {
      start = seq;
      break;
    }
  }
  if (start < 0) start = items.findIndex((item, seq) => seq > 0 && WAYPOINTS.has(item.command));
  const ahead = items.findIndex((item, seq) => seq > reached && WAYPOINTS.has(item.command));
  if (start < 0 || ahead < 0) {
    throw new UserError(
      `resume: nothing left to fly after seq ${reached}: no waypoint follows it, only the mission's end`,
    );
  }

  const inEffect = new Map<string, number>();
  for (let seq = 1; seq < start; seq++) {
    const setting = isNav(items[seq]) ? null : settingOf(items[seq]);
    if (setting) {
      inEffect.delete(setting);
      inEffect.set(setting, seq);
    }
  }
  const settings = [...inEffect.values()].sort((a, b) => a - b).map((seq) => ({ ...items[seq] }));

  const originalTakeoff = items.find((item) => item.command === MAV_CMD.NAV_TAKEOFF);
  const takeoffAltRelM = Math.max(
    altRelM(items[start], home),
    originalTakeoff ? altRelM(originalTakeoff, home) : 0,
  );
  const takeoff: MissionItem = {
    command: MAV_CMD.NAV_TAKEOFF,
    frame: MAV_FRAME.GLOBAL_RELATIVE_ALT,
    param1: 0,
    param2: 0,
    param3: 0,
    param4: 0,
    // Lat/lon 0: where the vehicle is (Copter takes off straight up wherever it stands).
    x: 0,
    y: 0,
    z: takeoffAltRelM,
    autocontinue: true,
  };

  const head = [{ ...home }, takeoff, ...settings];
  const shift = head.length - start;
  const rest = items.slice(start).map((item, i) => {
    if (item.command !== CMD.DO_JUMP) return { ...item };
    const target = item.param1;
    if (target < start) {
      throw new UserError(
        `resume: the DO_JUMP at seq ${start + i} jumps back to seq ${target}, before the resume point ` +
          `(seq ${start}); a resumed mission cannot keep that loop`,
      );
    }
    return { ...item, param1: target + shift };
  });
  return [...head, ...rest];
}
