import { type CameraSpec, DEFAULT_CAMERA } from '../../camera.js';
import { UserError } from '../../errors.js';
import type { SimTruePose, Simulator } from '../simulator.js';
import { DEFAULT_CAMERA_FPS } from './defaults.js';
import { VideoEncoder } from './encoder.js';
import { type CameraPose, WorldRenderer } from './render.js';
import type { World } from './world.js';

export interface SimCameraSpec extends CameraSpec {
  fps: number;
}

/** One rendered frame, for whoever watches the camera in-process (tests, a live view). */
export interface SimFrame {
  /** RGB24, widthPx × heightPx × 3 bytes. */
  data: Buffer;
  /** 0, 1, 2, …; its video pts is index / fps. */
  index: number;
  /** The sim's time and Unix time when it was rendered, and the true pose it was rendered from. */
  simTimeS: number;
  unixUs: number;
  pose: SimTruePose;
}

export interface SimCameraOptions {
  world: World;
  camera?: Partial<SimCameraSpec>;
  /** MPEG-TS over UDP: udp://HOST:PORT (udpout://HOST:PORT is taken as the same). */
  streamUrl?: string;
  /** Matroska recording, e.g. DIR/video.mkv; its creation_time is the first frame's Unix time. */
  recordFile?: string;
  onFrame?: (frame: SimFrame) => void;
  /** ffmpeg failed; the camera stops rendering. */
  onError?: (error: UserError) => void;
}

/**
 * The simulated drone's camera: renders the world from the vehicle's true pose and gimbal every 1/fps
 * of sim time, encodes it and streams and/or records it. Frames are due by sim time, so the video's
 * timeline is sim time even when the simulator runs sped up; when rendering or encoding falls behind,
 * the simulator waits (every due frame is rendered: the record is complete).
 */
export class SimCamera {
  readonly spec: SimCameraSpec;
  private readonly renderer: WorldRenderer;
  private readonly unsubscribe: () => void;
  private encoder: VideoEncoder | null = null;
  private startS: number | null = null;
  private startUnixUs: number | null = null;
  private frames = 0;
  private stopped = false;
  error: UserError | null = null;

  constructor(
    private readonly sim: Simulator,
    private readonly options: SimCameraOptions,
  ) {
    this.spec = { ...DEFAULT_CAMERA, fps: DEFAULT_CAMERA_FPS, ...options.camera };
    checkCameraSpec(this.spec);
    this.renderer = new WorldRenderer(options.world);
    this.unsubscribe = sim.onStep((simTimeS) => this.onStep(simTimeS));
  }

  /** The first frame's Unix time (the sim's clock), µs; null before the first frame. */
  get videoStartUnixUs(): number | null {
    return this.startUnixUs;
  }

  get framesRendered(): number {
    return this.frames;
  }

  /** Stops rendering and ends the video; resolves once ffmpeg has finished its files and exited. */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe();
    await this.encoder?.close();
  }

  private onStep(simTimeS: number): void {
    if (this.stopped) return;
    const periodS = 1 / this.spec.fps;
    if (this.startS === null) this.startS = simTimeS;
    while (!this.stopped && simTimeS + 1e-6 >= this.startS + this.frames * periodS)
      this.renderFrame(simTimeS);
  }

  private renderFrame(simTimeS: number): void {
    const pose = this.sim.truePose();
    const cameraPose: CameraPose = {
      latDeg: pose.latDeg,
      lonDeg: pose.lonDeg,
      altAmslM: pose.altAmslM,
      groundAmslM: pose.groundAmslM,
      headingDeg: pose.cameraHeadingDeg,
      pitchDeg: pose.gimbalPitchDeg,
      rollDeg: 0,
    };
    const data = this.renderer.render(cameraPose, this.spec, simTimeS);
    if (this.frames === 0) {
      this.startUnixUs = pose.unixUs;
      this.startEncoder(pose.unixUs);
    }
    const index = this.frames++;
    this.options.onFrame?.({ data, index, simTimeS, unixUs: pose.unixUs, pose });
    const encoder = this.encoder;
    if (!encoder) return;
    const failure = encoder.failure();
    if (failure) {
      this.fail(new UserError(failure));
      return;
    }
    if (!encoder.write(data)) this.sim.holdUntil(encoder.drained());
  }

  private startEncoder(creationTimeUs: number): void {
    const { streamUrl, recordFile } = this.options;
    if (!streamUrl && !recordFile) return;
    this.encoder = new VideoEncoder({
      widthPx: this.spec.widthPx,
      heightPx: this.spec.heightPx,
      fps: this.spec.fps,
      streamUrl: streamUrl ? normaliseStreamUrl(streamUrl) : undefined,
      recordFile,
      creationTimeUs,
    });
  }

  private fail(error: UserError): void {
    if (this.error) return;
    this.error = error;
    this.stopped = true;
    this.unsubscribe();
    this.options.onError?.(error);
  }
}

/** udp://HOST:PORT or udpout://HOST:PORT → udp://HOST:PORT; anything else is a UserError. */
export function normaliseStreamUrl(url: string): string {
  const m = /^(?:udp|udpout):\/\/([^:/?]+):(\d+)\/?$/i.exec(url.trim());
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || !(port >= 1 && port <= 65_535)) {
    throw new UserError(`camera video ${url}: expected udpout://HOST:PORT (MPEG-TS over UDP)`);
  }
  return `udp://${m[1]}:${port}`;
}

/** Refuses a size, field of view or frame rate the camera cannot render, in one line. */
export function checkCameraSpec(spec: SimCameraSpec): void {
  const { widthPx, heightPx, hfovDeg, fps } = spec;
  for (const [name, v] of [
    ['width', widthPx],
    ['height', heightPx],
  ] as const) {
    if (!Number.isInteger(v) || v < 16 || v > 7680 || v % 2 !== 0) {
      throw new UserError(`camera ${name} ${v}: must be an even whole number of pixels from 16 to 7680`);
    }
  }
  if (!(hfovDeg >= 10 && hfovDeg <= 150))
    throw new UserError(`camera hfov ${hfovDeg}: must be 10–150 degrees`);
  if (!(fps > 0 && fps <= 60)) throw new UserError(`camera fps ${fps}: must be above 0 and at most 60`);
}
