import type { PointPx } from '../detect/index.js';
import { LocalFrame } from '../geo/index.js';
import { type CameraModel, cameraRayToPixel, pixelToCameraRay } from './camera.js';
import type { GroundModel } from './ground.js';
import { cameraToEnu, type Pose } from './pose.js';
import { apply, type Mat3, transpose, type Vec3 } from './rotation.js';

const DEG = Math.PI / 180;
/** Beyond this a ray is called a miss: the flat-earth local frame is no longer exact there. */
export const MAX_GROUND_RANGE_M = 20_000;
/** Terrain march: the shortest step along the ray, metres; bisection then refines to BISECT_TOLERANCE_M. */
const MARCH_MIN_STEP_M = 2;
const BISECT_TOLERANCE_M = 0.005;

/** Where a pixel's ray meets the ground; east/north/range are from the camera (the vehicle's position). */
export interface GroundPoint {
  kind: 'ground';
  latDeg: number;
  lonDeg: number;
  altAmslM: number;
  eastM: number;
  northM: number;
  /** Slant range from the camera. */
  rangeM: number;
  groundDistanceM: number;
}

export type GroundProjection =
  | GroundPoint
  /** The ray points at or above the horizon: it never meets the ground. */
  | { kind: 'above-horizon'; reason: string }
  /** The camera is not above the ground, or the ray meets it only beyond MAX_GROUND_RANGE_M. */
  | { kind: 'no-ground'; reason: string };

/** The camera in a local ENU frame around a reference point: position (up is metres AMSL) and orientation. */
export interface CameraPlacement {
  frame: LocalFrame;
  positionEnu: Vec3;
  toEnu: Mat3;
}

export function placementOf(camera: CameraModel, pose: Pose): CameraPlacement {
  return {
    frame: new LocalFrame({ latDeg: pose.latDeg, lonDeg: pose.lonDeg, altAmslM: 0 }),
    positionEnu: [0, 0, pose.altAmslM],
    toEnu: cameraToEnu(camera, pose),
  };
}

/** Where the ray through `pointPx` meets the ground. */
export function pixelToGround(
  camera: CameraModel,
  pose: Pose,
  pointPx: PointPx,
  ground: GroundModel,
): GroundProjection {
  const placement = placementOf(camera, pose);
  return projectFrom(placement, pixelToCameraRay(camera, pointPx.x, pointPx.y), ground);
}

/**
 * The pixel that shows a point given east and north of the vehicle (metres, as GroundPoint's) at
 * altAmslM, or null when it lies behind the camera.
 */
export function localToPixel(
  camera: CameraModel,
  pose: Pose,
  point: { eastM: number; northM: number; altAmslM: number },
): PointPx | null {
  const fromCamera: Vec3 = [point.eastM, point.northM, point.altAmslM - pose.altAmslM];
  return cameraRayToPixel(camera, apply(transpose(cameraToEnu(camera, pose)), fromCamera));
}

/** Where a camera-frame ray from a placement meets the ground. */
export function projectFrom(
  placement: CameraPlacement,
  rayCamera: Vec3,
  ground: GroundModel,
): GroundProjection {
  const { frame, positionEnu: p } = placement;
  const d = apply(placement.toEnu, rayCamera);
  const elevationDeg = (Math.asin(Math.max(-1, Math.min(1, d[2]))) / DEG).toFixed(1);
  if (d[2] >= -1e-12) {
    return {
      kind: 'above-horizon',
      reason: `the ray points at or above the horizon (elevation ${elevationDeg}°): it never meets the ground`,
    };
  }
  const groundAt = (e: number, n: number) => {
    const geo = frame.toGeo({ eastM: e, northM: n, upM: 0 });
    return ground.elevationAmslM(geo.latDeg, geo.lonDeg);
  };
  const startGroundM = groundAt(p[0], p[1]);
  if (!(p[2] > startGroundM)) {
    return {
      kind: 'no-ground',
      reason: `the camera (${p[2].toFixed(1)} m AMSL) is not above the ground (${startGroundM.toFixed(1)} m AMSL)`,
    };
  }
  const t =
    ground.flatElevationAmslM !== undefined
      ? (ground.flatElevationAmslM - p[2]) / d[2]
      : march(p, d, (e, n) => groundAt(e, n));
  if (t === null || t > MAX_GROUND_RANGE_M) {
    return {
      kind: 'no-ground',
      reason: `the ray (elevation ${elevationDeg}°) meets the ground only beyond ${MAX_GROUND_RANGE_M / 1000} km`,
    };
  }
  const eastM = p[0] + t * d[0];
  const northM = p[1] + t * d[1];
  const geo = frame.toGeo({ eastM, northM, upM: 0 });
  const dEast = eastM - p[0];
  const dNorth = northM - p[1];
  return {
    kind: 'ground',
    latDeg: geo.latDeg,
    lonDeg: geo.lonDeg,
    altAmslM: p[2] + t * d[2],
    eastM: dEast,
    northM: dNorth,
    rangeM: t,
    groundDistanceM: Math.hypot(dEast, dNorth),
  };
}

/**
 * Steps along the ray until it is below the terrain, then bisects: the distance along the (unit) ray to
 * the first crossing, or null within MAX_GROUND_RANGE_M. Steps grow with the height above the terrain.
 */
function march(p: Vec3, d: Vec3, groundAt: (e: number, n: number) => number): number | null {
  const above = (t: number) => p[2] + t * d[2] - groundAt(p[0] + t * d[0], p[1] + t * d[1]);
  let t0 = 0;
  let h0 = above(0);
  while (t0 < MAX_GROUND_RANGE_M) {
    const t1 = Math.min(MAX_GROUND_RANGE_M, t0 + Math.max(MARCH_MIN_STEP_M, 0.5 * h0));
    const h1 = above(t1);
    if (h1 <= 0) {
      let lo = t0;
      let hi = t1;
      while (hi - lo > BISECT_TOLERANCE_M) {
        const mid = (lo + hi) / 2;
        if (above(mid) > 0) lo = mid;
        else hi = mid;
      }
      return (lo + hi) / 2;
    }
    t0 = t1;
    h0 = h1;
  }
  return null;
}
