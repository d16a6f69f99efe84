import { UserError } from '../errors.js';
import { clipToConvex, convexHull, LocalFrame, type Ring, signedAreaM2, type Vec2 } from '../geo/index.js';
import { type CameraModel, pixelToCameraRay } from './camera.js';
import { cameraHeadingRad, cameraPitchRad, cameraToEnu, type Pose } from './pose.js';
import { apply } from './rotation.js';

const DEG = Math.PI / 180;
/** Points along each edge of the picture whose rays outline the footprint (a lens's distortion bends the edges). */
const EDGE_STEPS = 8;
/** The range limit is a circle drawn with this many sides. */
const RANGE_SIDES = 36;
/** Below this the picture shows no ground worth indexing. */
const MIN_FOOTPRINT_M2 = 1;

/** Where the camera was and how it pointed, for a person reading the index. */
export interface CameraView {
  latDeg: number;
  lonDeg: number;
  altRelM: number;
  /** Where the picture's top points, degrees clockwise from north. */
  headingDeg: number;
  /** The optical axis below (negative) or above the horizon, degrees. */
  pitchDeg: number;
}

/** The ground a picture shows: its outline, in degrees and in metres around the point below the camera. */
export interface GroundFootprint {
  /** Counter-clockwise, not closed. */
  ring: { latDeg: number; lonDeg: number }[];
  /** The same ring in metres east (x) and north (y) of the point below the camera. */
  ringM: Ring;
  frame: LocalFrame;
  areaM2: number;
  camera: CameraView;
}

/**
 * The ground in view: the camera's frustum meeting flat ground at the home elevation (as plumes are
 * placed), no farther than `maxRangeM` from the point below the camera. The picture's edge rays are
 * cast onto the ground; a ray that meets it beyond the range, or points above the horizon, stands for
 * the ground out to the range in its direction. Null when the camera is not above the ground or sees
 * none of it within the range (looking at the sky).
 */
export function groundFootprint(camera: CameraModel, pose: Pose, maxRangeM: number): GroundFootprint | null {
  const heightM = pose.altAmslM - pose.groundAmslM;
  if (!(heightM > 0) || !(maxRangeM > 0)) return null;
  const toEnu = cameraToEnu(camera, pose);
  // Past the range circle, so that clipping to it draws the far edge.
  const farM = 2 * maxRangeM;
  const points: Vec2[] = [];
  for (const [xPx, yPx] of edgePixels(camera)) {
    let ray: readonly number[];
    try {
      ray = apply(toEnu, pixelToCameraRay(camera, xPx, yPx));
    } catch (err) {
      if (err instanceof UserError) continue; // outside where the lens model holds
      throw err;
    }
    const [east, north, up] = ray;
    const horizontal = Math.hypot(east, north);
    const along = up < 0 ? (heightM / -up) * horizontal : Number.POSITIVE_INFINITY;
    if (along <= farM) points.push({ x: (east * heightM) / -up, y: (north * heightM) / -up });
    else if (horizontal > 1e-9)
      points.push({ x: (east / horizontal) * farM, y: (north / horizontal) * farM });
  }
  const hull = convexHull(points);
  if (hull.length < 3) return null;
  const rangeCircle = Array.from({ length: RANGE_SIDES }, (_, k) => {
    const a = (2 * Math.PI * k) / RANGE_SIDES;
    return { x: maxRangeM * Math.cos(a), y: maxRangeM * Math.sin(a) };
  });
  const ringM = clipToConvex(hull, rangeCircle);
  const areaM2 = Math.abs(signedAreaM2(ringM));
  if (ringM.length < 3 || areaM2 < MIN_FOOTPRINT_M2) return null;
  const frame = new LocalFrame({ latDeg: pose.latDeg, lonDeg: pose.lonDeg, altAmslM: 0 });
  const ring = ringM.map((p) => {
    const geo = frame.toGeo({ eastM: p.x, northM: p.y, upM: 0 });
    return { latDeg: geo.latDeg, lonDeg: geo.lonDeg };
  });
  return {
    ring,
    ringM,
    frame,
    areaM2,
    camera: {
      latDeg: pose.latDeg,
      lonDeg: pose.lonDeg,
      altRelM: pose.altRelM,
      headingDeg: (cameraHeadingRad(camera, pose) / DEG + 360) % 360 || 0,
      pitchDeg: cameraPitchRad(camera, pose) / DEG,
    },
  };
}

/** The picture's outline in pixels, clockwise from the top-left corner, each corner once. */
function edgePixels(camera: CameraModel): [number, number][] {
  const w = camera.widthPx;
  const h = camera.heightPx;
  const out: [number, number][] = [];
  for (let k = 0; k < EDGE_STEPS; k++) out.push([(w * k) / EDGE_STEPS, 0]);
  for (let k = 0; k < EDGE_STEPS; k++) out.push([w, (h * k) / EDGE_STEPS]);
  for (let k = 0; k < EDGE_STEPS; k++) out.push([w - (w * k) / EDGE_STEPS, h]);
  for (let k = 0; k < EDGE_STEPS; k++) out.push([0, h - (h * k) / EDGE_STEPS]);
  return out;
}
