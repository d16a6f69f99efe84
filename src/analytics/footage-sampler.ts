import type { FootageView } from '../alerts/index.js';
import { areaInConvexM2 } from '../geo/index.js';
import { type CameraModel, type GroundFootprint, groundFootprint, type PoseResult } from '../geotag/index.js';
import { MAX_GROUND_DISTANCE_PER_HEIGHT } from './place-plume.js';
import { FOOTAGE_POLICY, type FootagePolicy } from './policy.js';

/** Offsets closer than this (s) are the same instant: 0.1 + 0.9 is 1 s of video. */
const SAME_OFFSET_S = 1e-3;

export interface FootageSamplerOptions {
  /** The camera at the video's native size. */
  camera: CameraModel;
  /** The vehicle's pose at a time on its clock: the track that places the flight's plumes. */
  poseAt(timeUs: number): PoseResult;
  /** Seconds between analysed frames: a view's last frame stands for this long. */
  frameIntervalS: number;
  policy?: FootagePolicy;
  /** Each view of a recording (an absolute path), once it has ended. */
  onView(recordingPath: string, view: FootageView): void;
}

interface OpenView {
  path: string;
  view: FootageView;
  footprint: GroundFootprint;
  lastOffsetS: number;
  lastUs: number;
}

/**
 * Fills the footage index from the analysed frames: each frame's pose (the same track that geotags it)
 * gives the ground in the picture, and a view of it stands until the next view starts — a second on,
 * or sooner when the picture's ground has moved (FOOTAGE_POLICY). The ground counts out to the range
 * plumes are placed from: three times the drone's height. The frames tie the recording's offsets to the
 * vehicle's clock; where analysed frames are missing from a recording that has them (live analytics
 * falling behind drops frames, not the recording's), the poses between fill the gap at the frames' pace.
 */
export class FootageSampler {
  private open: OpenView | null = null;
  /** The last frame given, posed or not. */
  private last: { path: string; offsetS: number; timeUs: number } | null = null;
  private readonly policy: FootagePolicy;

  constructor(private readonly opts: FootageSamplerOptions) {
    this.policy = opts.policy ?? FOOTAGE_POLICY;
  }

  /** An analysed frame: `offsetS` seconds into the recording at `path`, taken at `timeUs` on the vehicle's clock. */
  frame(path: string, offsetS: number, timeUs: number): void {
    const last = this.last;
    this.last = { path, offsetS, timeUs };
    const stepS = this.opts.frameIntervalS;
    if (last && last.path === path && offsetS - last.offsetS > 1.5 * stepS) {
      const gapS = offsetS - last.offsetS;
      const sameClock = Math.abs((timeUs - last.timeUs) / 1e6 - gapS) <= this.policy.fillClockSlackS;
      if (gapS <= this.policy.fillGapsUpToS && sameClock) {
        for (let k = 1; last.offsetS + k * stepS < offsetS - stepS / 2; k++) {
          this.sample(path, last.offsetS + k * stepS, last.timeUs + k * stepS * 1e6);
        }
      }
    }
    this.sample(path, offsetS, timeUs);
  }

  /** The view at one instant of the recording, from the pose then. */
  private sample(path: string, offsetS: number, timeUs: number): void {
    const at = this.opts.poseAt(timeUs);
    // A frame without a pose (telemetry late or lost) says nothing of the view: the one in progress
    // stands until the next frame with a pose, if that comes within maxFrameGapS.
    if (!at.ok) return;
    const open = this.open;
    if (
      open &&
      (open.path !== path ||
        offsetS <= open.lastOffsetS ||
        offsetS - open.lastOffsetS > this.policy.maxFrameGapS)
    ) {
      this.end();
    }
    const heightM = at.pose.altAmslM - at.pose.groundAmslM;
    const footprint = groundFootprint(this.opts.camera, at.pose, MAX_GROUND_DISTANCE_PER_HEIGHT * heightM);
    if (!footprint) {
      // No ground in view: the view before ends here.
      if (this.open) this.close(offsetS, timeUs);
      return;
    }
    if (this.open) {
      const due = offsetS - this.open.view.startOffsetS >= this.policy.viewEveryS - SAME_OFFSET_S;
      if (!due && overlapShare(footprint, this.open.footprint) >= this.policy.minOverlapShare) {
        this.open.lastOffsetS = offsetS;
        this.open.lastUs = timeUs;
        return;
      }
      this.close(offsetS, timeUs);
    }
    this.open = {
      path,
      footprint,
      lastOffsetS: offsetS,
      lastUs: timeUs,
      view: {
        startOffsetS: offsetS,
        endOffsetS: offsetS,
        startUs: timeUs,
        endUs: timeUs,
        footprint: footprint.ring,
        camera: footprint.camera,
      },
    };
  }

  /** The frames stopped (the recording or the analysis ended): the view in progress ends a frame after its last. */
  end(): void {
    const open = this.open;
    if (open)
      this.close(open.lastOffsetS + this.opts.frameIntervalS, open.lastUs + this.opts.frameIntervalS * 1e6);
  }

  private close(endOffsetS: number, endUs: number): void {
    const open = this.open as OpenView;
    this.open = null;
    this.opts.onView(open.path, { ...open.view, endOffsetS, endUs: Math.round(endUs) });
  }
}

/** The share of `next`'s ground that `last` showed too. */
function overlapShare(next: GroundFootprint, last: GroundFootprint): number {
  const outer = next.ring.map((p) => {
    const local = last.frame.toLocal(p.latDeg, p.lonDeg, 0);
    return { x: local.eastM, y: local.northM };
  });
  return areaInConvexM2([{ outer, holes: [] }], last.ringM) / next.areaM2;
}
