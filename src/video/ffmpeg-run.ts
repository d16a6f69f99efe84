import { type ChildProcess, spawn } from 'node:child_process';
import { stopChild, trackChild } from './children.js';
import { FfmpegLog, type InputInfo, type ShowinfoFrame } from './ffmpeg-log.js';
import { resolveFfmpeg } from './ffmpeg-path.js';

export interface RawFrame {
  data: Buffer;
  width: number;
  height: number;
  /** ffmpeg's pts of this frame, from the input's start; undefined when the stream has none. */
  ptsS: number | undefined;
  receivedAtMs: number;
}

export interface RunEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** ffmpeg's own last word on why it stopped, if it said one. */
  reason?: string;
}

export interface FfmpegRunHandlers {
  onFrame(frame: RawFrame): void;
  onEnd(end: RunEnd): void;
}

/**
 * One ffmpeg process writing raw RGB24 frames to stdout. The frame size is not assumed: the last
 * filter is showinfo, which prints each output frame's pts and size on stderr in output order, and the
 * raw bytes on stdout are sliced by the size of the matching showinfo line. So pts are ffmpeg's real
 * ones (after sampling), and a size change mid-stream is still sliced right.
 */
export class FfmpegRun {
  readonly child: ChildProcess;
  readonly log: FfmpegLog;
  private readonly pending: ShowinfoFrame[] = [];
  private readonly chunks: Buffer[] = [];
  private bufferedBytes = 0;
  private ended = false;

  constructor(
    args: string[],
    private readonly handlers: FfmpegRunHandlers,
  ) {
    this.log = new FfmpegLog((frame) => {
      this.pending.push(frame);
      this.drain();
    });
    this.child = spawn(resolveFfmpeg(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(this.child);
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.bufferedBytes += chunk.length;
      this.drain();
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => this.log.push(chunk));
    this.child.on('error', (err) => this.finish({ code: null, signal: null, reason: err.message }));
    // 'close' comes after both pipes are drained, so every frame has been handed out before onEnd.
    this.child.on('close', (code, signal) => {
      this.log.end();
      this.drain();
      this.finish({ code, signal, reason: this.log.reason() });
    });
  }

  get input(): InputInfo {
    return this.log.input;
  }

  pause(): void {
    this.child.stdout?.pause();
  }

  resume(): void {
    this.child.stdout?.resume();
  }

  stop(graceMs: number): Promise<void> {
    return stopChild(this.child, graceMs);
  }

  private drain(): void {
    while (this.pending.length > 0) {
      const { width, height, ptsS } = this.pending[0];
      const size = width * height * 3;
      if (this.bufferedBytes < size) return;
      this.pending.shift();
      this.handlers.onFrame({ data: this.take(size), width, height, ptsS, receivedAtMs: Date.now() });
    }
  }

  private take(size: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const frame = Buffer.from(all.subarray(0, size));
    const rest = all.subarray(size);
    this.chunks.length = 0;
    if (rest.length > 0) this.chunks.push(rest);
    this.bufferedBytes = rest.length;
    return frame;
  }

  private finish(end: RunEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.handlers.onEnd(end);
  }
}
