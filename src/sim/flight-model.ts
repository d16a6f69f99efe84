import { ENERGY, thrustRatio } from '../energy.js';
import { type LocalPoint, wrapPi, wrapTwoPi } from '../geo/index.js';

const GRAVITY_MS2 = 9.80665;
/** Horizontal drag per m/s of airspeed, as a tilt: ~15° to hold 10 m/s against the air. */
const DRAG_PER_MS = (GRAVITY_MS2 * Math.tan((15 * Math.PI) / 180)) / 10;
/**
 * The acceleration the motors' thrust follows, smoothed over this long: the motors and the attitude
 * loop take a moment to answer, and the point mass's step-to-step corrections (±0.01 m/s while it
 * holds a height) would otherwise make the current flicker by ±10 % around its mean.
 */
const THRUST_TIME_CONSTANT_S = 0.3;
/** How fast an uncontrolled copter takes on the wind's velocity. */
const DRIFT_TIME_CONSTANT_S = 2;
/** Position and altitude loops: the speed asked for per metre of error close to the target. */
const POSITION_GAIN_PER_S = 1;

export type HorizontalCommand =
  /** Fly to the point and stop there, at up to `speedMs`. */
  | { kind: 'position'; northM: number; eastM: number; speedMs: number }
  /** No horizontal position control (no GPS, ALT_HOLD): the copter drifts with the wind. */
  | { kind: 'drift' };

export type VerticalCommand =
  | { kind: 'altitude'; upM: number; climbMs: number; descentMs: number }
  /** A climb rate, negative down (landing). */
  | { kind: 'rate'; velUpMs: number };

export interface MotionCommand {
  horizontal: HorizontalCommand;
  vertical: VerticalCommand;
  /** Heading to turn to, radians clockwise from north; null keeps the present one. */
  yawRad: number | null;
}

export interface MotionLimits {
  accelHorizMs2: number;
  accelVertMs2: number;
  yawRateRadS: number;
}

export interface Wind {
  /** Velocity of the air, m/s towards north and east. */
  northMs: number;
  eastMs: number;
}

/**
 * The point mass accelerates at a constant rate; ArduPilot's S-curves ramp the acceleration up and
 * down at WPNAV_JERK. This is the constant rate that changes speed by `speedChangeMs` in the same time
 * as the S-curve does, so legs take as long as they do on the real navigator.
 */
export function sCurveAverageAccelMs2(accelMs2: number, jerkMs3: number, speedChangeMs: number): number {
  if (jerkMs3 <= 0 || speedChangeMs <= 0) return accelMs2;
  return speedChangeMs / (speedChangeMs / accelMs2 + accelMs2 / jerkMs3);
}

/** Wind from a compass direction, as METAR and ArduPilot's SIM_WIND_DIR give it. */
export function windFrom(speedMs: number, fromDeg: number): Wind {
  const towardRad = ((fromDeg + 180) * Math.PI) / 180;
  return { northMs: speedMs * Math.cos(towardRad), eastMs: speedMs * Math.sin(towardRad) };
}

/**
 * A copter as a point mass with a heading: position and velocity limited by the waypoint
 * navigator's speeds and accelerations, the wind, and the ground. Attitude is derived from the
 * acceleration and the drag it takes to hold the airspeed.
 */
export class FlightModel {
  readonly position: LocalPoint = { northM: 0, eastM: 0, upM: 0 };
  velNorthMs = 0;
  velEastMs = 0;
  velUpMs = 0;
  yawRad = 0;
  yawRateRadS = 0;
  rollRad = 0;
  pitchRad = 0;
  /**
   * Thrust over hover thrust, which is power over hover power (src/energy.ts, as ArduPilot SITL draws
   * current): the battery's drain and VFR_HUD's throttle.
   */
  effort = 0;
  /** The acceleration the thrust answers (smoothed), m/s², north, east, up. */
  private readonly thrustAccel = { northMs2: 0, eastMs2: 0, upMs2: 0 };

  get onGround(): boolean {
    return this.position.upM <= 0;
  }

  get groundSpeedMs(): number {
    return Math.hypot(this.velNorthMs, this.velEastMs);
  }

  airSpeedMs(wind: Wind): number {
    return Math.hypot(this.velNorthMs - wind.northMs, this.velEastMs - wind.eastMs);
  }

  /** Motors stopped: the copter sits where it is. */
  rest(): void {
    this.velNorthMs = this.velEastMs = this.velUpMs = this.yawRateRadS = 0;
    this.rollRad = this.pitchRad = 0;
    this.effort = 0;
    this.thrustAccel.northMs2 = this.thrustAccel.eastMs2 = this.thrustAccel.upMs2 = 0;
  }

  step(dtS: number, command: MotionCommand, limits: MotionLimits, wind: Wind): void {
    const prevVelNorthMs = this.velNorthMs;
    const prevVelEastMs = this.velEastMs;
    const prevVelUpMs = this.velUpMs;
    this.stepVertical(dtS, command.vertical, limits);
    const grounded = this.onGround && this.velUpMs <= 0;
    if (grounded) {
      this.velUpMs = this.velNorthMs = this.velEastMs = 0;
    } else {
      this.stepHorizontal(dtS, command.horizontal, limits, wind);
    }
    this.stepYaw(dtS, command.yawRad, limits);

    this.position.northM += this.velNorthMs * dtS;
    this.position.eastM += this.velEastMs * dtS;
    this.position.upM = Math.max(0, this.position.upM + this.velUpMs * dtS);

    const forceNorth =
      (this.velNorthMs - prevVelNorthMs) / dtS + DRAG_PER_MS * (this.velNorthMs - wind.northMs);
    const forceEast = (this.velEastMs - prevVelEastMs) / dtS + DRAG_PER_MS * (this.velEastMs - wind.eastMs);
    const forward = forceNorth * Math.cos(this.yawRad) + forceEast * Math.sin(this.yawRad);
    const right = -forceNorth * Math.sin(this.yawRad) + forceEast * Math.cos(this.yawRad);
    this.pitchRad = grounded ? 0 : -Math.atan2(forward, GRAVITY_MS2);
    this.rollRad = grounded ? 0 : Math.atan2(right, GRAVITY_MS2);
    const blend = Math.min(1, dtS / THRUST_TIME_CONSTANT_S);
    const a = this.thrustAccel;
    a.northMs2 += ((this.velNorthMs - prevVelNorthMs) / dtS - a.northMs2) * blend;
    a.eastMs2 += ((this.velEastMs - prevVelEastMs) / dtS - a.eastMs2) * blend;
    a.upMs2 += ((this.velUpMs - prevVelUpMs) / dtS - a.upMs2) * blend;
    this.effort = grounded
      ? ENERGY.groundIdle
      : thrustRatio(
          this.velNorthMs - wind.northMs,
          this.velEastMs - wind.eastMs,
          this.velUpMs,
          a.northMs2,
          a.eastMs2,
          a.upMs2,
        );
  }

  private stepHorizontal(dtS: number, command: HorizontalCommand, limits: MotionLimits, wind: Wind): void {
    if (command.kind === 'drift') {
      const blend = 1 - Math.exp(-dtS / DRIFT_TIME_CONSTANT_S);
      this.velNorthMs += (wind.northMs - this.velNorthMs) * blend;
      this.velEastMs += (wind.eastMs - this.velEastMs) * blend;
      return;
    }
    const dn = command.northM - this.position.northM;
    const de = command.eastM - this.position.eastM;
    const distM = Math.hypot(dn, de);
    const speed = Math.min(
      command.speedMs,
      Math.sqrt(2 * limits.accelHorizMs2 * distM),
      POSITION_GAIN_PER_S * distM + 0.5 * limits.accelHorizMs2 * dtS,
    );
    const wantNorth = distM > 1e-6 ? (dn / distM) * speed : 0;
    const wantEast = distM > 1e-6 ? (de / distM) * speed : 0;
    const changeN = wantNorth - this.velNorthMs;
    const changeE = wantEast - this.velEastMs;
    const change = Math.hypot(changeN, changeE);
    const maxChange = limits.accelHorizMs2 * dtS;
    const scale = change > maxChange ? maxChange / change : 1;
    this.velNorthMs += changeN * scale;
    this.velEastMs += changeE * scale;
  }

  private stepVertical(dtS: number, command: VerticalCommand, limits: MotionLimits): void {
    let want: number;
    if (command.kind === 'rate') {
      want = command.velUpMs;
    } else {
      const dz = command.upM - this.position.upM;
      const magnitude = Math.min(
        Math.sqrt(2 * limits.accelVertMs2 * Math.abs(dz)),
        POSITION_GAIN_PER_S * Math.abs(dz) + 0.5 * limits.accelVertMs2 * dtS,
      );
      want = Math.max(-command.descentMs, Math.min(command.climbMs, Math.sign(dz) * magnitude));
    }
    const maxChange = limits.accelVertMs2 * dtS;
    this.velUpMs += Math.max(-maxChange, Math.min(maxChange, want - this.velUpMs));
  }

  private stepYaw(dtS: number, yawRad: number | null, limits: MotionLimits): void {
    if (yawRad === null) {
      this.yawRateRadS = 0;
      return;
    }
    const error = wrapPi(yawRad - this.yawRad);
    const maxTurn = limits.yawRateRadS * dtS;
    const turn = Math.max(-maxTurn, Math.min(maxTurn, error));
    this.yawRad = wrapTwoPi(this.yawRad + turn);
    this.yawRateRadS = turn / dtS;
  }
}
