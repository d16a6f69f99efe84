import type { Plume, PointPx } from '../detect/index.js';
import { type CameraModel, scaleCamera } from './camera.js';
import { flatGround, type GroundModel } from './ground.js';
import { cameraHeadingRad, cameraPitchRad, type Pose } from './pose.js';
import { pixelToGround } from './project.js';
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
 * leaves the ground (see `sourcePoint`).
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
 * Whether the frame shows where the plume leaves its source (the pixel geotagPlume would place), so
 * that it can be placed from this view. A plume not cut by the frame's edge always can; a cut one only
 * when its source pixel is away from the edge — its downwind end may run out of the picture — and
 * never when the peak stands in for the source (no wind), since the cut part could be denser.
 * `marginShare`: how far inside the edge that pixel must be, as a share of the frame's shorter side.
 */
export function sourceInFrame(
  camera: CameraModel,
  pose: Pose,
  plume: PlumeInFrame,
  marginShare = EDGE_MARGIN_SHARE,
): boolean {
  if (!plume.plume.cutByFrameEdge) return true;
  const frameCamera = scaleCamera(camera, plume.frameWidthPx, plume.frameHeightPx);
  const { point, pointPx } = sourcePoint(frameCamera, pose, plume.plume, flatGround(pose.groundAmslM));
  if (point === 'peak') return false;
  const marginPx = marginShare * Math.min(plume.frameWidthPx, plume.frameHeightPx);
  return (
    pointPx.x > marginPx &&
    pointPx.y > marginPx &&
    pointPx.x < plume.frameWidthPx - marginPx &&
    pointPx.y < plume.frameHeightPx - marginPx
  );
}

/**
 * The plume's source pixel for this view. From above: its edge facing the wind, or its peak without
 * wind. Obliquely: its lowest row is where its near edge comes closest to the camera, which for a plume
 * widening downwind lies downwind of its source; in a wind, of that row and the outermost points of the
 * plume's lower half (dust at the ground), the one whose ground point lies furthest into the wind.
 */
function sourcePoint(
  camera: CameraModel,
  pose: Pose,
  plume: Plume,
  ground: GroundModel,
): { point: PlumePoint; pointPx: PointPx } {
  const { wind } = pose;
  const drifting = wind !== undefined && wind.speedMs >= MIN_DRIFT_WIND_MS;
  if (cameraPitchRad(camera, pose) >= STEEP_VIEW_PITCH_RAD) {
    if (!drifting) return { point: 'source', pointPx: plume.sourcePx };
    const midY = (plume.box.y0 + plume.box.y1) / 2;
    const base = [plume.sourcePx, ...plume.edgesPx.filter((p) => p.y >= midY)];
    const upwind = { eastM: Math.sin(wind.fromRad), northM: Math.cos(wind.fromRad) };
    let best = { pointPx: plume.sourcePx, intoWindM: Number.NEGATIVE_INFINITY };
    for (const pointPx of base) {
      const hit = pixelToGround(camera, pose, pointPx, ground);
      if (hit.kind !== 'ground') continue;
      const intoWindM = hit.eastM * upwind.eastM + hit.northM * upwind.northM;
      if (intoWindM > best.intoWindM) best = { pointPx, intoWindM };
    }
    return { point: 'source', pointPx: best.pointPx };
  }
  if (!drifting || plume.edgesPx.length === 0) return { point: 'peak', pointPx: plume.peakPx };
  // Seen from above, the top of the picture faces the camera's heading: a ground bearing β lies at
  // β − heading clockwise from up in the image.
  const sectorRad = (2 * Math.PI) / plume.edgesPx.length;
  const k = Math.round((wind.fromRad - cameraHeadingRad(camera, pose)) / sectorRad);
  const n = plume.edgesPx.length;
  return { point: 'upwind-edge', pointPx: plume.edgesPx[((k % n) + n) % n] };
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
