import type { ardupilotmega, common } from 'node-mavlink';
import { decodeXY } from './mission-wire.js';

const DEG_E7 = 1e7;
const DEG = Math.PI / 180;
const UINT16_UNKNOWN = 0xffff;
const UINT8_UNKNOWN = 0xff;

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
