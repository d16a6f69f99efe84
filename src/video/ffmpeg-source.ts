import { CancelledError, UserError } from '../errors.js';
import { STREAM_TIMING, type StreamTiming } from '../timing.js';
import { ffmpegArgs } from './ffmpeg-args.js';
import { FfmpegRun, type RawFrame, type RunEnd } from './ffmpeg-run.js';
import { FrameQueue } from './frame-queue.js';
import type { Frame, OpenVideoOptions, VideoInfo, VideoSource } from './types.js';

/** Frames held for a slow reader: a file pauses ffmpeg beyond this, a live stream drops the oldest. */
const QUEUE_FRAMES = 4;
/** Frame interval assumed when neither the sampling rate nor the source states one. */
const FALLBACK_FPS = 25;

type Timing = Record<keyof StreamTiming, number>;

/**
 * A file or a live stream (udp://, rtsp://) read by ffmpeg. Resolves once the first frame has arrived,
 * so that `info` is known and a bad input fails here, as one UserError naming it.
 */
export async function openFfmpegSource(
  input: string,
  live: boolean,
  opts: OpenVideoOptions,
): Promise<VideoSource> {
  const source = new FfmpegSource(input, live, opts, { ...STREAM_TIMING, ...opts.timing });
  await source.opened;
  return source;
}

class FfmpegSource implements VideoSource {
  readonly opened: Promise<void>;
  reconnects = 0;
  droppedFrames = 0;
  damage: string | undefined;
  private resolveOpened!: () => void;
  private rejectOpened!: (error: Error) => void;
  private infoKnown: VideoInfo | undefined;
  private readonly queue: FrameQueue<Frame>;
  private run: FfmpegRun | undefined;
  private runHasFrames = false;
  /** Why this source stopped its own run (a timeout), told instead of ffmpeg's reason. */
  private stopReason: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private restartsWithoutFrame = 0;
  private index = 0;
  private runs = 0;
  /** The file this run records to, if the source records. */
  private recordFile: string | undefined;
  private lastPtsS = 0;
  private lastReceivedAtMs = 0;
  private ptsOffsetS = 0;
  private closed = false;
  private readonly abort = () => void this.close();

  constructor(
    private readonly input: string,
    private readonly live: boolean,
    private readonly opts: OpenVideoOptions,
    private readonly timing: Timing,
  ) {
    this.opened = new Promise<void>((resolve, reject) => {
      this.resolveOpened = resolve;
      this.rejectOpened = reject;
    });
    this.queue = new FrameQueue<Frame>(QUEUE_FRAMES, () => this.run?.resume());
    if (opts.signal?.aborted) {
      this.closed = true;
      this.rejectOpened(new CancelledError(`reading ${input}`));
      return;
    }
    opts.signal?.addEventListener('abort', this.abort, { once: true });
    this.startRun();
  }

  get info(): VideoInfo {
    if (!this.infoKnown) throw new Error('VideoSource.info read before the source opened');
    return this.infoKnown;
  }

  [Symbol.asyncIterator](): AsyncIterator<Frame> {
    return { next: () => this.queue.next(), return: async () => this.endIteration() };
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.opts.signal?.removeEventListener('abort', this.abort);
      clearTimeout(this.timer);
      this.queue.clear();
      if (!this.infoKnown) this.rejectOpened(new CancelledError(`reading ${this.input}`));
    }
    await this.run?.stop(this.timing.killGraceMs);
  }

  private async endIteration(): Promise<IteratorResult<Frame, undefined>> {
    await this.close();
    return { value: undefined, done: true };
  }

  private startRun(): void {
    this.runHasFrames = false;
    this.stopReason = undefined;
    this.runs++;
    this.recordFile = (this.live && this.opts.recordTo?.(this.runs)) || undefined;
    const args = ffmpegArgs(this.input, {
      ...this.opts,
      live: this.live,
      liveProbeMs: this.timing.liveProbeMs,
      recordFile: this.recordFile,
    });
    const run: FfmpegRun = new FfmpegRun(args, {
      onFrame: (raw) => {
        if (run === this.run) this.onFrame(raw);
      },
      onEnd: (end) => {
        if (run === this.run) this.onRunEnd(end);
      },
    });
    this.run = run;
    this.watch(
      this.timing.firstFrameTimeoutMs,
      `no video within ${this.timing.firstFrameTimeoutMs / 1000} s`,
    );
  }

  /** Stops the run if no frame comes within timeoutMs (re-armed on every live frame). */
  private watch(timeoutMs: number, reason: string): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.stopReason = reason;
      void this.run?.stop(this.timing.killGraceMs);
    }, timeoutMs);
  }

  private onFrame(raw: RawFrame): void {
    if (this.closed) return;
    const run = this.run as FfmpegRun;
    if (!this.runHasFrames) {
      if (run.input.format === 'tty') {
        // ffmpeg renders any .txt file as ANSI art; that is text, not video.
        this.stopReason = 'not a video file';
        void run.stop(this.timing.killGraceMs);
        return;
      }
      this.runHasFrames = true;
      this.restartsWithoutFrame = 0;
      if (this.index > 0) {
        // A restarted ffmpeg counts pts from 0 again: continue from the last frame, plus the wall time
        // the stream was away, so pts stay increasing and roughly on the clock.
        const gapS = Math.max(this.intervalS(), (raw.receivedAtMs - this.lastReceivedAtMs) / 1000);
        this.ptsOffsetS = this.lastPtsS + gapS - (raw.ptsS ?? 0);
      }
    }
    if (this.live) this.watch(this.timing.stallTimeoutMs, 'stream stalled');
    else clearTimeout(this.timer);

    let ptsS = raw.ptsS === undefined ? undefined : raw.ptsS + this.ptsOffsetS;
    // No pts, or a stream discontinuity that jumps back: keep the promise of increasing pts.
    if (ptsS === undefined || (this.index > 0 && ptsS <= this.lastPtsS))
      ptsS = this.lastPtsS + this.intervalS();
    const frame: Frame = { ...raw, ptsS, index: this.index++ };
    if (this.recordFile) frame.recorded = { file: this.recordFile, ptsS: raw.ptsS ?? ptsS - this.ptsOffsetS };
    this.lastPtsS = ptsS;
    this.lastReceivedAtMs = raw.receivedAtMs;

    if (!this.infoKnown) {
      this.infoKnown = {
        width: raw.width,
        height: raw.height,
        sourceFps: run.input.fps,
        durationS: this.live ? undefined : run.input.durationS,
        creationTimeUs: this.live ? undefined : run.input.creationTimeUs,
        live: this.live,
      };
      this.resolveOpened();
    }
    if (this.live && this.queue.dropOldest()) this.droppedFrames++;
    this.queue.push(frame);
    if (!this.live && this.queue.isFull) run.pause();
  }

  private onRunEnd(end: RunEnd): void {
    clearTimeout(this.timer);
    if (this.closed) return;
    const reason = this.stopReason ?? end.reason;
    if (!this.infoKnown) {
      if (this.stopReason) this.fail(this.stopReason);
      else if (end.reason)
        this.fail(`${this.live ? 'stream unreachable' : 'not a readable video'} (${end.reason})`);
      else this.fail(end.code === 0 ? 'no video frames' : `ffmpeg exited with code ${end.code}`);
      return;
    }
    if (!this.live) {
      // A cut file ends like a whole one (exit 0): only ffmpeg's log tells them apart.
      this.damage = this.run?.log.damage;
      if (end.code === 0) this.queue.end();
      else this.fail(`decoding stopped after ${this.index} frames: ${reason ?? `exit code ${end.code}`}`);
      return;
    }
    if (this.restartsWithoutFrame >= this.timing.maxReconnects) {
      // The stream is gone for good: a live source ends like a file, after its last frame.
      this.queue.end();
      return;
    }
    this.restartsWithoutFrame++;
    this.reconnects++;
    this.timer = setTimeout(() => this.startRun(), this.timing.reconnectDelayMs);
  }

  private fail(reason: string): void {
    const error = new UserError(`${this.input}: ${reason}`);
    this.closed = true;
    this.opts.signal?.removeEventListener('abort', this.abort);
    this.queue.end(error);
    this.rejectOpened(error);
  }

  private intervalS(): number {
    return 1 / (this.opts.fps ?? this.infoKnown?.sourceFps ?? FALLBACK_FPS);
  }
}
