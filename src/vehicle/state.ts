import { ardupilotmega, common, minimal } from 'node-mavlink';
import {
  decodeGlobalPosition,
  decodeGpsQuality,
  decodeHomePosition,
  decodeSysStatusBattery,
  type ReceivedMessage,
} from '../mavlink/index.js';
import { type Firmware, firmwareOf, flightModeName } from './flight-modes.js';

/** EKF_STATUS_REPORT / ESTIMATOR_STATUS flag: absolute horizontal position is good. */
const EKF_POS_HORIZ_ABS = 16;
const MAV_MODE_FLAG_SAFETY_ARMED = 128;
const STATUS_TEXTS_KEPT = 20;

export interface GeoPosition {
  latDeg: number;
  lonDeg: number;
  altAmslM: number;
}

export interface StatusText {
  timeUs: number;
  /** MAV_SEVERITY: 0 emergency … 7 debug */
  severity: number;
  text: string;
}

/** What one vehicle has told us, in SI units and degrees. Fields stay null until first heard. */
export interface VehicleState {
  sysid: number;
  compid: number;
  firmware: Firmware;
  armed: boolean;
  modeName: string;
  customMode: number;
  /** MAV_STATE from the heartbeat. */
  systemStatus: number;
  lastHeartbeatUs: number;
  position: (GeoPosition & { altRelM: number; timeUs: number }) | null;
  velocityNedMs: [number, number, number] | null;
  groundSpeedMs: number | null;
  headingDeg: number | null;
  attitude: { rollRad: number; pitchRad: number; yawRad: number; timeUs: number } | null;
  battery: { voltageV: number | null; remainingPct: number | null; currentA: number | null } | null;
  gps: { fixType: number; satellites: number | null; hdop: number | null } | null;
  ekfPositionOk: boolean;
  home: GeoPosition | null;
  /** MAV_LANDED_STATE from EXTENDED_SYS_STATE, when the vehicle sends it. */
  landedState: number | null;
  missionCurrentSeq: number | null;
  /** MISSION_CURRENT.total: items excluding an autopilot-stored home; seq equals it on the last item. */
  missionTotal: number | null;
  statusTexts: StatusText[];
}

export function initialState(sysid: number, compid: number, autopilot: number): VehicleState {
  return {
    sysid,
    compid,
    firmware: firmwareOf(autopilot),
    armed: false,
    modeName: 'UNKNOWN',
    customMode: -1,
    systemStatus: 0,
    lastHeartbeatUs: 0,
    position: null,
    velocityNedMs: null,
    groundSpeedMs: null,
    headingDeg: null,
    attitude: null,
    battery: null,
    gps: null,
    ekfPositionOk: false,
    home: null,
    landedState: null,
    missionCurrentSeq: null,
    missionTotal: null,
    statusTexts: [],
  };
}

/**
 * Folds one message from this vehicle into its state. Returns true when the message changed it.
 * Pure apart from mutating `state`; the Vehicle class decides which messages are this vehicle's.
 */
export function applyMessage(state: VehicleState, rx: ReceivedMessage): boolean {
  const m = rx.message;
  if (m instanceof minimal.Heartbeat) {
    state.armed = (m.baseMode & MAV_MODE_FLAG_SAFETY_ARMED) !== 0;
    state.customMode = m.customMode;
    state.modeName = flightModeName(state.firmware, m.customMode);
    state.systemStatus = m.systemStatus;
    state.lastHeartbeatUs = rx.timeUs;
  } else if (m instanceof common.GlobalPositionInt) {
    const p = decodeGlobalPosition(m);
    if (!p) return false;
    state.position = {
      latDeg: p.latDeg,
      lonDeg: p.lonDeg,
      altAmslM: p.altAmslM,
      altRelM: p.altRelM,
      timeUs: rx.timeUs,
    };
    state.velocityNedMs = [p.velNorthMs, p.velEastMs, p.velDownMs];
    state.groundSpeedMs = Math.hypot(p.velNorthMs, p.velEastMs);
    if (p.headingDeg !== null) state.headingDeg = p.headingDeg;
  } else if (m instanceof common.Attitude) {
    state.attitude = { rollRad: m.roll, pitchRad: m.pitch, yawRad: m.yaw, timeUs: rx.timeUs };
  } else if (m instanceof common.SysStatus) {
    state.battery = decodeSysStatusBattery(m);
  } else if (m instanceof common.GpsRawInt) {
    state.gps = decodeGpsQuality(m);
  } else if (m instanceof ardupilotmega.EkfStatusReport) {
    state.ekfPositionOk = (m.flags & EKF_POS_HORIZ_ABS) !== 0;
  } else if (m instanceof common.EstimatorStatus) {
    state.ekfPositionOk = (m.flags & EKF_POS_HORIZ_ABS) !== 0;
  } else if (m instanceof common.HomePosition) {
    state.home = decodeHomePosition(m);
  } else if (m instanceof common.ExtendedSysState) {
    state.landedState = m.landedState;
  } else if (m instanceof common.MissionCurrent) {
    state.missionCurrentSeq = m.seq;
    if (m.total !== undefined && m.total !== 0xffff) state.missionTotal = m.total;
  } else if (m instanceof common.StatusText) {
    state.statusTexts.push({ timeUs: rx.timeUs, severity: m.severity, text: m.text });
    if (state.statusTexts.length > STATUS_TEXTS_KEPT) state.statusTexts.shift();
  } else {
    return false;
  }
  return true;
}
