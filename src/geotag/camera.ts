import type { CameraSpec } from '../camera.js';
import { UserError } from '../errors.js';
import type { Vec3 } from './rotation.js';

const DEG = Math.PI / 180;
const UNDISTORT_ITERATIONS = 50;
/** Normalised image units; about 1e-6 px on a 1000 px-focal camera. */
const UNDISTORT_TOLERANCE = 1e-9;

/** Radial-tangential (Brown–Conrady) distortion in normalised image coordinates, OpenCV's k1 k2 p1 p2. */
export interface Distortion {
  k1: number;
  k2: number;
  p1: number;
  p2: number;
}

/**
 * A pinhole camera: image x right, y down, pixel (0, 0)'s centre at (0.5, 0.5). Focal lengths in
 * pixels; the constructors make square pixels (fx = fy), a camera scaled to a frame of another aspect
 * may not have them.
 */
export interface CameraModel {
  widthPx: number;
  heightPx: number;
  fxPx: number;
  fyPx: number;
  cxPx: number;
  cyPx: number;
  distortion: Distortion | null;
  /**
   * Camera pitch relative to the vehicle body when the pose has no gimbal attitude (a camera fixed to
   * the airframe): −π/2 looks straight down.
   */
  mountPitchRad: number;
}

interface CameraCommon {
  widthPx: number;
  heightPx: number;
  distortion?: Distortion | null;
  /** Body-fixed mount pitch used when telemetry has no gimbal; default −90 (straight down). */
  mountPitchDeg?: number;
}

export type FovCameraSpec = CameraCommon &
  (
    | { horizontalFovDeg: number; verticalFovDeg?: undefined }
    | { verticalFovDeg: number; horizontalFovDeg?: undefined }
  );

export interface FocalCameraSpec extends CameraCommon {
  focalLengthMm: number;
  sensorWidthMm: number;
}

/** A camera from its horizontal or vertical field of view (one of them), degrees. */
export function cameraFromFov(spec: FovCameraSpec): CameraModel {
  const { widthPx, heightPx } = checkSize(spec.widthPx, spec.heightPx);
  const { horizontalFovDeg: h, verticalFovDeg: v } = spec as {
    horizontalFovDeg?: number;
    verticalFovDeg?: number;
  };
  if ((h === undefined) === (v === undefined)) {
    throw new UserError('camera: give exactly one of horizontal FOV or vertical FOV');
  }
  const focalPx =
    h !== undefined
      ? widthPx / 2 / Math.tan((checkFov(h, 'horizontal') * DEG) / 2)
      : heightPx / 2 / Math.tan((checkFov(v as number, 'vertical') * DEG) / 2);
  return build(widthPx, heightPx, focalPx, spec);
}

/** The pilot's camera (its one description) as geotagging models it: straight down without a gimbal. */
export function cameraFromSpec(spec: CameraSpec): CameraModel {
  return cameraFromFov({ widthPx: spec.widthPx, heightPx: spec.heightPx, horizontalFovDeg: spec.hfovDeg });
}

/** A camera from its lens focal length and sensor width, millimetres (the sensor width spans the image width). */
export function cameraFromFocalLength(spec: FocalCameraSpec): CameraModel {
  const { widthPx, heightPx } = checkSize(spec.widthPx, spec.heightPx);
  const focalLengthMm = checkPositive(spec.focalLengthMm, 'focal length', 'mm');
  const sensorWidthMm = checkPositive(spec.sensorWidthMm, 'sensor width', 'mm');
  return build(widthPx, heightPx, (focalLengthMm / sensorWidthMm) * widthPx, spec);
}

/** The same camera seen in a frame scaled (or stretched) to another size: intrinsics scale per axis. */
export function scaleCamera(camera: CameraModel, widthPx: number, heightPx: number): CameraModel {
  checkSize(widthPx, heightPx);
  if (widthPx === camera.widthPx && heightPx === camera.heightPx) return camera;
  const sx = widthPx / camera.widthPx;
  const sy = heightPx / camera.heightPx;
  return {
    ...camera,
    widthPx,
    heightPx,
    fxPx: camera.fxPx * sx,
    fyPx: camera.fyPx * sy,
    cxPx: camera.cxPx * sx,
    cyPx: camera.cyPx * sy,
  };
}

export function horizontalFovRad(camera: CameraModel): number {
  return 2 * Math.atan(camera.widthPx / 2 / camera.fxPx);
}

/**
 * The unit ray through a pixel in the camera frame [forward, right, down], after undistortion.
 * Throws UserError for a non-finite pixel or one the distortion model cannot invert.
 */
export function pixelToCameraRay(camera: CameraModel, xPx: number, yPx: number): Vec3 {
  if (!Number.isFinite(xPx) || !Number.isFinite(yPx)) {
    throw new UserError(`pixel (${xPx}, ${yPx}) is not a finite image point`);
  }
  const xd = (xPx - camera.cxPx) / camera.fxPx;
  const yd = (yPx - camera.cyPx) / camera.fyPx;
  const [x, y] = camera.distortion ? undistort(camera.distortion, xd, yd, xPx, yPx) : [xd, yd];
  const n = Math.hypot(1, x, y);
  return [1 / n, x / n, y / n];
}

/** The pixel where a camera-frame direction [forward, right, down] lands, distortion applied; null behind the camera. */
export function cameraRayToPixel(camera: CameraModel, ray: Vec3): { x: number; y: number } | null {
  if (ray[0] <= 0) return null;
  const [x, y] = camera.distortion
    ? distort(camera.distortion, ray[1] / ray[0], ray[2] / ray[0])
    : [ray[1] / ray[0], ray[2] / ray[0]];
  return { x: camera.cxPx + x * camera.fxPx, y: camera.cyPx + y * camera.fyPx };
}

function distort(d: Distortion, x: number, y: number): [number, number] {
  const r2 = x * x + y * y;
  const radial = 1 + d.k1 * r2 + d.k2 * r2 * r2;
  return [
    x * radial + 2 * d.p1 * x * y + d.p2 * (r2 + 2 * x * x),
    y * radial + d.p1 * (r2 + 2 * y * y) + 2 * d.p2 * x * y,
  ];
}

/** Fixed-point inversion of `distort`, as OpenCV's undistortPoints, checked by distorting back. */
function undistort(d: Distortion, xd: number, yd: number, xPx: number, yPx: number): [number, number] {
  let x = xd;
  let y = yd;
  for (let i = 0; i < UNDISTORT_ITERATIONS; i++) {
    const r2 = x * x + y * y;
    const radial = 1 + d.k1 * r2 + d.k2 * r2 * r2;
    const dx = 2 * d.p1 * x * y + d.p2 * (r2 + 2 * x * x);
    const dy = d.p1 * (r2 + 2 * y * y) + 2 * d.p2 * x * y;
    const nx = (xd - dx) / radial;
    const ny = (yd - dy) / radial;
    const step = Math.hypot(nx - x, ny - y);
    x = nx;
    y = ny;
    if (step < UNDISTORT_TOLERANCE) break;
  }
  const [bx, by] = distort(d, x, y);
  if (!Number.isFinite(x) || !Number.isFinite(y) || Math.hypot(bx - xd, by - yd) > 1e-6) {
    throw new UserError(
      `pixel (${xPx.toFixed(1)}, ${yPx.toFixed(1)}) cannot be undistorted: it lies outside where the ` +
        'distortion coefficients are valid',
    );
  }
  return [x, y];
}

function build(widthPx: number, heightPx: number, focalPx: number, spec: CameraCommon): CameraModel {
  const mountPitchDeg = spec.mountPitchDeg ?? -90;
  if (!Number.isFinite(mountPitchDeg) || mountPitchDeg < -90 || mountPitchDeg > 90) {
    throw new UserError(`camera: mount pitch must be between -90 and 90 degrees, got ${mountPitchDeg}`);
  }
  return {
    widthPx,
    heightPx,
    fxPx: focalPx,
    fyPx: focalPx,
    cxPx: widthPx / 2,
    cyPx: heightPx / 2,
    distortion: checkDistortion(spec.distortion ?? null),
    mountPitchRad: mountPitchDeg * DEG,
  };
}

function checkSize(widthPx: number, heightPx: number): { widthPx: number; heightPx: number } {
  for (const [name, value] of [
    ['width', widthPx],
    ['height', heightPx],
  ] as const) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new UserError(`camera: image ${name} must be a positive whole number of pixels, got ${value}`);
    }
  }
  return { widthPx, heightPx };
}

function checkFov(deg: number, which: string): number {
  if (!Number.isFinite(deg) || deg <= 0 || deg >= 180) {
    throw new UserError(`camera: ${which} FOV must be between 0 and 180 degrees (exclusive), got ${deg}`);
  }
  return deg;
}

function checkPositive(value: number, name: string, unit: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new UserError(`camera: ${name} must be a positive number of ${unit}, got ${value}`);
  }
  return value;
}

function checkDistortion(d: Distortion | null): Distortion | null {
  if (d === null) return null;
  for (const key of ['k1', 'k2', 'p1', 'p2'] as const) {
    if (!Number.isFinite(d[key])) {
      throw new UserError(`camera: distortion coefficient ${key} must be a finite number, got ${d[key]}`);
    }
  }
  return d.k1 === 0 && d.k2 === 0 && d.p1 === 0 && d.p2 === 0 ? null : { ...d };
}
