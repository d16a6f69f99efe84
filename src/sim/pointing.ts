import { bearingRad, horizontalDistanceM, type LocalPoint, wrapPi, wrapTwoPi } from '../geo/index.js';

const DEG = Math.PI / 180;
/** Gimbal pitch range, degrees (down is negative). */
const PITCH_MIN_DEG = -90;
const PITCH_MAX_DEG = 25;
/** CONDITION_YAW is done within this of the target heading (Copter: 2°). */
const YAW_DONE_WITHIN_RAD = 2 * DEG;

/**
 * Copter's auto-yaw: what the heading follows in AUTO and GUIDED. One mode at a time, as on Copter:
 * a region of interest, or a fixed heading (CONDITION_YAW), or facing the next waypoint.
 */
export class AutoYaw {
  private fixedRad: number | null = null;
  private roi: LocalPoint | null = null;

  /** CONDITION_YAW: hold this heading (instead of any region of interest) until the next waypoint starts. */
  setFixed(headingRad: number): void {
    this.fixedRad = wrapTwoPi(headingRad);
    this.roi = null;
  }

  /** DO_SET_ROI_LOCATION: face the point (null: stop facing it). */
  setRoi(point: LocalPoint | null): void {
    this.roi = point;
    this.fixedRad = null;
  }

  clearFixed(): void {
    this.fixedRad = null;
  }

  /** Back to the default (a mode change): no fixed heading, no region of interest. */
  reset(): void {
    this.fixedRad = null;
    this.roi = null;
  }

  reached(yawRad: number): boolean {
    return this.fixedRad === null || Math.abs(wrapPi(this.fixedRad - yawRad)) <= YAW_DONE_WITHIN_RAD;
  }

  /** The heading to turn to; null holds the present one. `lookAhead` is the next waypoint, if facing it. */
  target(position: LocalPoint, lookAhead: LocalPoint | null): number | null {
    if (this.roi && horizontalDistanceM(position, this.roi) > 1) return bearingRad(position, this.roi);
    if (this.fixedRad !== null) return this.fixedRad;
    return lookAhead ? bearingRad(position, lookAhead) : null;
  }
}

/** A two-axis camera gimbal: stabilised pitch, yaw relative to the vehicle or locked to north. */
export class Gimbal {
  pitchDeg = 0;
  /** Yaw relative to the vehicle's nose, degrees, clockwise positive. */
  yawBodyDeg = 0;
  private target:
    | { kind: 'angles'; pitchDeg: number; yawDeg: number; earthFrame: boolean }
    | { kind: 'roi'; point: LocalPoint } = {
    kind: 'angles',
    pitchDeg: 0,
    yawDeg: 0,
    earthFrame: false,
  };

  /** DO_MOUNT_CONTROL, DO_GIMBAL_MANAGER_PITCHYAW: fixed angles; yaw in the earth frame when locked. */
  setAngles(pitchDeg: number, yawDeg: number, earthFrame: boolean): void {
    this.target = { kind: 'angles', pitchDeg, yawDeg, earthFrame };
  }

  /** DO_SET_ROI_LOCATION: keep the camera on the point. */
  pointAt(point: LocalPoint): void {
    this.target = { kind: 'roi', point };
  }

  /** DO_SET_ROI_NONE: stay at the present angles. */
  hold(): void {
    this.target = { kind: 'angles', pitchDeg: this.pitchDeg, yawDeg: this.yawBodyDeg, earthFrame: false };
  }

  update(position: LocalPoint, vehicleYawRad: number): void {
    if (this.target.kind === 'roi') {
      const roi = this.target.point;
      const distM = horizontalDistanceM(position, roi);
      this.pitchDeg = clampPitch(Math.atan2(roi.upM - position.upM, distM) / DEG);
      this.yawBodyDeg = distM > 1 ? wrapPi(bearingRad(position, roi) - vehicleYawRad) / DEG : 0;
      return;
    }
    this.pitchDeg = clampPitch(this.target.pitchDeg);
    this.yawBodyDeg = this.target.earthFrame
      ? wrapPi(this.target.yawDeg * DEG - vehicleYawRad) / DEG
      : wrapPi(this.target.yawDeg * DEG) / DEG;
  }
}

function clampPitch(deg: number): number {
  return Math.min(PITCH_MAX_DEG, Math.max(PITCH_MIN_DEG, deg));
}
