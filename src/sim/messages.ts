import { ardupilotmega, common, type MavLinkData, minimal, standard } from 'node-mavlink';
import {
  encodeBatteryStatus,
  encodeGlobalPosition,
  encodeGpsRaw,
  encodeHomePosition,
  encodeSysStatusBattery,
  type MissionItem,
} from '../mavlink/index.js';
import { modeSetsGuidedFlag } from './modes.js';
import type { ReportNoise } from './report-noise.js';
import type { SimVehicle } from './vehicle.js';

const { MavModeFlag, MavState, MavType, MavAutopilot } = minimal;
const S = common.MavSysStatusSensor;
const RAD_TO_DEG = 180 / Math.PI;
/** ArduPilot 4.7.0, official release (FIRMWARE_VERSION_TYPE_OFFICIAL = 255). */
const FLIGHT_SW_VERSION = (4 << 24) | (7 << 16) | (0 << 8) | 255;
/** GPS_RAW_INT's dilutions with a healthy fix, as SITL reports them. */
const HDOP = 1.21;
const VDOP = 2;
const UINT16_UNKNOWN = 0xffff;
const INT16_UNKNOWN = 0x7fff;
/** GIMBAL_DEVICE_FLAGS: roll and pitch stabilised to the horizon, yaw follows the vehicle. */
const GIMBAL_FLAGS =
  common.GimbalDeviceFlags.ROLL_LOCK |
  common.GimbalDeviceFlags.PITCH_LOCK |
  common.GimbalDeviceFlags.YAW_IN_VEHICLE_FRAME;
const SENSORS =
  S.SENSOR_3D_GYRO |
  S.SENSOR_3D_ACCEL |
  S.SENSOR_3D_MAG |
  S.SENSOR_ABSOLUTE_PRESSURE |
  S.SENSOR_GPS |
  S.SENSOR_ANGULAR_RATE_CONTROL |
  S.SENSOR_ATTITUDE_STABILIZATION |
  S.SENSOR_YAW_POSITION |
  S.SENSOR_Z_ALTITUDE_CONTROL |
  S.SENSOR_XY_POSITION_CONTROL |
  S.SENSOR_MOTOR_OUTPUTS |
  S.AHRS |
  S.SENSOR_BATTERY |
  S.PREARM_CHECK;

/** What the messages are built from: the vehicle, its mission list, the sim clock and the reporting errors. */
export interface TelemetrySource {
  vehicle: SimVehicle;
  noise: ReportNoise;
  missionItems: () => MissionItem[];
  /** Wall-clock Unix time at boot, µs; sim time is added to it. */
  bootUnixUs: number;
}

const timeBootMs = (src: TelemetrySource) => Math.round(src.vehicle.timeS * 1000);
const unixUs = (src: TelemetrySource) => BigInt(Math.round(src.bootUnixUs + src.vehicle.timeS * 1e6));
const degrees = (rad: number) => rad * RAD_TO_DEG;

export function heartbeat({ vehicle }: TelemetrySource): minimal.Heartbeat {
  const m = new minimal.Heartbeat();
  m.type = MavType.QUADROTOR;
  m.autopilot = MavAutopilot.ARDUPILOTMEGA;
  let baseMode =
    MavModeFlag.CUSTOM_MODE_ENABLED | MavModeFlag.STABILIZE_ENABLED | MavModeFlag.MANUAL_INPUT_ENABLED;
  if (modeSetsGuidedFlag(vehicle.mode)) baseMode |= MavModeFlag.GUIDED_ENABLED;
  if (vehicle.armed) baseMode |= MavModeFlag.SAFETY_ARMED;
  m.baseMode = baseMode;
  m.customMode = vehicle.mode;
  // As Copter's vehicle_system_status(): a failsafe first, then landed (armed or not) is STANDBY.
  m.systemStatus = vehicle.booting
    ? MavState.BOOT
    : vehicle.inFailsafe
      ? MavState.CRITICAL
      : vehicle.landed
        ? MavState.STANDBY
        : MavState.ACTIVE;
  m.mavlinkVersion = 3;
  return m;
}

export function statusText(severity: common.MavSeverity, text: string): common.StatusText {
  const m = new common.StatusText();
  m.severity = severity;
  m.text = text.slice(0, 50);
  m.id = 0;
  m.chunkSeq = 0;
  return m;
}

export function missionItemReached(seq: number): common.MissionItemReached {
  const m = new common.MissionItemReached();
  m.seq = seq;
  return m;
}

function sysStatus({ vehicle }: TelemetrySource): common.SysStatus {
  const m = encodeSysStatusBattery({
    voltageV: vehicle.battery.voltageV,
    remainingPct: vehicle.battery.percent,
    currentA: vehicle.battery.currentA,
  });
  const gpsOk = vehicle.gps.hasFix(vehicle.timeS);
  m.onboardControlSensorsPresent = SENSORS;
  m.onboardControlSensorsEnabled = SENSORS;
  m.onboardControlSensorsHealth = gpsOk ? SENSORS : SENSORS & ~S.SENSOR_GPS & ~S.PREARM_CHECK;
  m.load = 150;
  m.dropRateComm = 0;
  m.errorsComm = 0;
  m.errorsCount1 = m.errorsCount2 = m.errorsCount3 = m.errorsCount4 = 0;
  m.onboardControlSensorsPresentExtended = 0 as common.MavSysStatusSensorExtended;
  m.onboardControlSensorsEnabledExtended = 0 as common.MavSysStatusSensorExtended;
  m.onboardControlSensorsHealthExtended = 0 as common.MavSysStatusSensorExtended;
  return m;
}

function gpsRawInt(src: TelemetrySource): common.GpsRawInt {
  const { vehicle } = src;
  const quality = {
    fixType: vehicle.gps.fixType(vehicle.timeS),
    satellites: vehicle.gps.satellites(vehicle.timeS),
  };
  if (!vehicle.gps.hasFix(vehicle.timeS)) {
    return encodeGpsRaw({
      ...quality,
      timeUnixUs: unixUs(src),
      latDeg: 0,
      lonDeg: 0,
      altAmslM: 0,
      hdop: null,
      vdop: null,
      groundSpeedMs: 0,
      courseDeg: 0,
    });
  }
  const p = vehicle.position;
  const geo = vehicle.frame.toGeo({
    northM: p.northM + vehicle.gps.errorNorthM,
    eastM: p.eastM + vehicle.gps.errorEastM,
    upM: p.upM,
  });
  return encodeGpsRaw({
    ...quality,
    timeUnixUs: unixUs(src),
    latDeg: geo.latDeg,
    lonDeg: geo.lonDeg,
    altAmslM: geo.altAmslM,
    hdop: HDOP,
    vdop: VDOP,
    groundSpeedMs: vehicle.model.groundSpeedMs,
    courseDeg: degrees(Math.atan2(vehicle.model.velEastMs, vehicle.model.velNorthMs)),
  });
}

/** Lat, lon and altitude are 0 until the EKF origin is set, as on ArduPilot. */
function globalPositionInt(src: TelemetrySource): common.GlobalPositionInt {
  const { vehicle } = src;
  const reported = src.noise.reportedPosition(vehicle);
  const motion = {
    timeBootMs: timeBootMs(src),
    altRelM: vehicle.altRelM,
    velNorthMs: vehicle.model.velNorthMs,
    velEastMs: vehicle.model.velEastMs,
    velDownMs: -vehicle.model.velUpMs,
    headingDeg: reported.headingDeg,
  };
  if (!vehicle.ekf.originSet) return encodeGlobalPosition(motion);
  return encodeGlobalPosition({
    ...motion,
    latDeg: reported.latDeg,
    lonDeg: reported.lonDeg,
    altAmslM: vehicle.geo.altAmslM,
  });
}

function attitude(src: TelemetrySource): common.Attitude {
  const { model } = src.vehicle;
  const m = new common.Attitude();
  m.timeBootMs = timeBootMs(src);
  m.roll = model.rollRad;
  m.pitch = model.pitchRad;
  m.yaw = model.yawRad > Math.PI ? model.yawRad - 2 * Math.PI : model.yawRad;
  m.rollspeed = 0;
  m.pitchspeed = 0;
  m.yawspeed = model.yawRateRadS;
  return m;
}

function vfrHud({ vehicle }: TelemetrySource): common.VfrHud {
  const m = new common.VfrHud();
  m.airspeed = vehicle.model.airSpeedMs(vehicle.windVector);
  m.groundspeed = vehicle.model.groundSpeedMs;
  m.heading = Math.round(degrees(vehicle.model.yawRad)) % 360;
  m.throttle = Math.round(Math.min(100, vehicle.model.effort * 40));
  m.alt = vehicle.geo.altAmslM;
  m.climb = vehicle.model.velUpMs;
  return m;
}

function batteryStatus({ vehicle }: TelemetrySource): common.BatteryStatus {
  const b = vehicle.battery;
  const m = encodeBatteryStatus({
    voltageV: b.voltageV,
    currentA: b.currentA,
    consumedMah: b.consumedMah,
    consumedJ: (b.consumedMah / 1000) * 3600 * b.voltageV,
    remainingPct: b.percent,
    timeRemainingS: b.currentA > 0 ? (b.remainingMah / 1000 / b.currentA) * 3600 : 0,
  });
  m.id = 0;
  m.batteryFunction = common.MavBatteryFunction.ALL;
  m.type = common.MavBatteryType.LIPO;
  m.temperature = INT16_UNKNOWN;
  const p = vehicle.params;
  m.chargeState =
    b.remainingMah <= p.get('BATT_CRT_MAH')
      ? common.MavBatteryChargeState.CRITICAL
      : b.remainingMah <= p.get('BATT_LOW_MAH')
        ? common.MavBatteryChargeState.LOW
        : common.MavBatteryChargeState.OK;
  m.voltagesExt = [0, 0, 0, 0];
  m.mode = common.MavBatteryMode.UNKNOWN;
  m.faultBitmask = 0 as common.MavBatteryFault;
  return m;
}

function ekfStatusReport({ vehicle }: TelemetrySource): ardupilotmega.EkfStatusReport {
  const m = new ardupilotmega.EkfStatusReport();
  const variance = vehicle.ekf.horizontalVariance();
  m.flags = vehicle.ekf.flags() as ardupilotmega.EkfStatusFlags;
  m.velocityVariance = variance;
  m.posHorizVariance = variance;
  m.posVertVariance = 0.05;
  m.compassVariance = 0.03;
  m.terrainAltVariance = 0;
  m.airspeedVariance = 0;
  return m;
}

/** Null until home is set (as ArduPilot, which does not answer before). */
export function homePosition(src: TelemetrySource): common.HomePosition | null {
  const home = src.vehicle.homeGeo;
  if (!home) return null;
  const m = encodeHomePosition(home);
  m.x = m.y = m.z = 0;
  m.q = [1, 0, 0, 0];
  m.approachX = m.approachY = m.approachZ = 0;
  m.timeUsec = unixUs(src);
  return m;
}

export function missionCurrent(src: TelemetrySource): common.MissionCurrent {
  const count = src.missionItems().length;
  const m = new common.MissionCurrent();
  m.seq = src.vehicle.mission.seq;
  m.total = count > 0 ? count - 1 : UINT16_UNKNOWN;
  m.missionState = src.vehicle.mission.state;
  m.missionMode = src.vehicle.mode === ardupilotmega.CopterMode.AUTO ? 1 : 2;
  m.missionId = m.fenceId = m.rallyPointsId = 0;
  return m;
}

/** Sent only with FENCE_ENABLE set, as ArduPilot does. */
function fenceStatus({ vehicle }: TelemetrySource): common.FenceStatus | null {
  if (vehicle.params.get('FENCE_ENABLE') !== 1) return null;
  const fence = vehicle.fenceState;
  const m = new common.FenceStatus();
  m.breachStatus = fence.breached ? 1 : 0;
  m.breachCount = fence.count;
  m.breachType = fence.count > 0 ? common.FenceBreach.BOUNDARY : common.FenceBreach.NONE;
  m.breachTime = Math.round(fence.lastBreachS * 1000);
  m.breachMitigation = common.FenceMitigate.UNKNOWN;
  return m;
}

function extendedSysState({ vehicle }: TelemetrySource): common.ExtendedSysState {
  const m = new common.ExtendedSysState();
  m.vtolState = common.MavVtolState.UNDEFINED;
  m.landedState = vehicle.landedState;
  return m;
}

function systemTime(src: TelemetrySource): common.SystemTime {
  const m = new common.SystemTime();
  m.timeUnixUsec = unixUs(src);
  m.timeBootMs = timeBootMs(src);
  return m;
}

/** The EKF's wind estimate: here the simulated wind itself (ArduPilot's converges on it in flight). */
function wind(src: TelemetrySource): ardupilotmega.Wind {
  const { northMs, eastMs } = src.vehicle.windVector;
  const m = new ardupilotmega.Wind();
  const speedMs = Math.hypot(northMs, eastMs);
  // Where it comes from: opposite to where it blows.
  m.direction = speedMs > 0 ? ((Math.atan2(-eastMs, -northMs) * 180) / Math.PI + 360) % 360 : 0;
  m.speed = speedMs;
  m.speedZ = 0;
  return m;
}

/** The camera gimbal's attitude: roll level, pitch, and yaw relative to the vehicle's nose. */
function gimbalDeviceAttitudeStatus(src: TelemetrySource): common.GimbalDeviceAttitudeStatus {
  const { gimbal } = src.vehicle;
  const m = new common.GimbalDeviceAttitudeStatus();
  const halfPitch = (gimbal.pitchDeg * Math.PI) / 360;
  const halfYaw = (gimbal.yawBodyDeg * Math.PI) / 360;
  m.targetSystem = 0;
  m.targetComponent = 0;
  m.timeBootMs = timeBootMs(src);
  m.flags = GIMBAL_FLAGS;
  // Yaw then pitch (roll 0): q = q_yaw ⊗ q_pitch, [w, x, y, z].
  m.q = [
    Math.cos(halfYaw) * Math.cos(halfPitch),
    -Math.sin(halfYaw) * Math.sin(halfPitch),
    Math.cos(halfYaw) * Math.sin(halfPitch),
    Math.sin(halfYaw) * Math.cos(halfPitch),
  ];
  m.angularVelocityX = m.angularVelocityY = m.angularVelocityZ = Number.NaN;
  m.failureFlags = 0 as common.GimbalDeviceErrorFlags;
  m.deltaYaw = (gimbal.yawBodyDeg * Math.PI) / 180;
  m.deltaYawVelocity = Number.NaN;
  m.gimbalDeviceId = 1;
  return m;
}

function autopilotVersion(): standard.AutopilotVersion {
  const C = standard.MavProtocolCapability;
  const m = new standard.AutopilotVersion();
  // A uint64 on the wire, which node-mavlink writes only from a bigint (a number throws) though it
  // types the field as its enum.
  m.capabilities = BigInt(
    C.MISSION_FLOAT |
      C.PARAM_FLOAT |
      C.MISSION_INT |
      C.COMMAND_INT |
      C.SET_POSITION_TARGET_GLOBAL_INT |
      C.MAVLINK2 |
      C.MISSION_FENCE |
      C.MISSION_RALLY,
  ) as unknown as standard.MavProtocolCapability;
  m.flightSwVersion = FLIGHT_SW_VERSION;
  m.middlewareSwVersion = 0;
  m.osSwVersion = 0;
  m.boardVersion = 0;
  m.flightCustomVersion = Array<number>(8).fill(0);
  m.middlewareCustomVersion = Array<number>(8).fill(0);
  m.osCustomVersion = Array<number>(8).fill(0);
  m.vendorId = 0;
  m.productId = 0;
  m.uid = 0n;
  m.uid2 = Array<number>(18).fill(0);
  return m;
}

type Builder = (src: TelemetrySource) => MavLinkData | null;

/** Every message the simulator can stream or send on request, by MAVLink message id. */
export const MESSAGE_BUILDERS: ReadonlyMap<number, Builder> = new Map<number, Builder>([
  [minimal.Heartbeat.MSG_ID, heartbeat],
  [common.SysStatus.MSG_ID, sysStatus],
  [common.GpsRawInt.MSG_ID, gpsRawInt],
  [common.GlobalPositionInt.MSG_ID, globalPositionInt],
  [common.Attitude.MSG_ID, attitude],
  [common.VfrHud.MSG_ID, vfrHud],
  [common.BatteryStatus.MSG_ID, batteryStatus],
  [ardupilotmega.EkfStatusReport.MSG_ID, ekfStatusReport],
  [common.HomePosition.MSG_ID, homePosition],
  [common.MissionCurrent.MSG_ID, missionCurrent],
  [common.ExtendedSysState.MSG_ID, extendedSysState],
  [common.FenceStatus.MSG_ID, fenceStatus],
  [common.SystemTime.MSG_ID, systemTime],
  [common.GimbalDeviceAttitudeStatus.MSG_ID, gimbalDeviceAttitudeStatus],
  [ardupilotmega.Wind.MSG_ID, wind],
  [standard.AutopilotVersion.MSG_ID, autopilotVersion],
]);
