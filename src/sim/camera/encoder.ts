import { type ChildProcess, spawn } from 'node:child_process';
import { UserError } from '../../errors.js';
import { SIM_CAMERA_TIMING, STREAM_TIMING } from '../../timing.js';
import { resolveFfmpeg, stopChild, trackChild } from '../../video/index.js';

export interface EncoderOptions {
  widthPx: number;
  heightPx: number;
  fps: number;
  /** MPEG-TS over UDP to this host:port (udp://HOST:PORT). */
  streamUrl?: string;
  /** A Matroska recording (.mkv). */
  recordFile?: string;
  /** The recording's creation_time: the first frame's Unix time, µs. */
  creationTimeUs?: number;
}

/** ISO 8601 UTC with microseconds: 2026-11-25T10:00:00.123456Z. */
export function isoUtcMicros(unixUs: number): string {
  const wholeUs = Math.round(unixUs);
  const seconds = Math.floor(wholeUs / 1e6);
  const micros = wholeUs - seconds * 1e6;
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${String(micros).padStart(6, '0')}Z`;
}

/**
 * One ffmpeg process: raw RGB24 frames on stdin at `fps` (pts = frame index / fps), H.264 (libx264,
 * yuv420p, a keyframe every second) out to a UDP MPEG-TS stream and/or a Matroska recording, one
 * encode for both (the tee muxer). Writes respect stdin's backpressure; close() ends stdin and waits
 * for ffmpeg to finish the files, then kills it after a bounded wait (SIM_CAMERA_TIMING).
 */
export class VideoEncoder {
  private readonly child: ChildProcess;
  private readonly stderrTail: string[] = [];
  private readonly exited: Promise<void>;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  frames = 0;

  constructor(readonly options: EncoderOptions) {
    const { widthPx, heightPx, fps, streamUrl, recordFile } = options;
    if (!streamUrl && !recordFile)
      throw new UserError('video encoder: give a stream URL, a recording file or both');
    const streaming = streamUrl !== undefined;
    const args = [
      ...['-hide_banner', '-nostdin', '-loglevel', 'error'],
      ...['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${widthPx}x${heightPx}`, '-framerate', String(fps)],
      ...['-i', 'pipe:0', '-an', '-map', '0:v'],
      ...['-c:v', 'libx264', '-preset', streaming ? 'ultrafast' : 'veryfast'],
      ...(streaming ? ['-tune', 'zerolatency'] : []),
      ...['-g', String(Math.max(1, Math.round(fps))), '-keyint_min', String(Math.max(1, Math.round(fps)))],
      ...['-sc_threshold', '0', '-pix_fmt', 'yuv420p'],
    ];
    if (recordFile && options.creationTimeUs !== undefined) {
      args.push('-metadata', `creation_time=${isoUtcMicros(options.creationTimeUs)}`);
    }
    const udp = streamUrl ? `${streamUrl}${streamUrl.includes('?') ? '&' : '?'}pkt_size=1316` : undefined;
    if (udp && recordFile) {
      if (/[|[\]]/.test(recordFile)) {
        throw new UserError(
          `${recordFile}: a recording path with | [ or ] cannot be streamed and recorded at once`,
        );
      }
      // Matroska needs the codec headers up front (global header); MPEG-TS repeats them at keyframes.
      args.push(
        '-flags',
        '+global_header',
        '-f',
        'tee',
        `[f=mpegts:onfail=ignore]${udp}|[f=matroska]${recordFile}`,
      );
    } else if (udp) {
      args.push('-f', 'mpegts', udp);
    } else if (recordFile) {
      args.push('-y', '-f', 'matroska', recordFile);
    }
    this.child = spawn(resolveFfmpeg(), args, { stdio: ['pipe', 'ignore', 'pipe'] });
    trackChild(this.child);
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      this.stderrTail.push(...chunk.split(/\r?\n/).filter((l) => l.trim() !== ''));
      this.stderrTail.splice(0, Math.max(0, this.stderrTail.length - 20));
    });
    // A dead ffmpeg makes stdin fail with EPIPE; the exit says why.
    this.child.stdin?.on('error', () => {});
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve();
      });
      this.child.once('error', () => {
        this.exitInfo = { code: null, signal: null };
        resolve();
      });
    });
  }

  /** ffmpeg has exited (early exits are failures: see failure()). */
  get done(): boolean {
    return this.exitInfo !== null;
  }

  /** Why ffmpeg stopped before it was closed, as one line; null while it runs. */
  failure(): string | null {
    if (!this.exitInfo || this.exitInfo.code === 0) return null;
    const last = this.stderrTail.at(-1) ?? `exit code ${this.exitInfo.code ?? this.exitInfo.signal}`;
    return `ffmpeg stopped encoding the camera video: ${last}`;
  }

  /** Queues one frame; false when stdin is full (wait for drained() before the next). */
  write(frame: Buffer): boolean {
    const stdin = this.child.stdin;
    if (!stdin || this.done || stdin.destroyed) return true;
    this.frames++;
    return stdin.write(frame);
  }

  /** Resolves when stdin can take more (or ffmpeg is gone). */
  drained(): Promise<void> {
    const stdin = this.child.stdin;
    if (!stdin || this.done || !stdin.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = () => {
        stdin.off('drain', finish);
        resolve();
      };
      stdin.once('drain', finish);
      this.exited.then(finish);
    });
  }

  /** Ends the stream; resolves once ffmpeg has exited (killed if it does not finish in time). */
  async close(): Promise<void> {
    this.child.stdin?.end();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      this.exited.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), SIM_CAMERA_TIMING.encoderFinishTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (!timedOut) return;
    await stopChild(this.child, STREAM_TIMING.killGraceMs);
  }
}
