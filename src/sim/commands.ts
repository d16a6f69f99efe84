import { ardupilotmega, common, standard } from 'node-mavlink';
import {
  decodeCommandIntParams,
  decodeGlobalTarget,
  type MavLinkConnection,
  type ReceivedMessage,
} from '../mavlink/index.js';
import { isForVehicle, type VehicleIds } from './addressing.js';
import type { TelemetryStreams } from './telemetry.js';
import { FORCE_DISARM_MAGIC, type SimVehicle } from './vehicle.js';

const { MavCmd, MavResult } = common;
const MAV_MODE_FLAG_CUSTOM_MODE_ENABLED = 1;
/** DO_REPOSITION param2 bit: switch to GUIDED first. */
const MAV_DO_REPOSITION_FLAGS_CHANGE_MODE = 1;
/** GIMBAL_MANAGER_FLAGS_YAW_LOCK: the yaw angle is relative to north. */
const GIMBAL_MANAGER_FLAGS_YAW_LOCK = 16;
/** POSITION_TARGET_TYPEMASK bits X, Y and Z ignored: not a position target. */
const POSITION_IGNORED = 1 | 2 | 4;
const MAV_FRAME_GLOBAL_RELATIVE_ALT = 3;

/** A COMMAND_LONG or COMMAND_INT with its location in degrees either way. */
interface VehicleCommand {
  command: number;
  /** param1..param7; for COMMAND_INT params 5 and 6 are already degrees for global frames. */
  params: number[];
  /** MAV_FRAME of a COMMAND_INT; COMMAND_LONG's locations are relative to home. */
  frame: number;
}

export interface CommandDeps {
  vehicle: SimVehicle;
  streams: TelemetryStreams;
  ids: VehicleIds;
}

/**
 * The vehicle side of the command protocol: COMMAND_LONG / COMMAND_INT answered with COMMAND_ACK,
 * plus SET_MODE, MISSION_SET_CURRENT, SET_POSITION_TARGET_GLOBAL_INT and REQUEST_DATA_STREAM.
 * Returns the unsubscribe function.
 */
export function serveCommands(link: MavLinkConnection, deps: CommandDeps): () => void {
  return link.onMessage((rx) => onMessage(link, deps, rx));
}

function onMessage(link: MavLinkConnection, deps: CommandDeps, rx: ReceivedMessage): void {
  const { vehicle, streams, ids } = deps;
  const m = rx.message;
  if (m instanceof common.CommandLong || m instanceof common.CommandInt) {
    if (!isForVehicle(m.targetSystem, m.targetComponent, ids)) return;
    const command = toVehicleCommand(m);
    const result = execute(command, deps, link);
    link.send(ack(command.command, result, rx));
  } else if (m instanceof common.SetMode) {
    if (m.targetSystem !== ids.systemId) return;
    const result =
      (m.baseMode & MAV_MODE_FLAG_CUSTOM_MODE_ENABLED) !== 0
        ? vehicle.setMode(m.customMode)
        : MavResult.UNSUPPORTED;
    // ArduPilot acknowledges SET_MODE with the message id in COMMAND_ACK.command.
    link.send(ack(common.SetMode.MSG_ID, result, rx));
  } else if (m instanceof common.MissionSetCurrent) {
    if (!isForVehicle(m.targetSystem, m.targetComponent, ids)) return;
    // MISSION_CURRENT answers it, changed or not.
    if (vehicle.setMissionCurrent(m.seq) !== MavResult.ACCEPTED)
      streams.sendOnce(common.MissionCurrent.MSG_ID);
  } else if (m instanceof common.SetPositionTargetGlobalInt) {
    if (!isForVehicle(m.targetSystem, m.targetComponent, ids)) return;
    if ((m.typeMask & POSITION_IGNORED) !== 0) return;
    const target = decodeGlobalTarget(m);
    vehicle.goTo(target.latDeg, target.lonDeg, target.altM, target.frame);
  } else if (m instanceof common.RequestDataStream) {
    if (!isForVehicle(m.targetSystem, m.targetComponent, ids)) return;
    streams.requestDataStream(m.reqStreamId, m.reqMessageRate, m.startStop === 1);
  }
}

function toVehicleCommand(m: common.CommandLong | common.CommandInt): VehicleCommand {
  if (m instanceof common.CommandLong) {
    return {
      command: m.command,
      params: [m._param1, m._param2, m._param3, m._param4, m._param5, m._param6, m._param7],
      frame: MAV_FRAME_GLOBAL_RELATIVE_ALT,
    };
  }
  return { command: m.command, params: decodeCommandIntParams(m), frame: m.frame };
}

function execute(
  { command, params: p, frame }: VehicleCommand,
  { vehicle, streams }: CommandDeps,
  link: MavLinkConnection,
): common.MavResult {
  switch (command) {
    case MavCmd.COMPONENT_ARM_DISARM:
      if (p[0] === 1) return vehicle.arm();
      if (p[0] === 0) return vehicle.disarm(p[1] === FORCE_DISARM_MAGIC);
      return MavResult.DENIED;
    case MavCmd.DO_SET_MODE:
      return (p[0] & MAV_MODE_FLAG_CUSTOM_MODE_ENABLED) !== 0 ? vehicle.setMode(p[1]) : MavResult.UNSUPPORTED;
    case MavCmd.NAV_TAKEOFF:
      return vehicle.takeoff(p[6]);
    case MavCmd.MISSION_START:
      return vehicle.startMission(p[0]);
    case MavCmd.NAV_RETURN_TO_LAUNCH:
      return vehicle.setMode(ardupilotmega.CopterMode.RTL);
    case MavCmd.NAV_LAND:
      return vehicle.setMode(ardupilotmega.CopterMode.LAND);
    case MavCmd.DO_SET_MISSION_CURRENT:
      return vehicle.setMissionCurrent(p[0]);
    case MavCmd.DO_REPOSITION: {
      const switchMode = (p[1] & MAV_DO_REPOSITION_FLAGS_CHANGE_MODE) !== 0;
      if (vehicle.mode !== ardupilotmega.CopterMode.GUIDED && switchMode) {
        const result = vehicle.setMode(ardupilotmega.CopterMode.GUIDED);
        if (result !== MavResult.ACCEPTED) return result;
      }
      const result = vehicle.goTo(p[4], p[5], p[6], frame);
      if (result === MavResult.ACCEPTED && p[0] > 0) vehicle.changeSpeed(1, p[0]);
      return result;
    }
    case MavCmd.DO_CHANGE_SPEED:
      return vehicle.changeSpeed(p[0], p[1]);
    case MavCmd.DO_SET_ROI_LOCATION:
      vehicle.roiAt(p[4], p[5], p[6], frame);
      return MavResult.ACCEPTED;
    case MavCmd.DO_SET_ROI_NONE:
      vehicle.setRoi(null);
      return MavResult.ACCEPTED;
    case MavCmd.DO_MOUNT_CONTROL:
      vehicle.gimbal.setAngles(p[0], p[2], false);
      return MavResult.ACCEPTED;
    case MavCmd.DO_GIMBAL_MANAGER_PITCHYAW:
      if (Number.isNaN(p[0]) || Number.isNaN(p[1])) return MavResult.DENIED;
      vehicle.gimbal.setAngles(p[0], p[1], (p[4] & GIMBAL_MANAGER_FLAGS_YAW_LOCK) !== 0);
      return MavResult.ACCEPTED;
    case MavCmd.CONDITION_YAW:
      if (vehicle.mode !== ardupilotmega.CopterMode.GUIDED || !vehicle.armed) return MavResult.FAILED;
      vehicle.turnTo(p[0], p[2], p[3] !== 0);
      return MavResult.ACCEPTED;
    case MavCmd.SET_MESSAGE_INTERVAL:
      // A message it does not send is DENIED, as ArduPilot 4.7 answers MOUNT_STATUS.
      return streams.setMessageInterval(p[0], p[1]) ? MavResult.ACCEPTED : MavResult.DENIED;
    case MavCmd.GET_MESSAGE_INTERVAL: {
      const reply = new common.MessageInterval();
      reply.messageId = p[0];
      reply.intervalUs = streams.messageIntervalUs(p[0]);
      link.send(reply);
      return MavResult.ACCEPTED;
    }
    case MavCmd.REQUEST_MESSAGE:
      return streams.sendOnce(p[0]) ? MavResult.ACCEPTED : MavResult.FAILED;
    case MavCmd.GET_HOME_POSITION:
      return streams.sendOnce(common.HomePosition.MSG_ID) ? MavResult.ACCEPTED : MavResult.FAILED;
    case MavCmd.REQUEST_AUTOPILOT_CAPABILITIES:
      return p[0] === 1 && streams.sendOnce(standard.AutopilotVersion.MSG_ID)
        ? MavResult.ACCEPTED
        : MavResult.FAILED;
    default:
      return MavResult.UNSUPPORTED;
  }
}

function ack(command: number, result: common.MavResult, rx: ReceivedMessage): common.CommandAck {
  const m = new common.CommandAck();
  m.command = command as common.MavCmd;
  m.result = result;
  m.progress = 0;
  m.resultParam2 = 0;
  m.targetSystem = rx.sysid;
  m.targetComponent = rx.compid;
  return m;
}
