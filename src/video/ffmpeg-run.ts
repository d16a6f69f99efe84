import type { ChildProcess } from 'node:child_process';
import { Writable } from 'node:stream';
import ffmpeg from 'fluent-ffmpeg';
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
  /** Called once ffmpeg has been spawned, with the command line fluent-ffmpeg built and ran. */
  onStart?(commandLine: string): void;
}

/**
 * One ffmpeg process writing raw RGB24 frames to stdout. The frame size is not assumed: the last
 * filter is showinfo, which prints each output frame's pts and size on stderr in output order, and the
 * raw bytes on stdout are sliced by the size of the matching showinfo line. So pts are ffmpeg's real
 * ones (after sampling), and a size change mid-stream is still sliced right.
 *
 * fluent-ffmpeg builds the command line from `args` (see toCommand) and runs it: it spawns ffmpeg,
 * pipes its stdout into our sink, splits stderr into lines and reports the end. What we keep ourselves:
 * slicing stdout into frames by the showinfo lines, backpressure (the sink holds its write callback
 * while paused), tracking the child so that none outlives this process (children.ts), stopping it with
 * a grace period (fluent's kill() is one signal, SIGKILL by default), and the end's code, signal and
 * reason, read from the child and ffmpeg's log rather than from fluent's error message.
 */
export class FfmpegRun {
  readonly log: FfmpegLog;
  /** The command line fluent-ffmpeg started; undefined until ffmpeg has been spawned. */
  commandLine: string | undefined;
  private proc: ChildProcess | undefined;
  private readonly spawned: Promise<ChildProcess | undefined>;
  private resolveSpawned!: (child: ChildProcess | undefined) => void;
  private readonly pending: ShowinfoFrame[] = [];
  private readonly chunks: Buffer[] = [];
  private bufferedBytes = 0;
  private paused = false;
  /** The sink's write callback, held while paused: fluent's pipe then stops reading ffmpeg's stdout. */
  private heldWrite: (() => void) | undefined;
  private stdoutDone = false;
  private commandDone = false;
  private ended = false;

  constructor(
    args: string[],
    private readonly handlers: FfmpegRunHandlers,
  ) {
    this.log = new FfmpegLog((frame) => {
      this.pending.push(frame);
      this.drain();
    });
    this.spawned = new Promise((resolve) => {
      this.resolveSpawned = resolve;
    });
    const sink = new Writable({
      // No 'close' event: fluent-ffmpeg kills ffmpeg 20 ms after its output stream closes, which can
      // come before ffmpeg has exited on its own.
      emitClose: false,
      // Above a pipe read (64 KiB), so that fluent's pipe does not stop and restart stdout after each
      // chunk; while paused, the pipe stops once this much is buffered here.
      highWaterMark: 256 * 1024,
      write: (chunk: Buffer, _encoding, callback) => {
        this.chunks.push(chunk);
        this.bufferedBytes += chunk.length;
        this.drain();
        if (this.paused) this.heldWrite = callback;
        else callback();
      },
    });
    // 'finish' comes after stdout has ended and every chunk went through write(): all frames handed out.
    sink.on('finish', () => {
      this.stdoutDone = true;
      this.maybeFinish();
    });

    const command = toCommand(args, sink);
    command.on('start', (commandLine: string) => {
      // Emitted right after spawn, before any output has been read.
      const child = (command as unknown as { ffmpegProc: ChildProcess }).ffmpegProc;
      this.proc = child;
      this.commandLine = commandLine;
      trackChild(child);
      // ffmpeg reads no stdin (-nostdin), but fluent-ffmpeg opens a pipe for it all the same.
      child.stdin?.destroy();
      // fluent-ffmpeg (2.1.3) answers the child's 'error' (it could not be spawned: ENOENT, EACCES,
      // EMFILE…) by calling its end callback without the output buffers it then reads, a TypeError that
      // would crash this process. So that event is ours; fluent then never reports an end, and needs not.
      child.removeAllListeners('error');
      child.on('error', (err) => this.finish({ code: null, signal: null, reason: err.message }));
      this.resolveSpawned(child);
      if (child.pid !== undefined) this.handlers.onStart?.(commandLine);
    });
    // One line at a time, without its newline; the last line too (fluent flushes it when stderr closes).
    command.on('stderr', (line: string) => this.log.push(`${line}\n`));
    // 'end' or 'error' comes once, after ffmpeg has exited and its stderr is closed: 'error' ("ffmpeg
    // exited with code N: …", "ffmpeg was killed with signal S") when it exited non-zero or was killed,
    // which the RunEnd takes from the child itself; or 'error' before any child, if preparing failed.
    command.on('end', () => this.onCommandEnd(undefined));
    command.on('error', (err: Error) => this.onCommandEnd(err));
    command.run();
  }

  get input(): InputInfo {
    return this.log.input;
  }

  /** The ffmpeg process; undefined until fluent-ffmpeg has spawned it. */
  get child(): ChildProcess | undefined {
    return this.proc;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    const callback = this.heldWrite;
    this.heldWrite = undefined;
    callback?.();
  }

  /** Stops ffmpeg (see stopChild); if it is still being started, as soon as it has been spawned. */
  async stop(graceMs: number): Promise<void> {
    const child = await this.spawned;
    if (child) await stopChild(child, graceMs);
  }

  private onCommandEnd(err: Error | undefined): void {
    this.commandDone = true;
    const child = this.proc;
    if (child?.pid === undefined) {
      // Never ran (could not be spawned): there is no output to wait for.
      this.resolveSpawned(undefined);
      this.finish({ code: null, signal: null, reason: err?.message ?? 'ffmpeg did not start' });
      return;
    }
    this.maybeFinish();
  }

  private maybeFinish(): void {
    if (!this.commandDone || !this.stdoutDone || !this.proc) return;
    this.log.end();
    this.drain();
    this.finish({ code: this.proc.exitCode, signal: this.proc.signalCode, reason: this.log.reason() });
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

/**
 * The fluent-ffmpeg command for an argument list from ffmpegArgs: what comes before `-i` are input
 * options (the global ones, -loglevel and the like, stay there too, as in ffmpeg's usage), `-vf` goes to
 * videoFilters (written as -filter:v), `-f` to format, the rest of the output options (each an option
 * and its value) to outputOptions, and the final pipe:1 becomes the `sink` stream. fluent-ffmpeg puts
 * the input options, then `-i <input>`, then the filters and the output options in the order given,
 * then pipe:1: the same command as the list.
 */
export function toCommand(args: readonly string[], sink: Writable): ffmpeg.FfmpegCommand {
  const i = args.indexOf('-i');
  const pipe = args.indexOf('pipe:1');
  const outputArgs = args.slice(i + 2, pipe);
  // After pipe:1, optionally a second output: [option value]… FILE (a copy of the stream).
  const fileArgs = args.slice(pipe + 1, -1);
  const file = pipe < args.length - 1 ? args.at(-1) : undefined;
  if (i < 0 || pipe < i + 2 || outputArgs.length % 2 !== 0 || fileArgs.length % 2 !== 0) {
    throw new Error(
      `ffmpeg arguments must be [input options] -i <input> [option value]… pipe:1 [[option value]… file]: ${args.join(' ')}`,
    );
  }
  const command = ffmpeg()
    .setFfmpegPath(resolveFfmpeg())
    .input(args[i + 1]);
  // Several arguments, not one array: fluent-ffmpeg splits an array's "-opt value" strings at the space.
  if (i > 0) command.inputOptions(...args.slice(0, i));
  addOutputOptions(command, outputArgs);
  skipCapabilityProbes(command);
  // Nothing here listens to 'progress', the only thing that makes fluent-ffmpeg run ffprobe.
  command.output(sink);
  if (file !== undefined) {
    command.output(file);
    addOutputOptions(command, fileArgs);
  }
  return command;
}

/** Options for the output being built (fluent-ffmpeg: the last one added, or the first one to come). */
function addOutputOptions(command: ffmpeg.FfmpegCommand, optionArgs: readonly string[]): void {
  for (let k = 0; k < optionArgs.length; k += 2) {
    const [option, value] = [optionArgs[k], optionArgs[k + 1]];
    if (option === '-vf') command.videoFilters(value);
    else if (option === '-f') command.format(value);
    else command.outputOptions(option, value);
  }
}

/**
 * Before its first run in a process, fluent-ffmpeg runs `ffmpeg -formats` and `ffmpeg -encoders` to
 * check the output format and to add -strict experimental to experimental encoders: two more ffmpeg
 * processes that no one tracks, and a delay before the first frame. Every ffmpeg build muxes rawvideo
 * and Matroska (a recording) and no encoder is named here, so these answers are all the check needs.
 */
function skipCapabilityProbes(command: ffmpeg.FfmpegCommand): void {
  const probes = command as unknown as {
    availableFormats(callback: (err: null, formats: ffmpeg.Formats) => void): void;
    availableEncoders(callback: (err: null, encoders: ffmpeg.Encoders) => void): void;
  };
  probes.availableFormats = (callback) =>
    callback(null, {
      rawvideo: { description: 'raw video', canDemux: true, canMux: true },
      matroska: { description: 'Matroska', canDemux: true, canMux: true },
    });
  probes.availableEncoders = (callback) => callback(null, {});
}
