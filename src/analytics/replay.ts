import path from 'node:path';
import type { FootageView, RaiseResult } from '../alerts/index.js';
import { UserError } from '../errors.js';
import { openVideo } from '../video/index.js';
import { flightIdAt } from './flight-id.js';
import { type FlightTelemetry, loadFlightTelemetry } from './flight-telemetry.js';
import { FootageSampler } from './footage-sampler.js';
import { analysePlumes, type FlightAnalysisOptions, type UnplacedPlume } from './plume-pipeline.js';
import { PLUME_POLICY, type PlumePolicy } from './policy.js';

export interface ReplayOptions extends FlightAnalysisOptions {
  tlogPath: string;
  videoPath: string;
  /** When the video's first frame was taken, µs since the epoch; default: the file's creation_time. */
  videoStartUs?: number;
  /** Added to every frame time: the camera's clock error, seconds. */
  offsetS?: number;
  /** The plume policy (default: the one live patrols run). */
  policy?: PlumePolicy;
  onProgress?: (progress: ReplayProgress) => void;
  signal?: AbortSignal;
}

export interface ReplayProgress {
  videoS: number;
  durationS: number;
  frames: number;
  /** Alerts raised so far (a revised alert counts once). */
  alerts: number;
}

export interface ReplaySummary {
  flightId: string;
  sysid: number;
  videoStartUs: number;
  videoDurationS: number;
  framesAnalysed: number;
  plumesConfirmed: number;
  /** Every raise, in order: a plume's first alert and its revision when it left the picture. */
  raised: RaiseResult[];
  untagged: UnplacedPlume[];
  /** The video turned out damaged or cut short (ffmpeg's word): frames stopped at lastFrameS. */
  videoDamage?: string;
  /** The last analysed frame's time in the video, s (0 without frames). */
  lastFrameS: number;
  /** Views of the ground the footage index now holds for this video (replacing those it had). */
  footageViews: number;
  wallS: number;
}

/**
 * Replays a recorded flight through the plume pipeline live patrols run: the tlog gives the pose at each
 * frame's time (the vehicle's clock), the video gives the frames, and every confirmed plume is geotagged
 * and raised, then revised, as live, as fast as the CPU allows.
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
    const videoPath = path.resolve(opts.videoPath);
    opts.alerts.registerFlight({
      id: flightId,
      name: path.basename(opts.tlogPath),
      tlogPath: path.resolve(opts.tlogPath),
      videoPath,
      vehicleSysid: telemetry.sysid,
      startedUs: telemetry.startUs,
      endedUs: telemetry.endUs,
    });

    const raised: RaiseResult[] = [];
    const alertIds = new Set<number>();
    const untagged: UnplacedPlume[] = [];
    let plumesConfirmed = 0;
    let frames = 0;
    let lastFrameS = 0;
    const frameTimeUs = (ptsS: number) => clockStartUs + ptsS * 1e6;
    const views: FootageView[] = [];
    const footage = new FootageSampler({
      camera: opts.camera,
      poseAt: (timeUs) => telemetry.track.poseAt(timeUs, (opts.policy ?? PLUME_POLICY).maxPoseGapMs * 1000),
      frameIntervalS: 1 / opts.fps,
      onView: (_path, view) => views.push(view),
    });
    const analysed = analysePlumes(source, {
      detector: opts.detector,
      frameSize: source.info,
      policy: opts.policy,
      placing: {
        flightId,
        camera: opts.camera,
        frameTimeUs,
        track: telemetry.track,
        errors: opts.poseErrors,
      },
      onSighting: async (sighting) => {
        const result = await opts.alerts.raise(sighting);
        raised.push(result);
        alertIds.add(result.alert.id);
      },
      onUnplaced: (plume) => untagged.push(plume),
    });
    for await (const { frame, confirmed } of analysed) {
      frames++;
      lastFrameS = frame.ptsS;
      plumesConfirmed += confirmed.length;
      footage.frame(videoPath, frame.ptsS, frameTimeUs(frame.ptsS));
      opts.onProgress?.({ videoS: frame.ptsS, durationS, frames, alerts: alertIds.size });
    }
    // Written whole once the video has been read (as far as it could be): an interrupted replay leaves
    // the recording's index as it was.
    footage.end();
    opts.alerts.replaceFootage({ flightId, path: videoPath }, views);
    return {
      flightId,
      sysid: telemetry.sysid,
      videoStartUs,
      videoDurationS: durationS,
      framesAnalysed: frames,
      plumesConfirmed,
      raised,
      untagged,
      videoDamage: source.damage,
      lastFrameS,
      footageViews: views.length,
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
