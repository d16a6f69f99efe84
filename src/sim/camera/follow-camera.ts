import path from 'node:path';
import { ardupilotmega, common, minimal } from 'node-mavlink';
import { DEFAULT_CAMERA } from '../../camera.js';
import { UserError } from '../../errors.js';
import { wrapPi } from '../../geo/index.js';
import {
  decodeGimbalDeviceAttitude,
  decodeGlobalPosition,
  decodeMountStatus,
  decodeSystemTime,
  type MavLinkConnection,
  type ReceivedMessage,
  type SystemTimeFix,
} from '../../mavlink/index.js';
import { FOLLOW_CAMERA_TIMING } from '../../timing.js';
import { checkCameraSpec, normaliseStreamUrl, type SimCameraSpec } from './camera.js';
import { DEFAULT_CAMERA_FPS } from './defaults.js';
import { VideoEncoder } from './encoder.js';
import { type CameraPose, WorldRenderer } from './render.js';
import type { World } from './world.js';

const DEG = 180 / Math.PI;
/** MAV_AUTOPILOT_INVALID and MAV_TYPE_GCS: a heartbeat from something that is not a vehicle. */
const MAV_AUTOPILOT_INVALID = 8;
const MAV_TYPE_GCS = 6;
/** Telemetry asked for (message, Hz of the vehicle's clock): the pose, the gimbal and the clock. */
const STREAMS_HZ: [msgid: number, rateHz: number][] = [
  [common.GlobalPositionInt.MSG_ID, 10],
  [common.Attitude.MSG_ID, 10],
  [common.GimbalDeviceAttitudeStatus.MSG_ID, 10],
  // Older gimbal reports (ArduPilot 4.7 refuses it: it sends GIMBAL_DEVICE_ATTITUDE_STATUS).
  [ardupilotmega.MountStatus.MSG_ID, 10],
  [common.SystemTime.MSG_ID, 1],
];
/**
 * The ids the camera's link sends with: MAV_COMP_ID_CAMERA, on a system of its own — never the ground
 * station's 255, whose messages an autopilot may count as its GCS being there.
 */
export const FOLLOW_CAMERA_LINK_IDS = { systemId: 254, componentId: 100 } as const;
/** Without a gimbal report the camera is fixed to the airframe looking straight down. */
const FIXED_MOUNT_PITCH_DEG = -90;
/** Samples kept behind the oldest frame still due, ms of the vehicle's clock. */
const KEPT_BEHIND_MS = 2000;

/** One frame of the camera, for whoever watches it in-process (tests, a live view). */
export interface FollowFrame {
  /** RGB24, widthPx × heightPx × 3 bytes. */
  data: Buffer;
  /** 0, 1, 2, … within its segment (one per boot of the vehicle); its video pts is index / fps. */
  index: number;
  segment: number;
  /** The vehicle's boot time the frame shows, ms, and its Unix time on the vehicle's clock, µs. */
  timeBootMs: number;
  unixUs: number;
  /** The reported pose it was rendered from. */
  pose: CameraPose;
  /** It repeats the previous picture: rendering had fallen behind the vehicle. */
  repeated: boolean;
}

/** One video per boot of the vehicle: its stream (a new encoder) and its recording file. */
export interface FollowSegment {
  /** The recording of this boot: recordFile for the first, NAME-2.EXT, NAME-3.EXT… after reboots. */
  file: string | null;
  /** The first frame's time on the vehicle's clock, µs since the Unix epoch. */
  startUnixUs: number;
  frames: number;
}

export interface FollowCameraOptions {
  /** The camera's own link to the vehicle (a second port: SITL's serial 1, a router's endpoint). */
  link: MavLinkConnection;
  world: World;
  camera?: Partial<SimCameraSpec>;
  /** MPEG-TS over UDP: udp://HOST:PORT (udpout://HOST:PORT is taken as the same). */
  streamUrl?: string;
  /** Matroska recording of the first boot, e.g. DIR/video.mkv; its creation_time is the first frame's Unix time. */
  recordFile?: string;
  onFrame?: (frame: FollowFrame) => void;
  /** What the camera is doing, for the operator: the vehicle found, the first frame, a reboot. */
  onEvent?: (text: string) => void;
  /** ffmpeg failed; the camera stops rendering. */
  onError?: (error: UserError) => void;
}

interface PositionSample {
  bootMs: number;
  latDeg: number;
  lonDeg: number;
  altAmslM: number;
  groundAmslM: number;
}

interface GimbalSample {
  bootMs: number;
  pitchRad: number;
  rollRad: number;
  yawRad: number;
  yawFrame: 'vehicle' | 'earth';
}

interface Segment extends FollowSegment {
  startBootMs: number;
  encoder: VideoEncoder | null;
  last: Buffer | null;
}

/**
 * The simulated world's camera on any vehicle, from what the vehicle reports over the camera's own
 * link: position from GLOBAL_POSITION_INT, heading from ATTITUDE, the gimbal from
 * GIMBAL_DEVICE_ATTITUDE_STATUS (or MOUNT_STATUS). It asks for those streams itself and sends nothing
 * else (no heartbeat: it is no ground station, and must not keep a vehicle's GCS failsafe from firing).
 *
 * Frames follow the built-in camera's conventions (SimCamera): frame k shows the vehicle's time
 * t0 + k/fps (t0 its first position fix), rendered from the reported pose interpolated at that time,
 * so the video's timeline is the vehicle's clock even when it runs sped up (SITL --speedup); the world's
 * time is the vehicle's boot time; a recording's creation_time is the first frame's Unix time on the
 * vehicle's clock (SYSTEM_TIME). A frame is rendered once a position fix at or after its time has come.
 * The vehicle cannot be held while rendering catches up, so frames that fall more than
 * FOLLOW_CAMERA_TIMING.maxRenderLagS behind repeat the last picture (counted in `framesRepeated`).
 * When the vehicle reboots (its boot time goes back) the video ends and a new one starts.
 */
export class FollowCamera {
  readonly spec: SimCameraSpec;
  readonly segments: FollowSegment[] = [];
  framesRendered = 0;
  framesRepeated = 0;
  /** What the camera waits for before its next frame, for the operator; null while it renders. */
  waitingFor: string | null = 'a vehicle heartbeat';
  error: UserError | null = null;
  private readonly renderer: WorldRenderer;
  private readonly streamUrl: string | undefined;
  private readonly unsubscribe: () => void;
  private vehicle: { sysid: number; compid: number } | null = null;
  private positions: PositionSample[] = [];
  private attitudes: { bootMs: number; yawRad: number }[] = [];
  private gimbals: GimbalSample[] = [];
  private systemTime: SystemTimeFix | null = null;
  private newestBootMs = -1;
  private lastPositionAtMs = Number.NEGATIVE_INFINITY;
  private lastRequestAtMs = Number.NEGATIVE_INFINITY;
  private segment: Segment | null = null;
  private pumping = false;
  private stopped = false;
  private readonly closing: Promise<void>[] = [];

  constructor(private readonly options: FollowCameraOptions) {
    this.spec = { ...DEFAULT_CAMERA, fps: DEFAULT_CAMERA_FPS, ...options.camera };
    checkCameraSpec(this.spec);
    this.streamUrl = options.streamUrl ? normaliseStreamUrl(options.streamUrl) : undefined;
    this.renderer = new WorldRenderer(options.world);
    this.unsubscribe = options.link.onMessage((rx) => this.onMessage(rx));
  }

  /** The first frame's Unix time on the vehicle's clock, µs; null before the first frame. */
  get videoStartUnixUs(): number | null {
    return this.segments[0]?.startUnixUs ?? null;
  }

  /** Frames in the first video (the first boot's): what `video.mkv` of a recording holds. */
  get framesInFirstVideo(): number {
    return this.segments[0]?.frames ?? 0;
  }

  /** How far the newest frame is behind the newest position fix, vehicle seconds; null before one. */
  get lagS(): number | null {
    const s = this.segment;
    const newest = this.positions.at(-1);
    if (!s || !newest || s.frames === 0) return null;
    return Math.max(0, (newest.bootMs - this.slotBootMs(s, s.frames - 1)) / 1000);
  }

  /** Stops rendering and ends the video; resolves once ffmpeg has finished its files and exited. */
  async close(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      this.unsubscribe();
      this.endSegment();
    }
    await Promise.all(this.closing);
  }

  private onMessage(rx: ReceivedMessage): void {
    if (this.stopped) return;
    const m = rx.message;
    if (m instanceof minimal.Heartbeat) {
      if (m.autopilot === MAV_AUTOPILOT_INVALID || m.type === MAV_TYPE_GCS) return;
      if (!this.vehicle) {
        this.vehicle = { sysid: rx.sysid, compid: rx.compid };
        this.waitingFor = 'a position fix';
        this.options.onEvent?.(`vehicle ${rx.sysid} found; asking for its position, attitude and gimbal`);
      }
      if (rx.sysid === this.vehicle.sysid) this.requestIfSilent();
      return;
    }
    if (!this.vehicle || rx.sysid !== this.vehicle.sysid) return;
    if (m instanceof common.SystemTime) {
      const fix = decodeSystemTime(m);
      if (fix && this.noteBoot(fix.timeBootMs)) this.systemTime = fix;
    } else if (m instanceof common.GlobalPositionInt) {
      this.lastPositionAtMs = this.options.link.clock.nowMs();
      const p = decodeGlobalPosition(m);
      if (!p || !this.noteBoot(p.timeBootMs)) return;
      insertByTime(this.positions, {
        bootMs: p.timeBootMs,
        latDeg: p.latDeg,
        lonDeg: p.lonDeg,
        altAmslM: p.altAmslM,
        groundAmslM: p.altAmslM - p.altRelM,
      });
      this.pump();
    } else if (m instanceof common.Attitude) {
      if (!Number.isFinite(m.yaw) || !this.noteBoot(m.timeBootMs)) return;
      insertByTime(this.attitudes, { bootMs: m.timeBootMs, yawRad: m.yaw });
      this.pump();
    } else if (m instanceof common.GimbalDeviceAttitudeStatus) {
      const g = decodeGimbalDeviceAttitude(m);
      if (!g || !this.noteBoot(m.timeBootMs)) return;
      insertByTime(this.gimbals, { bootMs: m.timeBootMs, ...g });
    } else if (m instanceof ardupilotmega.MountStatus) {
      // No time of its own: it holds from the newest time the vehicle has reported.
      const g = decodeMountStatus(m);
      if (this.newestBootMs < 0 || ![g.pitchRad, g.yawRad].every(Number.isFinite)) return;
      insertByTime(this.gimbals, { bootMs: this.newestBootMs, ...g, yawFrame: 'vehicle' });
    }
  }

  /** Asks for the streams when none has come for a while (at the first heartbeat too). */
  private requestIfSilent(): void {
    const nowMs = this.options.link.clock.nowMs();
    const retryMs = FOLLOW_CAMERA_TIMING.streamRequestRetryMs;
    if (nowMs - this.lastPositionAtMs < retryMs || nowMs - this.lastRequestAtMs < retryMs) return;
    this.lastRequestAtMs = nowMs;
    const vehicle = this.vehicle as { sysid: number; compid: number };
    for (const [msgid, rateHz] of STREAMS_HZ) {
      const cmd = new common.CommandLong();
      cmd.targetSystem = vehicle.sysid;
      cmd.targetComponent = vehicle.compid;
      cmd.command = common.MavCmd.SET_MESSAGE_INTERVAL;
      cmd._param1 = msgid;
      cmd._param2 = 1e6 / rateHz;
      this.options.link.send(cmd);
    }
  }

  /** Notes a time the vehicle reported; false (and a new timeline) when it went back: a reboot. */
  private noteBoot(bootMs: number): boolean {
    if (!Number.isFinite(bootMs) || bootMs < 0) return false;
    if (bootMs < this.newestBootMs - FOLLOW_CAMERA_TIMING.rebootStepBackMs) {
      this.options.onEvent?.(
        `vehicle rebooted (its clock went back from ${(this.newestBootMs / 1000).toFixed(1)} s to ` +
          `${(bootMs / 1000).toFixed(1)} s): the video starts again`,
      );
      this.endSegment();
      this.positions = [];
      this.attitudes = [];
      this.gimbals = [];
      this.systemTime = null;
      this.newestBootMs = bootMs;
      this.waitingFor = 'a position fix';
    }
    this.newestBootMs = Math.max(this.newestBootMs, bootMs);
    return true;
  }

  private pump(): void {
    if (this.pumping || this.stopped) return;
    this.pumping = true;
    setImmediate(() => {
      this.drain()
        .catch((err: unknown) => this.fail(err instanceof UserError ? err : new UserError(String(err))))
        .finally(() => {
          this.pumping = false;
        });
    });
  }

  /** Renders every frame that is due, yielding between frames so that telemetry keeps coming in. */
  private async drain(): Promise<void> {
    while (!this.stopped) {
      const newest = this.positions.at(-1);
      if (!this.segment && !this.startSegment()) return;
      const segment = this.segment as Segment;
      const slotMs = this.slotBootMs(segment, segment.frames);
      if (!newest || slotMs > newest.bootMs) {
        this.waitingFor = null;
        return;
      }
      const repeat =
        segment.last !== null && newest.bootMs - slotMs > FOLLOW_CAMERA_TIMING.maxRenderLagS * 1000;
      const pose = this.poseAt(slotMs);
      const data = repeat ? (segment.last as Buffer) : this.renderer.render(pose, this.spec, slotMs / 1000);
      if (repeat) this.framesRepeated++;
      else this.framesRendered++;
      segment.last = data;
      const index = segment.frames++;
      this.forgetBefore(slotMs - KEPT_BEHIND_MS);
      this.options.onFrame?.({
        data,
        index,
        segment: this.segments.length,
        timeBootMs: slotMs,
        unixUs: this.unixUsAt(slotMs),
        pose,
        repeated: repeat,
      });
      const encoder = segment.encoder;
      if (encoder) {
        const failure = encoder.failure();
        if (failure) {
          this.fail(new UserError(failure));
          return;
        }
        if (!encoder.write(data)) await encoder.drained();
      }
      if (!repeat) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Starts a video at the newest position fix once the attitude and the clock are known too. */
  private startSegment(): boolean {
    const first = this.positions.at(-1);
    if (!first) return false;
    if (this.attitudes.length === 0) {
      this.waitingFor = 'ATTITUDE';
      return false;
    }
    if (!this.systemTime) {
      this.waitingFor = 'SYSTEM_TIME (the vehicle clock against Unix time)';
      return false;
    }
    this.positions = [first];
    const startUnixUs = this.unixUsAt(first.bootMs);
    const n = this.segments.length + 1;
    const file = this.options.recordFile ? segmentFile(this.options.recordFile, n) : null;
    const segment: Segment = {
      file,
      startUnixUs,
      frames: 0,
      startBootMs: first.bootMs,
      encoder: null,
      last: null,
    };
    if (this.streamUrl || file) {
      segment.encoder = new VideoEncoder({
        widthPx: this.spec.widthPx,
        heightPx: this.spec.heightPx,
        fps: this.spec.fps,
        streamUrl: this.streamUrl,
        recordFile: file ?? undefined,
        creationTimeUs: startUnixUs,
      });
    }
    this.segment = segment;
    this.segments.push(segment);
    this.options.onEvent?.(
      `first frame at the vehicle's ${(first.bootMs / 1000).toFixed(1)} s since boot` +
        `${file ? `, recording ${file}` : ''}`,
    );
    return true;
  }

  private endSegment(): void {
    const segment = this.segment;
    this.segment = null;
    if (segment?.encoder) this.closing.push(segment.encoder.close());
  }

  private slotBootMs(segment: Segment, index: number): number {
    return segment.startBootMs + (index * 1000) / this.spec.fps;
  }

  private unixUsAt(bootMs: number): number {
    const fix = this.systemTime as SystemTimeFix;
    return fix.unixUs + (bootMs - fix.timeBootMs) * 1000;
  }

  /** The reported pose at a time: position and heading interpolated, the gimbal as last reported. */
  private poseAt(bootMs: number): CameraPose {
    const [a, b, s] = bracket(this.positions, bootMs);
    const lerp = (x: number, y: number) => x + (y - x) * s;
    const [ya, yb, sy] = bracket(this.attitudes, bootMs);
    const yawRad = ya.yawRad + wrapPi(yb.yawRad - ya.yawRad) * sy;
    const gimbal = lastAtOrBefore(this.gimbals, bootMs);
    const pointing = gimbal
      ? cameraPointing(
          gimbal.yawFrame === 'earth' ? gimbal.yawRad : yawRad + gimbal.yawRad,
          gimbal.pitchRad,
          gimbal.rollRad,
        )
      : { headingDeg: yawRad * DEG, pitchDeg: FIXED_MOUNT_PITCH_DEG };
    return {
      latDeg: lerp(a.latDeg, b.latDeg),
      lonDeg: lerp(a.lonDeg, b.lonDeg),
      altAmslM: lerp(a.altAmslM, b.altAmslM),
      groundAmslM: lerp(a.groundAmslM, b.groundAmslM),
      headingDeg: ((pointing.headingDeg % 360) + 360) % 360,
      pitchDeg: pointing.pitchDeg,
      rollDeg: 0,
    };
  }

  private forgetBefore(bootMs: number): void {
    for (const series of [this.positions, this.attitudes, this.gimbals] as { bootMs: number }[][]) {
      let drop = 0;
      while (drop < series.length - 1 && series[drop + 1].bootMs <= bootMs) drop++;
      series.splice(0, drop);
    }
  }

  private fail(error: UserError): void {
    if (this.error) return;
    this.error = error;
    this.stopped = true;
    this.unsubscribe();
    this.endSegment();
    this.options.onError?.(error);
  }
}

/**
 * The heading and elevation the renderer draws (it draws a level horizon: a stabilised gimbal) of a
 * camera turned by ZYX Euler angles in NED: the elevation is the pitch; the heading is where the optical
 * axis points, or, looking down, where the top of the picture points. Roll counts: looking straight down
 * the Euler angles are degenerate (a gimbal reporting pitch −90° may send yaw 180° and roll 180° for a
 * camera turned neither way), and only yaw and roll together say where the picture's top points.
 */
function cameraPointing(
  yawRad: number,
  pitchRad: number,
  rollRad: number,
): { headingDeg: number; pitchDeg: number } {
  const [cy, sy] = [Math.cos(yawRad), Math.sin(yawRad)];
  const [cp, sp] = [Math.cos(pitchRad), Math.sin(pitchRad)];
  const [cr, sr] = [Math.cos(rollRad), Math.sin(rollRad)];
  // The optical axis and the picture's up (the camera's −z) in north, east, down.
  const forward = [cp * cy, cp * sy, -sp];
  const up = [-(cr * sp * cy + sr * sy), -(cr * sp * sy - sr * cy), -cr * cp];
  const lookingDown = forward[2] > 0;
  const north = forward[0] + (lookingDown ? up[0] : 0);
  const east = forward[1] + (lookingDown ? up[1] : 0);
  return { headingDeg: Math.atan2(east, north) * DEG, pitchDeg: pitchRad * DEG };
}

/** DIR/video.mkv for the first boot, DIR/video-2.mkv for the second… */
function segmentFile(file: string, n: number): string {
  if (n === 1) return file;
  const ext = path.extname(file);
  return `${file.slice(0, file.length - ext.length)}-${n}${ext}`;
}

function insertByTime<T extends { bootMs: number }>(series: T[], sample: T): void {
  let i = series.length;
  while (i > 0 && series[i - 1].bootMs > sample.bootMs) i--;
  if (i > 0 && series[i - 1].bootMs === sample.bootMs) series[i - 1] = sample;
  else series.splice(i, 0, sample);
}

/** The samples either side of a time and where it lies between them (0..1); the last one held after it. */
function bracket<T extends { bootMs: number }>(series: T[], bootMs: number): [T, T, number] {
  let i = 0;
  while (i < series.length - 1 && series[i + 1].bootMs <= bootMs) i++;
  const a = series[i];
  const b = series[Math.min(i + 1, series.length - 1)];
  if (b.bootMs <= a.bootMs || bootMs <= a.bootMs) return [a, a, 0];
  return [a, b, Math.min(1, (bootMs - a.bootMs) / (b.bootMs - a.bootMs))];
}

function lastAtOrBefore<T extends { bootMs: number }>(series: T[], bootMs: number): T | undefined {
  let found: T | undefined = series[0];
  for (const sample of series) if (sample.bootMs <= bootMs) found = sample;
  return found;
}
