/** Reads ffmpeg's stderr: the input's stream info, one showinfo line per output frame, the error. */

export interface ShowinfoFrame {
  /** undefined when ffmpeg prints NOPTS. */
  ptsS: number | undefined;
  width: number;
  height: number;
}

export interface InputInfo {
  format?: string;
  durationS?: number;
  width?: number;
  height?: number;
  fps?: number;
  /** The container's creation_time (when recording started), µs since the Unix epoch. */
  creationTimeUs?: number;
}

const SHOWINFO = /\[Parsed_showinfo_\d+ @ [^\]]+\] n:\s*\d+\s+pts:\s*\S+\s+pts_time:(\S+).*?\bs:(\d+)x(\d+)/;
const INPUT = /^Input #0, (.+?), from /;
const DURATION = /^\s+Duration: (\d+):(\d+):(\d+(?:\.\d+)?)/;
const VIDEO_STREAM = /^\s+Stream #0:\d+.*?: Video: .*?, (\d+)x(\d+)/;
const FPS = /, (\d+(?:\.\d+)?) fps/;
const TBR = /, (\d+(?:\.\d+)?) tbr/;
const CREATION_TIME = /^\s+creation_time\s*:\s*(\S+)/;
const ISO_UTC = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z?$/;
/** What ffmpeg says, and goes on, when a file is damaged or cut short (the demuxer's or decoder's words). */
const DAMAGE =
  /\b(Read error|partial file|corrupt|Invalid data found|Invalid NAL unit|error while decoding|Error splitting the input)/i;
/** Lines ffmpeg adds after the real reason, or that say nothing about it. */
const NOT_A_REASON =
  /^(Conversion failed!|To ignore this|Exiting normally|Error opening (input|output) files?)/;

export function parseShowinfo(line: string): ShowinfoFrame | undefined {
  const m = SHOWINFO.exec(line);
  if (!m) return undefined;
  const ptsS = Number(m[1]);
  return { ptsS: Number.isFinite(ptsS) ? ptsS : undefined, width: Number(m[2]), height: Number(m[3]) };
}

/** Collects stderr line by line; hands each showinfo frame to onFrame. */
export class FfmpegLog {
  readonly input: InputInfo = {};
  /** ffmpeg's first line saying that the input is damaged or cut short; it may still exit 0. */
  damage: string | undefined;
  private partial = '';
  private inInput = false;
  private readonly tail: string[] = [];

  constructor(private readonly onFrame: (frame: ShowinfoFrame) => void) {}

  push(chunk: string): void {
    const lines = (this.partial + chunk).split(/\r?\n|\r/);
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  /** Call when stderr ends: the last line may lack its newline. */
  end(): void {
    if (this.partial) this.line(this.partial);
    this.partial = '';
  }

  /** The reason ffmpeg gave for failing, as one line without ffmpeg's prefixes. */
  reason(): string | undefined {
    for (let i = this.tail.length - 1; i >= 0; i--) {
      const line = this.tail[i];
      if (/matches no streams/.test(line)) return 'no video stream';
      if (NOT_A_REASON.test(line) || /^\s/.test(line)) continue;
      return line.replace(/^\[[^\]]+\]\s*/, '').replace(/^.*?: (?=[A-Z][a-z])/, '');
    }
    return undefined;
  }

  private line(line: string): void {
    const frame = parseShowinfo(line);
    if (frame) {
      this.onFrame(frame);
      return;
    }
    if (line.includes('Parsed_showinfo_') || !line.trim()) return;
    this.tail.push(line);
    if (this.tail.length > 20) this.tail.shift();
    if (this.damage === undefined && DAMAGE.test(line)) this.damage = line.replace(/^\[[^\]]+\]\s*/, '');
    this.readInputInfo(line);
  }

  private readInputInfo(line: string): void {
    const input = INPUT.exec(line);
    if (input) {
      this.inInput = true;
      this.input.format = input[1];
      return;
    }
    if (!this.inInput) return;
    if (/^(Output #|Stream mapping)/.test(line)) {
      this.inInput = false;
      return;
    }
    const duration = DURATION.exec(line);
    if (duration) {
      this.input.durationS = Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3]);
      return;
    }
    const creation = CREATION_TIME.exec(line);
    if (creation && this.input.creationTimeUs === undefined) {
      this.input.creationTimeUs = parseIsoUtcUs(creation[1]);
      return;
    }
    const video = VIDEO_STREAM.exec(line);
    if (video && this.input.width === undefined) {
      this.input.width = Number(video[1]);
      this.input.height = Number(video[2]);
      const fps = FPS.exec(line) ?? TBR.exec(line);
      if (fps) this.input.fps = Number(fps[1]);
    }
  }
}

/** An ISO 8601 UTC time as ffmpeg prints it, to µs (Date.parse stops at milliseconds); undefined if not one. */
export function parseIsoUtcUs(text: string): number | undefined {
  const m = ISO_UTC.exec(text);
  if (!m) return undefined;
  const wholeSecondsMs = Date.parse(`${m[1]}Z`);
  if (!Number.isFinite(wholeSecondsMs)) return undefined;
  const fractionUs = m[2] ? Math.round(Number(`0.${m[2]}`) * 1e6) : 0;
  return wholeSecondsMs * 1000 + fractionUs;
}
