import { type ardupilotmega, common } from 'node-mavlink';
import { decodeXY } from './mission-wire.js';

const DEG_E7 = 1e7;
const DEG = Math.PI / 180;
const UINT16_UNKNOWN = 0xffff;
const UINT8_UNKNOWN = 0xff;
/** BATTERY_STATUS carries ten cells. */
const BATTERY_CELLS = 10;

/** GLOBAL_POSITION_INT in SI units and degrees. */
export interface GlobalPosition {
  timeBootMs: number;
  latDeg: number;
  lonDeg: number;
  altAmslM: number;
  altRelM: number;
  velNorthMs: number;
  velEastMs: number;
  velDownMs: number;
  /** null when the vehicle does not know it. */
  headingDeg: number | null;
}

/** GLOBAL_POSITION_INT before the vehicle knows where it is: lat, lon and alt are sent as 0. */
export type GlobalPositionNoFix = Omit<GlobalPosition, 'latDeg' | 'lonDeg' | 'altAmslM'>;

/** GPS_RAW_INT's fix quality; null where the receiver does not know. */
export interface GpsQuality {
  /** GPS_FIX_TYPE */
  fixType: number;
  satellites: number | null;
  hdop: number | null;
}

/** SYS_STATUS's battery fields; null where the autopilot does not know. */
export interface BatteryReading {
  voltageV: number | null;
  remainingPct: number | null;
  currentA: number | null;
}

/** GPS_RAW_INT as a receiver sends it; without a fix a receiver sends zeros and unknowns. */
export interface GpsRaw extends GpsQuality {
  timeUnixUs: bigint;
  latDeg: number;
  lonDeg: number;
  altAmslM: number;
  vdop: number | null;
  groundSpeedMs: number;
  courseDeg: number;
}

/** BATTERY_STATUS's measurements for a pack without cell monitoring. */
export interface BatteryPack {
  voltageV: number;
  currentA: number;
  consumedMah: number;
  consumedJ: number;
  remainingPct: number;
  timeRemainingS: number;
}

export interface HomePosition {
  latDeg: number;
  lonDeg: number;
  altAmslM: number;
}

/** MOUNT_STATUS's pointing: yaw relative to the vehicle's nose. */
export interface MountAngles {
  pitchRad: number;
  rollRad: number;
  yawRad: number;
}

/**
 * GIMBAL_DEVICE_ATTITUDE_STATUS's attitude as ZYX Euler angles: roll and pitch relative to the horizon,
 * yaw relative to the vehicle's nose or to north, as its flags say.
 */
export interface GimbalDeviceAttitude {
  pitchRad: number;
  rollRad: number;
  yawRad: number;
  yawFrame: 'vehicle' | 'earth';
}

/** SYSTEM_TIME: the vehicle's Unix time at one instant of its boot clock. */
export interface SystemTimeFix {
  unixUs: number;
  timeBootMs: number;
}

/** SET_POSITION_TARGET_GLOBAL_INT's position; `altM` in the reference of `frame` (MAV_FRAME). */
export interface GlobalTarget {
  latDeg: number;
  lonDeg: number;
  altM: number;
  frame: number;
}

/** Null while the vehicle has no position: ArduPilot reports lat, lon 0 until its EKF origin is set. */
export function decodeGlobalPosition(m: common.GlobalPositionInt): GlobalPosition | null {
  if (m.lat === 0 && m.lon === 0) return null;
  return {
    timeBootMs: m.timeBootMs,
    latDeg: m.lat / DEG_E7,
    lonDeg: m.lon / DEG_E7,
    altAmslM: m.alt / 1000,
    altRelM: m.relativeAlt / 1000,
    velNorthMs: m.vx / 100,
    velEastMs: m.vy / 100,
    velDownMs: m.vz / 100,
    headingDeg: m.hdg === UINT16_UNKNOWN ? null : m.hdg / 100,
  };
}

export function decodeGpsQuality(m: common.GpsRawInt): GpsQuality {
  return {
    fixType: m.fixType,
    satellites: m.satellitesVisible === UINT8_UNKNOWN ? null : m.satellitesVisible,
    hdop: m.eph === UINT16_UNKNOWN ? null : m.eph / 100,
  };
}

export function decodeSysStatusBattery(m: common.SysStatus): BatteryReading {
  return {
    voltageV: m.voltageBattery === UINT16_UNKNOWN ? null : m.voltageBattery / 1000,
    remainingPct: m.batteryRemaining < 0 ? null : m.batteryRemaining,
    currentA: m.currentBattery < 0 ? null : m.currentBattery / 100,
  };
}

export function decodeHomePosition(m: common.HomePosition): HomePosition {
  return { latDeg: m.latitude / DEG_E7, lonDeg: m.longitude / DEG_E7, altAmslM: m.altitude / 1000 };
}

export function decodeMountStatus(m: ardupilotmega.MountStatus): MountAngles {
  return {
    pitchRad: (m.pointingA / 100) * DEG,
    rollRad: (m.pointingB / 100) * DEG,
    yawRad: (m.pointingC / 100) * DEG,
  };
}

/**
 * Null without a usable quaternion (not four finite numbers, or far from unit length: a gimbal that
 * does not know its attitude sends NaN). The yaw's frame per the flags: YAW_IN_EARTH_FRAME or
 * YAW_IN_VEHICLE_FRAME say it; with neither (older gimbals) YAW_LOCK means the earth frame.
 */
export function decodeGimbalDeviceAttitude(
  m: common.GimbalDeviceAttitudeStatus,
): GimbalDeviceAttitude | null {
  const q = m.q;
  if (q?.length !== 4 || !q.every(Number.isFinite)) return null;
  const n = Math.hypot(...q);
  if (n < 0.5) return null;
  const [w, x, y, z] = q.map((c) => c / n);
  const F = common.GimbalDeviceFlags;
  const flags = m.flags;
  const earth =
    flags & F.YAW_IN_EARTH_FRAME ? true : flags & F.YAW_IN_VEHICLE_FRAME ? false : !!(flags & F.YAW_LOCK);
  return {
    rollRad: Math.atan2(2 * (w * x + y * z), 1 - 2 * (x * x + y * y)),
    pitchRad: Math.asin(Math.max(-1, Math.min(1, 2 * (w * y - z * x)))),
    yawRad: Math.atan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z)),
    yawFrame: earth ? 'earth' : 'vehicle',
  };
}

/** Null while the vehicle does not know the time (ArduPilot sends 0 until its GPS has it). */
export function decodeSystemTime(m: common.SystemTime): SystemTimeFix | null {
  const unixUs = Number(m.timeUnixUsec);
  if (!(unixUs > 0) || !Number.isFinite(m.timeBootMs) || m.timeBootMs < 0) return null;
  return { unixUs, timeBootMs: m.timeBootMs };
}

export function decodeGlobalTarget(m: common.SetPositionTargetGlobalInt): GlobalTarget {
  return { latDeg: m.latInt / DEG_E7, lonDeg: m.lonInt / DEG_E7, altM: m.alt, frame: m.coordinateFrame };
}

/** COMMAND_INT's param1..param7 with x and y (params 5 and 6) unscaled for its frame: degrees in global frames. */
export function decodeCommandIntParams(m: common.CommandInt): number[] {
  return [
    m._param1,
    m._param2,
    m._param3,
    m._param4,
    decodeXY(m.frame, m._param5),
    decodeXY(m.frame, m._param6),
    m._param7,
  ];
}

export function encodeGlobalPosition(p: GlobalPosition | GlobalPositionNoFix): common.GlobalPositionInt {
  const m = new common.GlobalPositionInt();
  const fix = 'latDeg' in p;
  m.timeBootMs = p.timeBootMs;
  m.lat = fix ? Math.round(p.latDeg * DEG_E7) : 0;
  m.lon = fix ? Math.round(p.lonDeg * DEG_E7) : 0;
  m.alt = fix ? Math.round(p.altAmslM * 1000) : 0;
  m.relativeAlt = Math.round(p.altRelM * 1000);
  m.vx = Math.round(p.velNorthMs * 100);
  m.vy = Math.round(p.velEastMs * 100);
  m.vz = Math.round(p.velDownMs * 100);
  m.hdg = p.headingDeg === null ? UINT16_UNKNOWN : centidegrees360(p.headingDeg);
  return m;
}

/** GPS_RAW_INT with the fields GpsRaw does not hold (ellipsoid altitude, accuracies, yaw) at 0. */
export function encodeGpsRaw(g: GpsRaw): common.GpsRawInt {
  const m = new common.GpsRawInt();
  m.timeUsec = g.timeUnixUs;
  m.fixType = g.fixType;
  m.lat = Math.round(g.latDeg * DEG_E7);
  m.lon = Math.round(g.lonDeg * DEG_E7);
  m.alt = Math.round(g.altAmslM * 1000);
  m.eph = g.hdop === null ? UINT16_UNKNOWN : Math.round(g.hdop * 100);
  m.epv = g.vdop === null ? UINT16_UNKNOWN : Math.round(g.vdop * 100);
  m.vel = Math.round(g.groundSpeedMs * 100);
  m.cog = centidegrees360(g.courseDeg);
  m.satellitesVisible = g.satellites ?? UINT8_UNKNOWN;
  m.altEllipsoid = 0;
  m.hAcc = m.vAcc = m.velAcc = m.hdgAcc = 0;
  m.yaw = 0;
  return m;
}

/** SYS_STATUS with only its battery fields set. */
export function encodeSysStatusBattery(b: BatteryReading): common.SysStatus {
  const m = new common.SysStatus();
  m.voltageBattery = b.voltageV === null ? UINT16_UNKNOWN : Math.round(b.voltageV * 1000);
  m.currentBattery = b.currentA === null ? -1 : Math.round(b.currentA * 100);
  m.batteryRemaining = b.remainingPct === null ? -1 : remainingPercent(b.remainingPct);
  return m;
}

/**
 * battery_remaining in whole percent as ArduPilot sends it: truncated, not rounded
 * (AP_BattMonitor's capacity_remaining_pct casts to uint8; SITL reports 66 with 66.6 % left).
 */
function remainingPercent(pct: number): number {
  return Math.floor(Math.min(100, Math.max(0, pct)));
}

/** BATTERY_STATUS with the pack voltage in the first cell and the rest unknown, as ArduPilot sends it. */
export function encodeBatteryStatus(b: BatteryPack): common.BatteryStatus {
  const m = new common.BatteryStatus();
  m.voltages = [Math.round(b.voltageV * 1000), ...Array<number>(BATTERY_CELLS - 1).fill(UINT16_UNKNOWN)];
  m.currentBattery = Math.round(b.currentA * 100);
  m.currentConsumed = Math.round(b.consumedMah);
  m.energyConsumed = Math.round(b.consumedJ / 100);
  m.batteryRemaining = remainingPercent(b.remainingPct);
  m.timeRemaining = Math.round(b.timeRemainingS);
  return m;
}

/** HOME_POSITION with only its location set. */
export function encodeHomePosition(home: HomePosition): common.HomePosition {
  const m = new common.HomePosition();
  m.latitude = Math.round(home.latDeg * DEG_E7);
  m.longitude = Math.round(home.lonDeg * DEG_E7);
  m.altitude = Math.round(home.altAmslM * 1000);
  return m;
}

/** 0 ≤ cdeg < 36000, as a uint16 heading or course. */
function centidegrees360(deg: number): number {
  const cdeg = Math.round(deg * 100) % 36000;
  return cdeg < 0 ? cdeg + 36000 : cdeg;
}
