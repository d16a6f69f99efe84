import { setTimeout as sleep } from 'node:timers/promises';
import { common } from 'node-mavlink';
import type { HeldRaise, RaiseResult } from '../alerts/index.js';
import { type Clock, systemClock } from '../clock.js';
import { CancelledError, UserError } from '../errors.js';
import { TelemetryTrack } from '../geotag/index.js';
import type { MavLinkConnection } from '../mavlink/index.js';
import { LIVE_TIMING } from '../timing.js';
import { type Frame, type OpenVideoOptions, openVideo, type VideoSource } from '../video/index.js';
import { ArrivalClock, FrameClock } from './live-clock.js';
import { LiveFootage } from './live-footage.js';
import { analysePlumes, type FlightAnalysisOptions } from './plume-pipeline.js';
import { PLUME_POLICY } from './policy.js';
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
   * was (re)opened); null: not this time (no room for it). When its first frame was taken is noted
   * beside it (see recordings.ts).
   */
  recordTo?: (n: number) => string | null;
  /** Progress and trouble for the pilot: the stream came or went, a plume could not be placed. */
  onEvent?: (level: 'info' | 'warning', text: string) => void;
  /**
   * A part of the analytics threw (a bug, not the stream or the model): one line for the pilot, the
   * stack for the log. The analytics goes on (the stream opened again after a pause); default: onEvent.
   */
  onFault?: (what: string, err: unknown) => void;
  /** The pauses between tries to open the stream (default: the system clock). */
  clock?: Clock;
  /** Overrides of STREAM_TIMING for the stream's ffmpeg (tests use shorter waits). */
  streamTiming?: OpenVideoOptions['timing'];
}

export interface LiveAnalyticsStats {
  framesAnalysed: number;
  /** Frames the model failed on (it threw): skipped, the flight and the analytics go on. */
  framesSkipped: number;
  /** Frames are arriving. */
  live: boolean;
  /** Times the stream was opened again after it was lost. */
  reopens: number;
  plumesConfirmed: number;
  raised: (RaiseResult | HeldRaise)[];
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
    framesSkipped: 0,
    live: false,
    reopens: 0,
    plumesConfirmed: 0,
    raised: [],
    recordings: [],
  };
  private readonly track: TelemetryTrack;
  private readonly arrival = new ArrivalClock();
  private readonly frameClock: FrameClock;
  private readonly footage: LiveFootage;
  private readonly unsubscribe: () => void;
  private readonly abort = new AbortController();
  private source: VideoSource | null = null;
  private running: Promise<void> | null = null;
  private seenVideo = false;
  private noteFailed = false;
  private readonly clock: Clock;

  constructor(private readonly opts: LiveAnalyticsOptions) {
    this.clock = opts.clock ?? systemClock;
    this.track = new TelemetryTrack({ sysid: opts.sysid });
    this.frameClock = new FrameClock(this.arrival, opts.videoLatencyMs);
    this.footage = new LiveFootage({
      flightId: opts.flightId,
      alerts: opts.alerts,
      camera: opts.camera,
      poseAt: (timeUs) => this.track.poseAt(timeUs, PLUME_POLICY.maxPoseGapMs * 1000),
      frameIntervalS: 1 / opts.fps,
      onEvent: opts.onEvent,
      onFault: (what, err) => this.fault(what, err),
    });
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
    for (const r of this.stats.recordings) if (r.startUs !== null) this.note(r.file, r.startUs);
    const skipped = this.stats.framesSkipped;
    if (skipped > 0)
      this.opts.onEvent?.(
        'warning',
        `${skipped} frame${skipped === 1 ? '' : 's'} skipped: the model failed on them`,
      );
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
    if (NOTED_AT_FRAMES.includes(recording.frames)) this.note(recording.file, recording.startUs);
  }

  private newRecording(): string | null {
    const file = this.opts.recordTo?.(this.stats.recordings.length + 1) ?? null;
    if (file) this.stats.recordings.push({ file, startUs: null, frames: 0 });
    return file;
  }

  /** Notes a recording's start beside it; a note that cannot be written (a full disk) costs only itself. */
  private note(file: string, startUs: number): void {
    try {
      noteRecordingStart(file, startUs);
    } catch (err) {
      if (this.noteFailed) return;
      this.noteFailed = true;
      this.opts.onEvent?.(
        'warning',
        `${file}: when its first frame was taken could not be noted beside it (${(err as Error).message}); replaying it will need --video-start`,
      );
    }
  }

  private async run(): Promise<void> {
    const { signal } = this.abort;
    let failuresInARow = 0;
    let faultsInARow = 0;
    while (!signal.aborted) {
      try {
        this.source = await openVideo(this.opts.videoUrl, {
          fps: this.opts.fps,
          width: this.opts.analysisWidthPx,
          signal,
          recordTo: this.opts.recordTo && (() => this.newRecording()),
          timing: this.opts.streamTiming,
        });
      } catch (err) {
        if (signal.aborted) return;
        failuresInARow++;
        const waitMs = backoffMs(failuresInARow);
        this.opts.onEvent?.('warning', `${describe(err)}; trying again in ${(waitMs / 1000).toFixed(0)} s`);
        await this.pause(waitMs);
        continue;
      }
      failuresInARow = 0;
      const framesBefore = this.stats.framesAnalysed;
      let fault: unknown = null;
      try {
        await this.analyse(this.source);
      } catch (err) {
        fault = err;
      }
      this.stats.live = false;
      await this.source.close();
      if (signal.aborted) return;
      this.stats.reopens++;
      if (fault === null) {
        faultsInARow = 0;
        this.opts.onEvent?.('warning', `video ${this.opts.videoUrl} lost; reopening`);
        continue;
      }
      // A fault in the frame loop: the stream is opened again after a pause, longer while it repeats
      // without a frame analysed in between.
      faultsInARow = this.stats.framesAnalysed > framesBefore ? 1 : faultsInARow + 1;
      const waitMs = backoffMs(faultsInARow);
      this.fault(`the live analytics frame loop (video reopened in ${(waitMs / 1000).toFixed(0)} s)`, fault);
      await this.pause(waitMs);
    }
  }

  /** Waits on the analytics' clock; stop() ends the wait early. */
  private pause(ms: number): Promise<void> {
    const { signal } = this.abort;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.clock.clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = this.clock.setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private fault(what: string, err: unknown): void {
    if (this.opts.onFault) this.opts.onFault(what, err);
    else this.opts.onEvent?.('warning', `${what} failed: ${describe(err)}`);
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
        // A full or locked store holds the alert (raiseOrHold); anything else that goes wrong costs this
        // alert alone, never the analytics.
        try {
          this.stats.raised.push(await this.opts.alerts.raiseOrHold(sighting));
        } catch (err) {
          this.fault(`raising the alert of plume ${sighting.sightingKey}`, err);
        }
      },
      onDetectFailed: (_frame, err) => {
        this.stats.framesSkipped++;
        if (this.stats.framesSkipped === 1) {
          this.opts.onEvent?.(
            'warning',
            `the model failed on a frame (${describe(err)}): frames it fails on are skipped and counted, the flight goes on`,
          );
        }
      },
      onUnplaced: ({ trackId, reason }) =>
        this.opts.onEvent?.('info', `plume ${trackId} not placed: ${reason}`),
    });
    try {
      for await (const { frame, confirmed } of analysed) {
        this.stats.framesAnalysed++;
        this.stats.plumesConfirmed += confirmed.length;
        this.footage.frame(frame, this.frameClock.timeUs(frame.ptsS));
      }
    } finally {
      this.footage.end();
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
          // ffmpeg was restarted on the stream (it died, or the stream froze): the pts no longer continue
          // the camera's clock.
          reconnects = source.reconnects;
          this.frameClock.restart();
          this.opts.onEvent?.(
            'info',
            `video stream restarted (${reconnects} time${reconnects === 1 ? '' : 's'} so far)`,
          );
        }
        const timeUs = this.frameClock.frameArrived(frame.ptsS, frame.receivedAtMs);
        if (timeUs === null) continue;
        // Monotonic: a wall clock set back must not hold the frame until it catches up.
        const waitUntilMs = performance.now() + LIVE_TIMING.poseWaitMs;
        while ((this.track.span()?.endUs ?? 0) < timeUs && performance.now() < waitUntilMs) {
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

/** The pause before the n-th try in a row (1, 2, …): doubling from videoReopenDelayMs up to videoReopenMaxDelayMs. */
function backoffMs(tries: number): number {
  return Math.min(LIVE_TIMING.videoReopenMaxDelayMs, LIVE_TIMING.videoReopenDelayMs * 2 ** (tries - 1));
}
