import type { Plume, PointPx } from '../detect/index.js';
import { type CameraModel, scaleCamera } from './camera.js';
import { flatGround, type GroundModel } from './ground.js';
import { cameraHeadingRad, cameraPitchRad, type Pose } from './pose.js';
import { localToPixel, pixelToGround } from './project.js';
import { DEFAULT_POSE_ERRORS, groundUncertaintyM, type PoseErrors } from './uncertainty.js';

/** A camera pitched below this looks steeply down: the plume is seen from above, lying on the ground. */
export const STEEP_VIEW_PITCH_RAD = (-60 * Math.PI) / 180;
/** Below this wind the dust does not drift one way, and its upwind edge says nothing of its source. */
export const MIN_DRIFT_WIND_MS = 1;

/** A plume as detect found it, with the size of the frame its pixels are in. */
export interface PlumeInFrame {
  plume: Plume;
  frameWidthPx: number;
  frameHeightPx: number;
}

export interface GeotaggedPlume {
  ok: true;
  latDeg: number;
  lonDeg: number;
  /** From the vehicle, metres. */
  eastM: number;
  northM: number;
  rangeM: number;
  groundDistanceM: number;
  /** 1-σ horizontal radius, metres. */
  uncertaintyM: number;
  /** The ground under the plume's box, m²; null when a box corner does not meet the ground. */
  areaM2: number | null;
  /** The pixel geotagged, and which of the plume's points it is. */
  pointPx: PointPx;
  point: PlumePoint;
  cameraPitchRad: number;
  cameraHeadingRad: number;
}

/**
 * Which pixel of a plume marks its source: seen from above, its edge facing the wind (dust leaves the
 * source and drifts downwind), or its peak when there is no wind to say; seen obliquely, where it
 * leaves the ground ('source'), or its peak when it drifts toward the camera (see `sourcePoint`).
 */
export type PlumePoint = 'upwind-edge' | 'peak' | 'source';

export type GeotagResult = GeotaggedPlume | { ok: false; reason: string };

/**
 * Places a plume on the ground at its source (see PlumePoint). The footprint is the box's four corners
 * projected (an estimate: the box holds dust above the ground too).
 */
export function geotagPlume(
  camera: CameraModel,
  pose: Pose,
  plume: PlumeInFrame,
  ground: GroundModel,
  errors: PoseErrors = DEFAULT_POSE_ERRORS,
): GeotagResult {
  const frameCamera = scaleCamera(camera, plume.frameWidthPx, plume.frameHeightPx);
  const pitchRad = cameraPitchRad(frameCamera, pose);
  const headingRad = cameraHeadingRad(frameCamera, pose);
  const { point, pointPx } = sourcePoint(frameCamera, pose, plume.plume, ground);
  const hit = pixelToGround(frameCamera, pose, pointPx, ground);
  if (hit.kind !== 'ground') return { ok: false, reason: `plume ${point} pixel: ${hit.reason}` };
  const uncertaintyM = groundUncertaintyM(frameCamera, pose, pointPx, ground, errors);
  if (uncertaintyM === null || !Number.isFinite(uncertaintyM)) {
    return {
      ok: false,
      reason: `plume ${point} pixel is too close to the horizon to place: within the pose errors its ray misses the ground`,
    };
  }
  return {
    ok: true,
    latDeg: hit.latDeg,
    lonDeg: hit.lonDeg,
    eastM: hit.eastM,
    northM: hit.northM,
    rangeM: hit.rangeM,
    groundDistanceM: hit.groundDistanceM,
    uncertaintyM,
    areaM2: footprintM2(frameCamera, pose, plume.plume, ground),
    pointPx: { ...pointPx },
    point,
    cameraPitchRad: pitchRad,
    cameraHeadingRad: headingRad,
  };
}

/** A source pixel this close to the frame's edge (share of the shorter side) may lie beyond it. */
const EDGE_MARGIN_SHARE = 0.02;
/**
 * Seen obliquely, a plume whose upwind edge lies within this angle of straight up the picture drifts
 * toward the camera: that edge is dust standing above and beyond its source (see sourcePoint).
 */
const TOWARD_CAMERA_RAD = Math.PI / 4;

/**
 * Whether the frame shows where the plume leaves its source, so that it can be placed from this view.
 * A plume not cut by the frame's edge always can; a cut one only when its upwind edge is away from the
 * frame's edge — its downwind end may run out of the picture — and never from above without wind to
 * tell which end that is, since the cut part could hold the source. `marginShare`: how far inside the edge that
 * pixel must be, as a share of the frame's shorter side.
 */
export function sourceInFrame(
  camera: CameraModel,
  pose: Pose,
  plume: PlumeInFrame,
  marginShare = EDGE_MARGIN_SHARE,
): boolean {
  if (!plume.plume.cutByFrameEdge) return true;
  const frameCamera = scaleCamera(camera, plume.frameWidthPx, plume.frameHeightPx);
  const { upwindPx } = sourcePoint(frameCamera, pose, plume.plume, flatGround(pose.groundAmslM));
  if (upwindPx === null) return false;
  const marginPx = marginShare * Math.min(plume.frameWidthPx, plume.frameHeightPx);
  return (
    upwindPx.x > marginPx &&
    upwindPx.y > marginPx &&
    upwindPx.x < plume.frameWidthPx - marginPx &&
    upwindPx.y < plume.frameHeightPx - marginPx
  );
}

/**
 * The plume's source pixel for this view, and the pixel that must be in the picture for the source to
 * be: its upwind edge, or without wind its lowest row seen obliquely, and none from above.
 * Without wind: from above its peak, obliquely its lowest row (where it meets the ground, for dust
 * rising from its source). In a wind (the vehicle's estimate), the edge the picture shows toward the
 * wind: the ground's upwind direction at the plume, projected into the picture — it depends on where the
 * wind blows from against where the camera looks, not on the picture's up. From above that edge is the
 * source. Obliquely, dust stands: where the upwind edge faces the camera or a side, it is dust at the
 * source, but where it faces away (the plume drifts toward the camera) it is the top of the dust above
 * the source, seen against the ground beyond it and placed there, tens of metres too far in a long,
 * tall plume; the densest dust (the peak), which lies near the source, is placed instead.
 */
function sourcePoint(
  camera: CameraModel,
  pose: Pose,
  plume: Plume,
  ground: GroundModel,
): { point: PlumePoint; pointPx: PointPx; upwindPx: PointPx | null } {
  const { wind } = pose;
  const drifting = wind !== undefined && wind.speedMs >= MIN_DRIFT_WIND_MS;
  const oblique = cameraPitchRad(camera, pose) >= STEEP_VIEW_PITCH_RAD;
  const direction = drifting ? upwindInImage(camera, pose, plume.peakPx, wind.fromRad, ground) : null;
  if (direction === null || plume.edgesPx.length === 0) {
    return oblique
      ? { point: 'source', pointPx: plume.sourcePx, upwindPx: plume.sourcePx }
      : { point: 'peak', pointPx: plume.peakPx, upwindPx: null };
  }
  const n = plume.edgesPx.length;
  const k = Math.round(direction.clockwiseFromUpRad / ((2 * Math.PI) / n));
  const upwindPx = plume.edgesPx[((k % n) + n) % n];
  if (!oblique) return { point: 'upwind-edge', pointPx: upwindPx, upwindPx };
  if (Math.abs(direction.clockwiseFromUpRad) < TOWARD_CAMERA_RAD) {
    return { point: 'peak', pointPx: plume.peakPx, upwindPx };
  }
  return { point: 'source', pointPx: upwindPx, upwindPx };
}

/**
 * The direction in the picture, radians clockwise from up in (−π, π], in which the ground runs upwind
 * at the ground point a pixel shows; null when that point is not on the ground or not in view.
 */
function upwindInImage(
  camera: CameraModel,
  pose: Pose,
  atPx: PointPx,
  windFromRad: number,
  ground: GroundModel,
): { clockwiseFromUpRad: number } | null {
  const hit = pixelToGround(camera, pose, atPx, ground);
  if (hit.kind !== 'ground') return null;
  const stepM = Math.max(1, 0.01 * hit.groundDistanceM);
  const upwind = localToPixel(camera, pose, {
    eastM: hit.eastM + stepM * Math.sin(windFromRad),
    northM: hit.northM + stepM * Math.cos(windFromRad),
    altAmslM: hit.altAmslM,
  });
  if (upwind === null) return null;
  const dx = upwind.x - atPx.x;
  const dy = upwind.y - atPx.y;
  if (Math.hypot(dx, dy) < 1e-9) return null;
  return { clockwiseFromUpRad: Math.atan2(dx, -dy) };
}

function footprintM2(camera: CameraModel, pose: Pose, plume: Plume, ground: GroundModel): number | null {
  const { x0, y0, x1, y1 } = plume.box;
  const corners: PointPx[] = [
    { x: x0, y: y0 },
    { x: x1, y: y0 },
    { x: x1, y: y1 },
    { x: x0, y: y1 },
  ];
  const points: [number, number][] = [];
  for (const corner of corners) {
    const hit = pixelToGround(camera, pose, corner, ground);
    if (hit.kind !== 'ground') return null;
    points.push([hit.eastM, hit.northM]);
  }
  let twiceArea = 0;
  for (let i = 0; i < points.length; i++) {
    const [ax, ay] = points[i];
    const [bx, by] = points[(i + 1) % points.length];
    twiceArea += ax * by - bx * ay;
  }
  return Math.abs(twiceArea) / 2;
}
