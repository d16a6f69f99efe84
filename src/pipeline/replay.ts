import path from 'node:path';
import type { AlertService, RaiseResult } from '../alerts/index.js';
import { type Detector, PlumeTracker } from '../detect/index.js';
import { UserError } from '../errors.js';
import { type CameraModel, DEFAULT_POSE_ERRORS, type PoseErrors } from '../geotag/index.js';
import { openVideo } from '../video/index.js';
import { type ConfirmedPlume, detectVideo } from './detect-video.js';
import { flightIdAt } from './flight-id.js';
import { type FlightTelemetry, loadFlightTelemetry } from './flight-telemetry.js';
import { type FramePoses, placePlume, showsSource } from './place-plume.js';

/** A frame is tagged only with telemetry this close on both sides (10 Hz telemetry: 100 ms apart). */
export const DEFAULT_MAX_POSE_GAP_MS = 500;

/** A plume is reported once seen in 5 of the last 7 analysed frames (2.5 s of 3.5 s at 2 fps). */
const PLACING_CONFIRMATION = { confirmHits: 5, windowFrames: 7 };

export interface ReplayOptions {
  tlogPath: string;
  videoPath: string;
  /** When the video's first frame was taken, µs since the epoch; default: the file's creation_time. */
  videoStartUs?: number;
  /** Added to every frame time: the camera's clock error, seconds. */
  offsetS?: number;
  /** Frames analysed per second of video. */
  fps: number;
  /** Frames are scaled to this width for analysis and evidence (default: the video's own). */
  analysisWidthPx?: number;
  /** The camera at the video's native size (scaled to the analysed frames). */
  camera: CameraModel;
  detector: Detector;
  alerts: AlertService;
  poseErrors?: PoseErrors;
  maxPoseGapMs?: number;
  onProgress?: (progress: ReplayProgress) => void;
  signal?: AbortSignal;
}

export interface ReplayProgress {
  videoS: number;
  durationS: number;
  frames: number;
  raised: number;
}

/** A confirmed plume that raised no alert, and why. */
export interface UntaggedPlume {
  trackId: number;
  atS: number;
  reason: string;
}

export interface ReplaySummary {
  flightId: string;
  sysid: number;
  videoStartUs: number;
  videoDurationS: number;
  framesAnalysed: number;
  plumesConfirmed: number;
  raised: RaiseResult[];
  untagged: UntaggedPlume[];
  wallS: number;
}

/**
 * Replays a recorded flight through the live pipeline: the tlog gives the pose at each frame's time
 * (the vehicle's clock), the video gives the frames, and every confirmed plume is geotagged and handed
 * to the alert service, as fast as the CPU allows.
 */
export async function replayFlight(opts: ReplayOptions): Promise<ReplaySummary> {
  const wallStartMs = Date.now();
  const telemetry = await loadFlightTelemetry(opts.tlogPath, opts.signal);
  const source = await openVideo(opts.videoPath, {
    fps: opts.fps,
    width: opts.analysisWidthPx,
    signal: opts.signal,
  });
  try {
    const videoStartUs = opts.videoStartUs ?? source.info.creationTimeUs;
    if (videoStartUs === undefined) {
      throw new UserError(
        `${opts.videoPath}: the video does not say when it was recorded (no creation_time); give --video-start`,
      );
    }
    const durationS = source.info.durationS ?? 0;
    const clockStartUs = videoStartUs + (opts.offsetS ?? 0) * 1e6;
    checkOverlap(opts, telemetry, clockStartUs, durationS);

    const flightId = flightIdOf(telemetry);
    opts.alerts.registerFlight({
      id: flightId,
      name: path.basename(opts.tlogPath),
      tlogPath: path.resolve(opts.tlogPath),
      videoPath: path.resolve(opts.videoPath),
      vehicleSysid: telemetry.sysid,
      startedUs: telemetry.startUs,
      endedUs: telemetry.endUs,
    });

    const maxGapUs = (opts.maxPoseGapMs ?? DEFAULT_MAX_POSE_GAP_MS) * 1000;
    const poses: FramePoses = {
      frameTimeUs: (ptsS) => clockStartUs + ptsS * 1e6,
      poseAt: (ptsS) => telemetry.track.poseAt(clockStartUs + ptsS * 1e6, maxGapUs),
    };
    const placing = { flightId, camera: opts.camera, poses, errors: opts.poseErrors ?? DEFAULT_POSE_ERRORS };
    const raised: RaiseResult[] = [];
    const untagged: UntaggedPlume[] = [];
    let plumesConfirmed = 0;

    const onPlume = async (confirmed: ConfirmedPlume) => {
      plumesConfirmed++;
      const placed = placePlume(placing, confirmed);
      if (placed.ok) raised.push(await opts.alerts.raise(placed.sighting));
      else
        untagged.push({ trackId: confirmed.track.id, atS: confirmed.track.best.ptsS, reason: placed.reason });
    };

    // Only plumes whose source the frame has shown at least once (a long plume's downwind end may run
    // out of the picture). Stricter than detect's 3 of 5: passing overhead, a plume on the ground stays
    // in view for seconds (a 60 m wide footprint at 10 m/s is 6 s), while the model's false alarms on
    // ground texture flicker.
    const tracker = new PlumeTracker({
      ...PLACING_CONFIRMATION,
      requireWholeView: true,
      isWholeView: showsSource(opts.camera, poses, source.info),
    });
    let frames = 0;
    for await (const analysed of detectVideo(source, opts.detector, tracker, { ended: onPlume })) {
      frames++;
      opts.onProgress?.({ videoS: analysed.frame.ptsS, durationS, frames, raised: raised.length });
    }
    return {
      flightId,
      sysid: telemetry.sysid,
      videoStartUs,
      videoDurationS: durationS,
      framesAnalysed: frames,
      plumesConfirmed,
      raised,
      untagged,
      wallS: (Date.now() - wallStartMs) / 1000,
    };
  } finally {
    await source.close();
  }
}

/** One id per recorded flight, the same on every replay of it: its vehicle and first pose time. */
export function flightIdOf(telemetry: FlightTelemetry): string {
  return flightIdAt(telemetry.sysid, telemetry.startUs);
}

function checkOverlap(
  opts: ReplayOptions,
  telemetry: FlightTelemetry,
  clockStartUs: number,
  durationS: number,
): void {
  const videoEndUs = clockStartUs + durationS * 1e6;
  if (videoEndUs >= telemetry.startUs && clockStartUs <= telemetry.endUs) return;
  const iso = (us: number) => new Date(Math.floor(us / 1000)).toISOString();
  throw new UserError(
    `${opts.videoPath} (${iso(clockStartUs)} to ${iso(videoEndUs)}) and ${opts.tlogPath} ` +
      `(${iso(telemetry.startUs)} to ${iso(telemetry.endUs)}) do not overlap in time; ` +
      'give the video start with --video-start or shift it with --offset',
  );
}
