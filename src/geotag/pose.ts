import type { CameraModel } from './camera.js';
import { apply, frdToNed, type Mat3, multiply, nedToEnu, rotY } from './rotation.js';

/** A gimbal's attitude: roll and pitch relative to the horizon, yaw relative to the vehicle's nose or north. */
export interface GimbalAttitude {
  pitchRad: number;
  rollRad: number;
  yawRad: number;
  yawFrame: 'vehicle' | 'earth';
}

/** Where the vehicle was and how it was turned at one instant (vehicle time, µs since the Unix epoch). */
export interface Pose {
  timeUs: number;
  latDeg: number;
  lonDeg: number;
  altAmslM: number;
  altRelM: number;
  /** altAmslM − altRelM: the home (take-off ground) elevation as the vehicle sees it. */
  groundAmslM: number;
  velocityEnuMs: { eastMs: number; northMs: number; upMs: number };
  /** ZYX Euler in NED/FRD: roll right-wing-down, pitch nose-up, yaw clockwise from north. */
  rollRad: number;
  pitchRad: number;
  yawRad: number;
  /** Absent: no gimbal reported, the camera is fixed to the airframe (CameraModel.mountPitchRad). */
  gimbal?: GimbalAttitude;
  /** The autopilot's wind estimate (WIND): where it blows from, clockwise from north, and its speed. */
  wind?: { fromRad: number; speedMs: number };
}

export type PoseResult = { ok: true; pose: Pose } | { ok: false; reason: string };

/**
 * The camera's orientation as a matrix taking camera-frame vectors [forward, right, image-down] to
 * world ENU. A stabilised gimbal: heading = vehicle yaw + gimbal yaw (or the gimbal yaw alone when it is
 * in the earth frame), pitch and roll the gimbal's own; without one, the vehicle's attitude with the
 * camera pitched by its mount.
 */
export function cameraToEnu(camera: CameraModel, pose: Pose): Mat3 {
  const { gimbal } = pose;
  if (gimbal) {
    const headingRad = gimbal.yawFrame === 'earth' ? gimbal.yawRad : pose.yawRad + gimbal.yawRad;
    return nedToEnu(frdToNed(headingRad, gimbal.pitchRad, gimbal.rollRad));
  }
  return nedToEnu(multiply(frdToNed(pose.yawRad, pose.pitchRad, pose.rollRad), rotY(camera.mountPitchRad)));
}

/** The camera's optical axis elevation: 0 at the horizon, −π/2 straight down. */
export function cameraPitchRad(camera: CameraModel, pose: Pose): number {
  const up = apply(cameraToEnu(camera, pose), [1, 0, 0])[2];
  return Math.asin(Math.max(-1, Math.min(1, up)));
}

/**
 * The camera's heading, radians clockwise from north in (−π, π]: where the optical axis points, or in a
 * view looking down, where the top of the image points (the same heading, and defined at nadir too).
 */
export function cameraHeadingRad(camera: CameraModel, pose: Pose): number {
  const m = cameraToEnu(camera, pose);
  const forward = apply(m, [1, 0, 0]);
  const imageUp = apply(m, [0, 0, -1]);
  const lookingDown = forward[2] < 0;
  const e = forward[0] + (lookingDown ? imageUp[0] : 0);
  const n = forward[1] + (lookingDown ? imageUp[1] : 0);
  return Math.atan2(e, n);
}
