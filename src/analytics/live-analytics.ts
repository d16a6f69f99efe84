import { setTimeout as sleep } from 'node:timers/promises';
import { common } from 'node-mavlink';
import type { RaiseResult } from '../alerts/index.js';
import { CancelledError, UserError } from '../errors.js';
import { TelemetryTrack } from '../geotag/index.js';
import type { MavLinkConnection } from '../mavlink/index.js';
import { LIVE_TIMING } from '../timing.js';
import { type Frame, openVideo, type VideoSource } from '../video/index.js';
import { ArrivalClock, FrameClock } from './live-clock.js';
import { analysePlumes, type FlightAnalysisOptions } from './plume-pipeline.js';
import { noteRecordingStart } from './recordings.js';

/** A recording's start is noted beside it at these frames of it. */
const NOTED_AT_FRAMES = [1, 10, 40];
/** Telemetry kept for placing frames: enough for the longest plume track. */
const TELEMETRY_KEPT_US = 120_000_000;

export interface LiveAnalyticsOptions extends FlightAnalysisOptions {
  /** The link the vehicle's telemetry arrives on, and the vehicle. */
  link: MavLinkConnection;
  sysid: number;
  /** udp://HOST:PORT (MPEG-TS, listened on) or rtsp://… */
  videoUrl: string;
  flightId: string;
  /** From the camera taking a frame to its arrival here, ms (camera, encoder, link, decoder). */
  videoLatencyMs: number;
  /**
   * Record the stream as it comes: the file for the n-th recording (1, 2, … one per time the stream
   * was (re)opened). When its first frame was taken is noted beside it (see recordings.ts).
   */
  recordTo?: (n: number) => string;
  /** Progress and trouble for the pilot: the stream came or went, a plume could not be placed. */
  onEvent?: (level: 'info' | 'warning', text: string) => void;
}

export interface LiveAnalyticsStats {
  framesAnalysed: number;
  /** Frames are arriving. */
  live: boolean;
  /** Times the stream was opened again after it was lost. */
  reopens: number;
  plumesConfirmed: number;
  raised: RaiseResult[];
  /** The recorded video files and when each one's first frame was taken (µs since the epoch; null: no frame placed). */
  recordings: { file: string; startUs: number | null; frames: number }[];
}

/**
 * The plume pipeline's live sources for one vehicle: its telemetry (from the link) gives the pose, its
 * video stream the frames, the arrival clock their time; confirmed plumes are raised at their first
 * clear view, then revised with every view when the plume leaves the picture (analysePlumes). The stream may drop and come back at any time:
 * it is reopened with a pause between tries until `stop()`.
 */
export class LiveAnalytics {
  readonly stats: LiveAnalyticsStats = {
    framesAnalysed: 0,
    live: false,
    reopens: 0,
    plumesConfirmed: 0,
    raised: [],
    recordings: [],
  };
  private readonly track: TelemetryTrack;
  private readonly arrival = new ArrivalClock();
  private readonly frameClock: FrameClock;
  private readonly unsubscribe: () => void;
  private readonly abort = new AbortController();
  private source: VideoSource | null = null;
  private running: Promise<void> | null = null;
  private seenVideo = false;

  constructor(private readonly opts: LiveAnalyticsOptions) {
    this.track = new TelemetryTrack({ sysid: opts.sysid });
    this.frameClock = new FrameClock(this.arrival, opts.videoLatencyMs);
    this.unsubscribe = opts.link.onMessage((rx) => {
      if (rx.sysid !== opts.sysid || !this.track.add(rx)) return;
      if (!(rx.message instanceof common.GlobalPositionInt)) return;
      const endUs = this.track.span()?.endUs;
      if (endUs === undefined) return;
      this.arrival.note(rx.timeUs, endUs);
      this.track.forgetBefore(endUs - TELEMETRY_KEPT_US);
    });
  }

  /** Starts reading the stream; resolves at once (the work goes on until stop()). */
  start(): void {
    this.running ??= this.run().catch((err) => {
      if (!(err instanceof CancelledError)) this.opts.onEvent?.('warning', `live analytics stopped: ${err}`);
    });
  }

  /** Stops reading and waits until the last plume in sight has been raised. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.unsubscribe();
    await this.source?.close();
    await this.running;
    for (const r of this.stats.recordings) if (r.startUs !== null) noteRecordingStart(r.file, r.startUs);
  }

  /**
   * When the recording's first frame was taken, as the frame clock has it now (it only improves):
   * noted beside the file at its 1st, 10th and 40th frame, by when the clock has settled.
   */
  private noteRecording(frame: Frame, recorded: { file: string; ptsS: number }): void {
    const recording = this.stats.recordings.find((r) => r.file === recorded.file);
    if (!recording) return;
    recording.startUs = this.frameClock.timeUs(frame.ptsS) - recorded.ptsS * 1e6;
    recording.frames++;
    if (NOTED_AT_FRAMES.includes(recording.frames)) noteRecordingStart(recording.file, recording.startUs);
  }

  private newRecording(): string {
    const file = (this.opts.recordTo as (n: number) => string)(this.stats.recordings.length + 1);
    this.stats.recordings.push({ file, startUs: null, frames: 0 });
    return file;
  }

  private async run(): Promise<void> {
    const { signal } = this.abort;
    let failuresInARow = 0;
    while (!signal.aborted) {
      try {
        this.source = await openVideo(this.opts.videoUrl, {
          fps: this.opts.fps,
          width: this.opts.analysisWidthPx,
          signal,
          recordTo: this.opts.recordTo && (() => this.newRecording()),
        });
      } catch (err) {
        if (signal.aborted) return;
        failuresInARow++;
        const waitMs = Math.min(
          LIVE_TIMING.videoReopenMaxDelayMs,
          LIVE_TIMING.videoReopenDelayMs * 2 ** (failuresInARow - 1),
        );
        this.opts.onEvent?.('warning', `${describe(err)}; trying again in ${(waitMs / 1000).toFixed(0)} s`);
        await sleep(waitMs, undefined, { signal }).catch(() => undefined);
        continue;
      }
      failuresInARow = 0;
      await this.analyse(this.source);
      this.stats.live = false;
      await this.source.close();
      if (signal.aborted) return;
      this.stats.reopens++;
      this.opts.onEvent?.('warning', `video ${this.opts.videoUrl} lost; reopening`);
    }
  }

  /** One opened stream, until it ends: frames placed on the vehicle's clock, through the plume pipeline. */
  private async analyse(source: VideoSource): Promise<void> {
    this.frameClock.restart();
    const { flightId, camera, poseErrors: errors } = this.opts;
    const analysed = analysePlumes(this.placedFrames(source), {
      detector: this.opts.detector,
      frameSize: source.info,
      placing: {
        flightId,
        camera,
        frameTimeUs: (ptsS) => this.frameClock.timeUs(ptsS),
        track: this.track,
        errors,
      },
      onSighting: async (sighting) => {
        this.stats.raised.push(await this.opts.alerts.raise(sighting));
      },
      onUnplaced: ({ trackId, reason }) =>
        this.opts.onEvent?.('info', `plume ${trackId} not placed: ${reason}`),
    });
    for await (const { confirmed } of analysed) {
      this.stats.framesAnalysed++;
      this.stats.plumesConfirmed += confirmed.length;
    }
  }

  /**
   * The source's frames with their vehicle time known and telemetry around it: frames that come
   * before any telemetry are skipped; a frame waits briefly for the fix after it.
   */
  private async *placedFrames(source: VideoSource): AsyncGenerator<Frame> {
    let reconnects = source.reconnects;
    let stalled: NodeJS.Timeout | null = null;
    const watchStall = () => {
      if (stalled) clearTimeout(stalled);
      stalled = setTimeout(() => {
        this.stats.live = false;
        this.opts.onEvent?.('warning', `no video for ${LIVE_TIMING.videoSilentMs / 1000} s`);
      }, LIVE_TIMING.videoSilentMs);
    };
    watchStall();
    try {
      for await (const frame of source) {
        watchStall();
        if (!this.stats.live) {
          this.stats.live = true;
          const { width, height } = source.info;
          this.opts.onEvent?.('info', this.seenVideo ? 'video back' : `video live (${width}×${height})`);
          this.seenVideo = true;
        }
        if (source.reconnects !== reconnects) {
          // ffmpeg was restarted on the stream: the pts no longer continue the camera's clock.
          reconnects = source.reconnects;
          this.frameClock.restart();
        }
        const timeUs = this.frameClock.frameArrived(frame.ptsS, frame.receivedAtMs);
        if (timeUs === null) continue;
        const waitUntilMs = Date.now() + LIVE_TIMING.poseWaitMs;
        while ((this.track.span()?.endUs ?? 0) < timeUs && Date.now() < waitUntilMs) {
          await sleep(LIVE_TIMING.posePollMs);
        }
        if (frame.recorded) this.noteRecording(frame, frame.recorded);
        yield frame;
      }
    } finally {
      if (stalled) clearTimeout(stalled);
    }
  }
}

function describe(err: unknown): string {
  return err instanceof UserError ? err.message : String(err);
}
