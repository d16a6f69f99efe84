import type { StreamTiming } from '../timing.js';

/** One decoded picture. */
export interface Frame {
  /** RGB24, row-major, width * height * 3 bytes. */
  data: Buffer;
  width: number;
  height: number;
  /** Presentation time in seconds from the start of the stream; keeps increasing across reconnects. */
  ptsS: number;
  /** 0, 1, 2, … in the order the frames come out. */
  index: number;
  /** Wall clock (Date.now()) when the frame arrived; live latency is measured from it. */
  receivedAtMs: number;
  /** A live source that records (OpenVideoOptions.recordTo): the file holding this frame, and its pts there. */
  recorded?: { file: string; ptsS: number };
}

/** What the input says about itself (before scaling and sampling, except width and height). */
export interface VideoInfo {
  /** Size of the frames that come out (after scaling). */
  width: number;
  height: number;
  /** The source's own frame rate, when it states one. */
  sourceFps?: number;
  /** Known for files, not for live streams. */
  durationS?: number;
  /** When the recording started (the container's creation_time), µs since the Unix epoch, if it says. */
  creationTimeUs?: number;
  live: boolean;
}

export interface OpenVideoOptions {
  /** Sampling rate in frames per second; omitted: every frame. */
  fps?: number;
  /** Output size; with only one of them the other follows the aspect ratio. */
  width?: number;
  height?: number;
  signal?: AbortSignal;
  /**
   * Live only: each run of ffmpeg on the stream (the first, then one per reconnect: 1, 2, …) also
   * copies the stream as it comes, without re-encoding, into the Matroska file this names (null: this
   * run is not recorded, e.g. its disk is full: ffmpeg decodes nothing when an output cannot be written).
   */
  recordTo?: (run: number) => string | null;
  /** Overrides of STREAM_TIMING (tests use shorter waits). */
  timing?: Partial<Record<keyof StreamTiming, number>>;
}

export interface VideoSource extends AsyncIterable<Frame> {
  readonly info: VideoInfo;
  /** Times a live source restarted ffmpeg after the stream dropped. */
  readonly reconnects: number;
  /** Live frames dropped because the reader fell behind (the newest frames are kept). */
  readonly droppedFrames: number;
  /**
   * A file that turned out damaged or cut short (its frames end early, without failing): ffmpeg's first
   * word on it, known once the frames have ended; undefined for a sound file or a live stream.
   */
  readonly damage?: string;
  /** Stops reading; resolves once no ffmpeg process remains. */
  close(): Promise<void>;
}

/** A rectangle on a frame, in pixels. */
export interface SnapshotBox {
  x: number;
  y: number;
  width: number;
  height: number;
  label?: string;
}
