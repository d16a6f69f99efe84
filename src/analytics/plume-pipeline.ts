import type { AlertService, PlumeSighting } from '../alerts/index.js';
import { type Detector, type Plume, type PlumeTrack, PlumeTracker } from '../detect/index.js';
import {
  type CameraModel,
  DEFAULT_POSE_ERRORS,
  type PoseErrors,
  type TelemetryTrack,
} from '../geotag/index.js';
import type { Frame } from '../video/index.js';
import { type AnalysedFrame, type ConfirmedPlume, detectVideo } from './detect-video.js';
import { type FramePoses, type PlacingContext, placePlume, showsSource } from './place-plume.js';
import { PLUME_POLICY, type PlumePolicy } from './policy.js';

/** Where a flight's frames were taken from, for placing its plumes on the ground. */
export interface PlumePlacing {
  flightId: string;
  /** The camera at the frames' native size (scaled to the analysed frames). */
  camera: CameraModel;
  /** A frame's time on the vehicle's clock, µs since the epoch. */
  frameTimeUs(ptsS: number): number;
  /** The vehicle's poses on its clock (a TelemetryTrack). */
  track: Pick<TelemetryTrack, 'poseAt'>;
  errors?: PoseErrors;
}

/** What live patrols and replays both analyse a flight's video with. */
export interface FlightAnalysisOptions {
  /** The camera at the video's native size (scaled to the analysed frames). */
  camera: CameraModel;
  detector: Detector;
  alerts: AlertService;
  /** Frames analysed per second of video. */
  fps: number;
  /** Frames are scaled to this width for analysis and evidence (default: the video's own). */
  analysisWidthPx?: number;
  poseErrors?: PoseErrors;
}

/** A confirmed plume that raised no alert, and why. */
export interface UnplacedPlume {
  trackId: number;
  atS: number;
  reason: string;
}

export interface PlumePipelineOptions {
  detector: Detector;
  /** The analysed frames' size (for the whole-view test). */
  frameSize: { width: number; height: number };
  policy?: PlumePolicy;
  /** Without it plumes are confirmed but not placed (`detect` on a video). */
  placing?: PlumePlacing;
  /**
   * Each placed sighting, in order: a plume's first one at its first clear view, and its final one,
   * placed from every view it had, when it leaves the picture (revising the first: `revisesKey`).
   */
  onSighting?: (sighting: PlumeSighting) => Promise<void>;
  /** A confirmed plume left the picture without being placed from any of its views. */
  onUnplaced?: (plume: UnplacedPlume) => void;
  /** A confirmed plume left the picture: its track with all its views and its evidence frame. */
  onPlumeEnded?: (plume: ConfirmedPlume) => Promise<void>;
  /** The model failed on a frame: given this, the frame is skipped; without it the error ends the run. */
  onDetectFailed?: (frame: Frame, err: unknown) => void;
}

/**
 * The one plume pipeline: frames (with their poses) → detect → confirm over frames → place → raise and
 * revise. Live patrols, replays and `detect` on a video all run it; they differ in their frame and pose
 * sources and their clock, never in policy. Yields each analysed frame.
 */
export async function* analysePlumes(
  frames: AsyncIterable<Frame>,
  opts: PlumePipelineOptions,
): AsyncGenerator<AnalysedFrame> {
  const policy = opts.policy ?? PLUME_POLICY;
  const placing = opts.placing && placingContext(opts.placing, policy);
  const tracker = new PlumeTracker({
    confirmHits: policy.confirmHits,
    windowFrames: policy.windowFrames,
    ...(placing && {
      requireWholeView: true,
      isWholeView: showsSource(placing.camera, placing.poses, opts.frameSize),
    }),
  });
  const raising = placing && new RaisePolicy(placing, opts, policy);
  const handlers = {
    detectFailed: opts.onDetectFailed,
    confirmed: raising && ((c: ConfirmedPlume) => raising.confirmed(c)),
    ended: async (confirmed: ConfirmedPlume) => {
      await raising?.ended(confirmed);
      await opts.onPlumeEnded?.(confirmed);
    },
  };
  for await (const analysed of detectVideo(frames, opts.detector, tracker, handlers, policy.recentFrames)) {
    if (raising) for (const track of tracker.active()) await raising.frameSeen(track, analysed.frame);
    yield analysed;
  }
}

/** When a confirmed plume is raised and revised: first at a clear view, finally from all its views. */
class RaisePolicy {
  /** Confirmed tracks waiting for a clear view. */
  private readonly waiting = new Set<number>();
  /** The key each track's first alert was raised with: its final sighting revises that alert. */
  private readonly firstKeys = new Map<number, string>();
  private readonly clear: (view: { ptsS: number; plume: Plume }) => boolean;

  constructor(
    private readonly placing: PlacingContext,
    private readonly opts: PlumePipelineOptions,
    policy: PlumePolicy,
  ) {
    const wellInside = showsSource(
      placing.camera,
      placing.poses,
      opts.frameSize,
      policy.firstRaiseMarginShare,
    );
    this.clear = (v) => !v.plume.cutByFrameEdge || wellInside(v.plume, v.ptsS);
  }

  async confirmed(confirmed: ConfirmedPlume): Promise<void> {
    this.waiting.add(confirmed.track.id);
  }

  /** A frame was analysed while `track` is followed: its first alert goes out at its first clear view. */
  async frameSeen(track: PlumeTrack, frame: Frame): Promise<void> {
    if (!this.waiting.has(track.id)) return;
    const view = track.wholeViews.find((v) => v.ptsS === frame.ptsS && this.clear(v));
    if (!view) return;
    this.waiting.delete(track.id);
    const clearTrack = { ...track, best: view, wholeViews: track.wholeViews.filter(this.clear) };
    const placed = placePlume(this.placing, { track: clearTrack, evidence: frame });
    if (!placed.ok) return; // the final placement, from every view, tries again
    this.firstKeys.set(track.id, placed.sighting.sightingKey);
    await this.opts.onSighting?.(placed.sighting);
  }

  /** The plume left the picture: placed again from every view it had, revising its first alert. */
  async ended(confirmed: ConfirmedPlume): Promise<void> {
    const { track } = confirmed;
    this.waiting.delete(track.id);
    const firstKey = this.firstKeys.get(track.id);
    this.firstKeys.delete(track.id);
    const placed = placePlume(this.placing, confirmed);
    if (!placed.ok) {
      if (firstKey === undefined)
        this.opts.onUnplaced?.({ trackId: track.id, atS: track.best.ptsS, reason: placed.reason });
      return;
    }
    await this.opts.onSighting?.({
      ...placed.sighting,
      sightingKey: `${firstKey ?? placed.sighting.sightingKey}/all`,
      revisesKey: firstKey,
    });
  }
}

/** A frame's pose is the track's at the frame's time, with telemetry within the policy's gap. */
function placingContext(placing: PlumePlacing, policy: PlumePolicy): PlacingContext {
  const { flightId, camera, frameTimeUs, track, errors } = placing;
  const maxGapUs = policy.maxPoseGapMs * 1000;
  const poses: FramePoses = { frameTimeUs, poseAt: (ptsS) => track.poseAt(frameTimeUs(ptsS), maxGapUs) };
  return { flightId, camera, poses, errors: errors ?? DEFAULT_POSE_ERRORS };
}
