import type { PlumeSighting } from '../alerts/index.js';
import type { Plume } from '../detect/index.js';
import {
  type CameraModel,
  combineGeotags,
  flatGround,
  type GeotaggedPlume,
  geotagPlume,
  type Pose,
  type PoseErrors,
  type PoseResult,
  sourceInFrame,
} from '../geotag/index.js';
import type { ConfirmedPlume } from './detect-video.js';
import { toSighting } from './sighting.js';

/** Where a flight's frames were taken from: the pose at a frame's pts, on the vehicle's clock. */
export interface FramePoses {
  /** The frame's time on the vehicle's clock, µs since the epoch. */
  frameTimeUs(ptsS: number): number;
  poseAt(ptsS: number): PoseResult;
}

export interface PlacingContext {
  flightId: string;
  camera: CameraModel;
  poses: FramePoses;
  errors: PoseErrors;
}

/**
 * Views placing a plume farther away than this many times the drone's height are not used: near the
 * horizon a tenth of a degree of attitude error moves the point metres, and the plume's base and its
 * drifting top blur into one row (1:3 is 18° below the horizon; a point watch looks 23–40° down).
 */
export const MAX_GROUND_DISTANCE_PER_HEIGHT = 3;

export type Placing = { ok: true; sighting: PlumeSighting } | { ok: false; reason: string };

/**
 * Turns a confirmed plume into a sighting: placed from every view that shows its source (their
 * median), with the drone's pose at the evidence frame. Refused (with the last reason) when no view
 * could be placed: no pose near its frames, or a ray that misses the ground.
 */
export function placePlume(ctx: PlacingContext, confirmed: ConfirmedPlume): Placing {
  const { track, evidence } = confirmed;
  const frameSize = { frameWidthPx: evidence.width, frameHeightPx: evidence.height };
  const placements: { ptsS: number; tag: GeotaggedPlume; pose: Pose }[] = [];
  let lastRefusal = 'no view of it';
  for (const view of track.wholeViews.length > 0 ? track.wholeViews : [track.best]) {
    const at = ctx.poses.poseAt(view.ptsS);
    if (!at.ok) {
      lastRefusal = at.reason;
      continue;
    }
    const ground = flatGround(at.pose.groundAmslM);
    const tag = geotagPlume(ctx.camera, at.pose, { plume: view.plume, ...frameSize }, ground, ctx.errors);
    const heightM = at.pose.altAmslM - at.pose.groundAmslM;
    if (!tag.ok) lastRefusal = tag.reason;
    else if (tag.groundDistanceM > MAX_GROUND_DISTANCE_PER_HEIGHT * heightM) {
      lastRefusal = `seen too far off to place: ${tag.groundDistanceM.toFixed(0)} m away from ${heightM.toFixed(0)} m up`;
    } else placements.push({ ptsS: view.ptsS, tag, pose: at.pose });
  }
  if (placements.length === 0) return { ok: false, reason: lastRefusal };
  const shown = placements.find((p) => p.ptsS === track.best.ptsS) ?? placements[0];
  const placed = combineGeotags(placements.map((p) => p.tag));
  return {
    ok: true,
    sighting: toSighting(ctx.flightId, confirmed, placed, shown, (ptsS) => ctx.poses.frameTimeUs(ptsS)),
  };
}

/**
 * The tracker's "whole view" test for geotagging: the plume's source is in the picture (seen from
 * where the drone was). An edge view may hide the source, and the frame's edges draw false alarms.
 */
export function showsSource(
  camera: CameraModel,
  poses: FramePoses,
  frame: { width: number; height: number },
  marginShare?: number,
): (plume: Plume, ptsS: number) => boolean {
  const frameSize = { frameWidthPx: frame.width, frameHeightPx: frame.height };
  return (plume, ptsS) => {
    const at = poses.poseAt(ptsS);
    return at.ok && sourceInFrame(camera, at.pose, { plume, ...frameSize }, marginShare);
  };
}
