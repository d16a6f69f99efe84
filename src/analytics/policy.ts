/**
 * The one plume policy: how live patrols, replays and `detect` on video confirm a plume across frames
 * and when its alert is raised. They differ only in their sources and their clock.
 */
export interface PlumePolicy {
  /** A plume is confirmed once seen in confirmHits of the last windowFrames analysed frames. */
  confirmHits: number;
  windowFrames: number;
  /**
   * A confirmed plume's first alert waits for a view that shows its source this far inside the picture
   * (a share of the picture's height), or the plume whole: coming into the picture a plume shows only
   * part of itself, and placed from that part it can be tens of metres off.
   */
  firstRaiseMarginShare: number;
  /** A frame is placed only with telemetry this close on both sides (10 Hz telemetry: 100 ms apart). */
  maxPoseGapMs: number;
  /** Frames kept so that a plume confirmed now can show the earlier frame where it looked best. */
  recentFrames: number;
}

/**
 * 3 sightings in the last 4 analysed frames (1 s at 4 fps, 2 s at 2 fps): a supervisor wants the alert
 * while the drone is still there. Flicker on ground texture is held back by needing the plume's source
 * in the picture wherever the frames' poses are known.
 */
export const PLUME_POLICY: PlumePolicy = {
  confirmHits: 3,
  windowFrames: 4,
  firstRaiseMarginShare: 0.15,
  maxPoseGapMs: 500,
  recentFrames: 8,
};

/** How the footage index samples what the camera saw (analytics/footage-sampler.ts). */
export interface FootagePolicy {
  /** A new view of the ground at least this often, seconds of video… */
  viewEveryS: number;
  /** …and sooner, at the first analysed frame of which less than this share lies in the last view's ground. */
  minOverlapShare: number;
  /**
   * Analysed frames with a pose further apart than this (seconds of video: a stream that stalled,
   * telemetry lost) do not join one view: the view before ends one frame interval after its last frame.
   * Closer, the view stands across the frames between, which say nothing of it.
   */
  maxFrameGapS: number;
  /**
   * Analysed frames of one recording further apart than a frame interval, but no more than this (s),
   * are filled in with the poses between them, at the frames' pace: live analytics that falls behind
   * skips frames the recording has…
   */
  fillGapsUpToS: number;
  /** …provided the two frames' times on the vehicle's clock differ as their offsets do, within this (s). */
  fillClockSlackS: number;
}

/** A view a second, sooner when the camera turns or the drone moves a fifth of its picture. */
export const FOOTAGE_POLICY: FootagePolicy = {
  viewEveryS: 1,
  minOverlapShare: 0.8,
  maxFrameGapS: 2,
  fillGapsUpToS: 60,
  fillClockSlackS: 0.5,
};
