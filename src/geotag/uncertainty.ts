import type { PointPx } from '../detect/index.js';
import { UserError } from '../errors.js';
import { type CameraModel, pixelToCameraRay } from './camera.js';
import type { GroundModel } from './ground.js';
import type { Pose } from './pose.js';
import { type CameraPlacement, placementOf, projectFrom } from './project.js';
import { type Mat3, multiply, rotX, rotY, rotZ, type Vec3 } from './rotation.js';

const DEG = Math.PI / 180;

/** 1-σ errors of what a pose is made of. */
export interface PoseErrors {
  /** Horizontal position error, metres: the 1-σ radius (√(σ_east² + σ_north²)), as GPS accuracy is quoted. */
  positionSigmaM: number;
  /** Height above the ground error, metres (altitude and ground elevation together). */
  altitudeSigmaM: number;
  /** Camera attitude error per axis, radians: tilt about two level axes and heading about the vertical. */
  attitudeSigmaRad: number;
  /** Frame-to-telemetry time error, seconds: moves the camera by velocity × this. */
  timingSigmaS: number;
}

/**
 * Typical errors for a small drone with GNSS, a stabilised gimbal and a video stream matched to
 * telemetry by timestamps: GPS 1.5 m horizontal, altitude 1 m, attitude 1° per axis (AHRS and gimbal
 * together), timing 0.1 s (frame timestamp vs vehicle clock).
 */
export const DEFAULT_POSE_ERRORS: Readonly<PoseErrors> = Object.freeze({
  positionSigmaM: 1.5,
  altitudeSigmaM: 1,
  attitudeSigmaRad: 1 * DEG,
  timingSigmaS: 0.1,
});

/**
 * The 1-σ horizontal radius (√(σ_east² + σ_north²)), metres, of where a pixel lands on the ground,
 * propagated from the pose errors by a numeric Jacobian: each error is applied at ±1σ, the pixel
 * reprojected, and the half-differences summed in squares. Null when the pixel does not meet the ground
 * at all; +Infinity when it stops meeting it within 1σ (a ray near the horizon: no usable position).
 */
export function groundUncertaintyM(
  camera: CameraModel,
  pose: Pose,
  pointPx: PointPx,
  ground: GroundModel,
  errors: PoseErrors = DEFAULT_POSE_ERRORS,
): number | null {
  checkErrors(errors);
  const nominal = placementOf(camera, pose);
  const ray = pixelToCameraRay(camera, pointPx.x, pointPx.y);
  const landing = (placement: CameraPlacement): [number, number] | null => {
    const hit = projectFrom(placement, ray, ground);
    if (hit.kind !== 'ground') return null;
    return [placement.positionEnu[0] + hit.eastM, placement.positionEnu[1] + hit.northM];
  };
  if (!landing(nominal)) return null;

  const moved =
    (offset: Vec3) =>
    (sign: number): CameraPlacement => ({
      ...nominal,
      positionEnu: [
        nominal.positionEnu[0] + sign * offset[0],
        nominal.positionEnu[1] + sign * offset[1],
        nominal.positionEnu[2] + sign * offset[2],
      ],
    });
  const turned =
    (rotation: (rad: number) => Mat3, rad: number) =>
    (sign: number): CameraPlacement => ({
      ...nominal,
      toEnu: multiply(rotation(sign * rad), nominal.toEnu),
    });
  const horizontalSigmaM = errors.positionSigmaM / Math.SQRT2;
  const v = pose.velocityEnuMs;
  const t = errors.timingSigmaS;
  const perturbations = [
    moved([horizontalSigmaM, 0, 0]),
    moved([0, horizontalSigmaM, 0]),
    moved([0, 0, errors.altitudeSigmaM]),
    moved([v.eastMs * t, v.northMs * t, v.upMs * t]),
    turned(rotX, errors.attitudeSigmaRad),
    turned(rotY, errors.attitudeSigmaRad),
    turned(rotZ, errors.attitudeSigmaRad),
  ];

  let sumSquaresM2 = 0;
  for (const perturb of perturbations) {
    const plus = landing(perturb(1));
    const minus = landing(perturb(-1));
    if (!plus || !minus) return Number.POSITIVE_INFINITY;
    sumSquaresM2 += ((plus[0] - minus[0]) / 2) ** 2 + ((plus[1] - minus[1]) / 2) ** 2;
  }
  return Math.sqrt(sumSquaresM2);
}

function checkErrors(errors: PoseErrors): void {
  for (const key of ['positionSigmaM', 'altitudeSigmaM', 'attitudeSigmaRad', 'timingSigmaS'] as const) {
    const value = errors[key];
    if (!Number.isFinite(value) || value < 0) {
      throw new UserError(`pose errors: ${key} must be a finite number ≥ 0, got ${value}`);
    }
  }
}
