import { ardupilotmega, common } from 'node-mavlink';
import { UserError } from '../errors.js';
import { LocalFrame, wrapPi, wrapTwoPi } from '../geo/index.js';
import {
  decodeGimbalDeviceAttitude,
  decodeGlobalPosition,
  decodeMountStatus,
  type ReceivedMessage,
} from '../mavlink/index.js';
import type { GimbalAttitude, Pose, PoseResult } from './pose.js';
import { SampleSeries, type Stamped } from './series.js';
import { VehicleClock } from './vehicle-clock.js';

const DEG = Math.PI / 180;
/** A gimbal reports less often than the autopilot and moves slowly: it may be this far from a frame at least. */
const GIMBAL_MIN_GAP_US = 1_000_000;
/**
 * Around two gimbal reports further apart than this in any axis the pointing is not known well enough
 * to place from: a commanded step (0° to −90° at once) would interpolate to an angle the camera never
 * had. A gimbal tracking a point moves well under this between reports.
 */
const GIMBAL_MAX_STEP_DEG = 5;
/**
 * How far from a gimbal step a frame is refused: a live frame's time on the vehicle's clock is an
 * estimate (the stream's latency, the clock's offset), and a frame taken before a step but placed
 * after it would be projected through the wrong pointing — a view of the horizon as if looking down.
 */
const GIMBAL_STEP_GUARD_US = 250_000;
/** Hermite interpolation is used when the reported velocities agree with the fixes within this (m + share of the step). */
const HERMITE_SLACK_M = 0.5;
const HERMITE_SLACK_SHARE = 0.2;
/** The wind changes slowly: an estimate this far from a frame still describes it. */
const WIND_MAX_GAP_US = 30_000_000;

interface PositionSample extends Stamped {
  latDeg: number;
  lonDeg: number;
  altAmslM: number;
  altRelM: number;
  eastMs: number;
  northMs: number;
  upMs: number;
}

interface AttitudeSample extends Stamped {
  rollRad: number;
  pitchRad: number;
  yawRad: number;
}

interface GimbalSample extends Stamped, GimbalAttitude {}

interface WindSample extends Stamped {
  fromRad: number;
  speedMs: number;
}

export interface TelemetryTrackOptions {
  /** The vehicle to follow; default: the system of the first message used. */
  sysid?: number;
}

export interface PoseQueryOptions {
  /** How far gimbal samples may be from the frame; default max(maxGapUs, 1 s). */
  gimbalMaxGapUs?: number;
}

/**
 * One vehicle's pose over time from its telemetry (live or a tlog): GLOBAL_POSITION_INT, ATTITUDE,
 * GIMBAL_DEVICE_ATTITUDE_STATUS or MOUNT_STATUS, the autopilot's wind estimate (WIND), and SYSTEM_TIME
 * for the clock. Other messages are ignored. Times are the vehicle's (see VehicleClock); MOUNT_STATUS and
 * WIND carry no time and are placed at their arrival time.
 */
export class TelemetryTrack {
  private readonly clock = new VehicleClock();
  private readonly onBoot = (s: Stamped) => (s.boot < 0 ? s.bootUs : this.clock.toUnixUs(s.boot, s.bootUs));
  private readonly positions = new SampleSeries<PositionSample>(this.onBoot);
  private readonly attitudes = new SampleSeries<AttitudeSample>(this.onBoot);
  private readonly gimbalDevice = new SampleSeries<GimbalSample>(this.onBoot);
  private readonly mount = new SampleSeries<GimbalSample>(this.onBoot);
  private readonly winds = new SampleSeries<WindSample>(this.onBoot);
  private sysid: number | null;
  /** The newest message with the vehicle's own time, and when it arrived (for messages without one). */
  private lastStamped: (Stamped & { arrivalUs: number }) | null = null;
  /** Packets of a known type that could not be used, and why the last one was not. */
  readonly rejected = { count: 0, lastReason: '' };

  constructor(options: TelemetryTrackOptions = {}) {
    this.sysid = options.sysid ?? null;
  }

  /** Takes one message; returns whether it was used. */
  add(rx: ReceivedMessage): boolean {
    const m = rx.message;
    const known =
      m instanceof common.GlobalPositionInt ||
      m instanceof common.Attitude ||
      m instanceof common.GimbalDeviceAttitudeStatus ||
      m instanceof ardupilotmega.MountStatus ||
      m instanceof ardupilotmega.Wind ||
      m instanceof common.SystemTime;
    if (!known) return false;
    if (this.sysid !== null && rx.sysid !== this.sysid) return false;
    const problem = this.take(rx);
    if (problem) {
      this.rejected.count++;
      this.rejected.lastReason = problem;
      return false;
    }
    this.sysid ??= rx.sysid;
    return true;
  }

  /** Forgets samples before `timeUs` (keeping one for interpolation): a live link that runs for hours. */
  forgetBefore(timeUs: number): void {
    for (const series of [this.positions, this.attitudes, this.gimbalDevice, this.mount, this.winds])
      series.forgetBefore(timeUs);
  }

  /** The time span the position fixes cover, Unix µs; null before the first. */
  span(): { startUs: number; endUs: number } | null {
    const first = this.positions.first();
    const last = this.positions.last();
    return first && last
      ? { startUs: this.positions.timeOf(first), endUs: this.positions.timeOf(last) }
      : null;
  }

  /**
   * The pose at `timeUs` (Unix µs on the vehicle's clock), interpolated between the samples either side;
   * refused when the time is outside the track or a sample either side is more than `maxGapUs` away.
   */
  poseAt(timeUs: number, maxGapUs: number, options: PoseQueryOptions = {}): PoseResult {
    if (!Number.isFinite(timeUs))
      throw new UserError(`pose time must be a finite number of µs, got ${timeUs}`);
    if (!Number.isFinite(maxGapUs) || maxGapUs < 0) {
      throw new UserError(`pose max gap must be a non-negative number of µs, got ${maxGapUs}`);
    }
    const pos = around(this.positions, timeUs, maxGapUs, 'position fix');
    if (typeof pos === 'string') return { ok: false, reason: pos };
    const att = around(this.attitudes, timeUs, maxGapUs, 'attitude');
    if (typeof att === 'string') return { ok: false, reason: att };
    const gimbal = this.gimbalAt(timeUs, options.gimbalMaxGapUs ?? Math.max(maxGapUs, GIMBAL_MIN_GAP_US));
    if (typeof gimbal === 'string') return { ok: false, reason: gimbal };
    const a = att.before;
    const b = att.after;
    const pose: Pose = {
      ...interpolatePosition(pos.before, pos.after, pos.s, pos.dtS),
      timeUs,
      rollRad: lerpAngle(a.rollRad, b.rollRad, att.s),
      pitchRad: lerpAngle(a.pitchRad, b.pitchRad, att.s),
      yawRad: wrapTwoPi(lerpAngle(a.yawRad, b.yawRad, att.s)),
    };
    if (gimbal) pose.gimbal = gimbal;
    const wind = nearest(this.winds, timeUs, WIND_MAX_GAP_US);
    if (wind) pose.wind = { fromRad: wind.fromRad, speedMs: wind.speedMs };
    return { ok: true, pose };
  }

  /** The gimbal at the time; undefined when no gimbal ever reported, a reason when none is near. */
  private gimbalAt(timeUs: number, maxGapUs: number): GimbalAttitude | undefined | string {
    const series = [this.gimbalDevice, this.mount].filter((s) => s.length > 0);
    if (series.length === 0) return undefined;
    let reason = '';
    for (const s of series) {
      const near = nearOrHeld(s, timeUs, maxGapUs);
      if (typeof near !== 'string') return near;
      reason ||= near;
    }
    return reason;
  }

  /**
   * A message without a time of its own (WIND, MOUNT_STATUS), on the vehicle's clock: as long after
   * the newest stamped message as it arrived after it. Live, arrival is this machine's clock, which
   * may run apart from the vehicle's (a sped-up simulator, an unsynchronised ground station).
   */
  private vehicleTimeAtArrival(arrivalUs: number): number {
    const last = this.lastStamped;
    if (!last) return arrivalUs;
    return this.onBoot(last) + (arrivalUs - last.arrivalUs);
  }

  private take(rx: ReceivedMessage): string | null {
    const m = rx.message;
    if (m instanceof common.SystemTime) {
      if (!validBootMs(m.timeBootMs)) return `SYSTEM_TIME: bad time_boot_ms ${m.timeBootMs}`;
      this.clock.observeSystemTime(BigInt(m.timeUnixUsec), m.timeBootMs, rx.timeUs);
      return null;
    }
    if (m instanceof ardupilotmega.Wind) {
      if (![m.direction, m.speed].every(Number.isFinite) || m.speed < 0) return 'WIND: no valid estimate';
      this.winds.insert({
        boot: -1,
        bootUs: this.vehicleTimeAtArrival(rx.timeUs),
        fromRad: wrapTwoPi(m.direction * DEG),
        speedMs: m.speed,
      });
      return null;
    }
    if (m instanceof ardupilotmega.MountStatus) {
      const { pitchRad, rollRad, yawRad } = decodeMountStatus(m);
      if (![pitchRad, rollRad, yawRad].every(Number.isFinite)) return 'MOUNT_STATUS: non-finite angle';
      this.mount.insert({
        boot: -1,
        bootUs: this.vehicleTimeAtArrival(rx.timeUs),
        pitchRad,
        rollRad,
        yawRad: wrapPi(yawRad),
        yawFrame: 'vehicle',
      });
      return null;
    }
    if (
      !(
        m instanceof common.GlobalPositionInt ||
        m instanceof common.Attitude ||
        m instanceof common.GimbalDeviceAttitudeStatus
      )
    ) {
      return null;
    }
    if (!validBootMs(m.timeBootMs)) return `${messageName(m)}: bad time_boot_ms ${m.timeBootMs}`;
    const stamp = () => {
      const sample = { boot: this.clock.observe(m.timeBootMs, rx.timeUs), bootUs: m.timeBootMs * 1000 };
      this.lastStamped = { ...sample, arrivalUs: rx.timeUs };
      return sample;
    };
    if (m instanceof common.GlobalPositionInt) {
      const p = decodeGlobalPosition(m);
      if (!p) return 'GLOBAL_POSITION_INT: no position yet (lat, lon 0)';
      if (Math.abs(p.latDeg) > 90 || Math.abs(p.lonDeg) > 180) {
        return `GLOBAL_POSITION_INT: lat ${p.latDeg}, lon ${p.lonDeg} out of range`;
      }
      this.positions.insert({
        ...stamp(),
        latDeg: p.latDeg,
        lonDeg: p.lonDeg,
        altAmslM: p.altAmslM,
        altRelM: p.altRelM,
        eastMs: p.velEastMs,
        northMs: p.velNorthMs,
        upMs: -p.velDownMs,
      });
      return null;
    }
    if (m instanceof common.Attitude) {
      if (![m.roll, m.pitch, m.yaw].every(Number.isFinite)) return 'ATTITUDE: non-finite angle';
      this.attitudes.insert({ ...stamp(), rollRad: m.roll, pitchRad: m.pitch, yawRad: m.yaw });
      return null;
    }
    if (m instanceof common.GimbalDeviceAttitudeStatus) {
      const attitude = decodeGimbalDeviceAttitude(m);
      if (!attitude) return 'GIMBAL_DEVICE_ATTITUDE_STATUS: no valid quaternion';
      this.gimbalDevice.insert({ ...stamp(), ...attitude });
    }
    return null;
  }
}

function messageName(m: object): string {
  return (m.constructor as { MSG_NAME?: string }).MSG_NAME ?? m.constructor.name;
}

function validBootMs(ms: number): boolean {
  return Number.isFinite(ms) && ms >= 0;
}

interface Around<T> {
  before: T;
  after: T;
  /** 0 at `before`, 1 at `after`. */
  s: number;
  dtS: number;
}

function around<T extends Stamped>(series: SampleSeries<T>, timeUs: number, maxGapUs: number, what: string) {
  const first = series.first();
  const last = series.last();
  if (!first || !last) return `no ${what} in the telemetry`;
  const { before, after } = series.bracket(timeUs);
  if (!before) {
    return `frame at ${iso(timeUs)} is before the first ${what} (${ms(series.timeOf(first) - timeUs)} later)`;
  }
  if (!after) {
    return `frame at ${iso(timeUs)} is after the last ${what} (${ms(timeUs - series.timeOf(last))} earlier)`;
  }
  const tb = series.timeOf(before);
  const ta = series.timeOf(after);
  if (timeUs - tb > maxGapUs || ta - timeUs > maxGapUs) {
    const nearest = timeUs - tb <= ta - timeUs ? `${ms(timeUs - tb)} before` : `${ms(ta - timeUs)} after`;
    const far = timeUs - tb > maxGapUs ? `${ms(timeUs - tb)} before` : `${ms(ta - timeUs)} after`;
    return (
      `no ${what} within ${ms(maxGapUs)} of the frame on both sides (nearest at ${nearest}, ` +
      `the other at ${far})`
    );
  }
  const result: Around<T> = {
    before,
    after,
    s: ta > tb ? (timeUs - tb) / (ta - tb) : 0,
    dtS: (ta - tb) / 1e6,
  };
  return result;
}

/**
 * A gimbal attitude interpolated between close samples, or held from the nearest one within the gap;
 * refused near a step (two reports that differ by more than GIMBAL_MAX_STEP_DEG).
 */
function nearOrHeld(
  series: SampleSeries<GimbalSample>,
  timeUs: number,
  maxGapUs: number,
): GimbalAttitude | string {
  const { before, after } = series.bracket(timeUs);
  const dBefore = before ? timeUs - series.timeOf(before) : Number.POSITIVE_INFINITY;
  const dAfter = after ? series.timeOf(after) - timeUs : Number.POSITIVE_INFINITY;
  const nearby = series.covering(timeUs - GIMBAL_STEP_GUARD_US, timeUs + GIMBAL_STEP_GUARD_US);
  const stepDeg = Math.max(0, ...nearby.slice(1).map((sample, i) => gimbalStepDeg(nearby[i], sample)));
  if (stepDeg > GIMBAL_MAX_STEP_DEG) {
    return `gimbal turned ${stepDeg.toFixed(0)}° between two reports within ${ms(GIMBAL_STEP_GUARD_US)} of the frame at ${iso(timeUs)}`;
  }
  if (before && after && dBefore <= maxGapUs && dAfter <= maxGapUs && before.yawFrame === after.yawFrame) {
    const span = dBefore + dAfter;
    const s = span > 0 ? dBefore / span : 0;
    return {
      pitchRad: lerpAngle(before.pitchRad, after.pitchRad, s),
      rollRad: lerpAngle(before.rollRad, after.rollRad, s),
      yawRad: wrapPi(lerpAngle(before.yawRad, after.yawRad, s)),
      yawFrame: before.yawFrame,
    };
  }
  const nearest = dBefore <= dAfter ? before : after;
  const dUs = Math.min(dBefore, dAfter);
  if (!nearest || dUs > maxGapUs) {
    return `no gimbal attitude within ${ms(maxGapUs)} of the frame at ${iso(timeUs)}${
      nearest ? ` (nearest ${ms(dUs)} ${nearest === before ? 'before' : 'after'})` : ''
    }`;
  }
  const { pitchRad, rollRad, yawRad, yawFrame } = nearest;
  return { pitchRad, rollRad, yawRad, yawFrame };
}

/** The largest change in any axis between two gimbal reports, degrees. */
function gimbalStepDeg(a: GimbalAttitude, b: GimbalAttitude): number {
  const axes = [
    [a.pitchRad, b.pitchRad],
    [a.rollRad, b.rollRad],
    [a.yawRad, b.yawRad],
  ];
  return Math.max(...axes.map(([from, to]) => Math.abs(wrapPi(to - from)))) / DEG;
}

function interpolatePosition(a: PositionSample, b: PositionSample, s: number, dtS: number) {
  const frame = new LocalFrame({ latDeg: a.latDeg, lonDeg: a.lonDeg, altAmslM: a.altAmslM });
  const delta = frame.toLocal(b.latDeg, b.lonDeg, b.altAmslM - a.altAmslM);
  const chord = [delta.eastM, delta.northM, delta.upM];
  const va = [a.eastMs, a.northMs, a.upMs];
  const vb = [b.eastMs, b.northMs, b.upMs];
  // Cubic Hermite with the reported velocities, when they agree with the fixes; linear otherwise.
  const mismatch = Math.hypot(...chord.map((c, i) => c - ((va[i] + vb[i]) / 2) * dtS));
  const hermite = dtS > 0 && mismatch <= HERMITE_SLACK_M + HERMITE_SLACK_SHARE * Math.hypot(...chord);
  const h10 = s * s * s - 2 * s * s + s;
  const h01 = -2 * s * s * s + 3 * s * s;
  const h11 = s * s * s - s * s;
  const [e, n, u] = chord.map((c, i) => (hermite ? h10 * dtS * va[i] + h01 * c + h11 * dtS * vb[i] : s * c));
  const geo = frame.toGeo({ eastM: e, northM: n, upM: u });
  const groundAmslM = lerp(a.altAmslM - a.altRelM, b.altAmslM - b.altRelM, s);
  return {
    latDeg: geo.latDeg,
    lonDeg: geo.lonDeg,
    altAmslM: geo.altAmslM,
    altRelM: geo.altAmslM - groundAmslM,
    groundAmslM,
    velocityEnuMs: {
      eastMs: lerp(va[0], vb[0], s),
      northMs: lerp(va[1], vb[1], s),
      upMs: lerp(va[2], vb[2], s),
    },
  };
}

function lerp(a: number, b: number, s: number): number {
  return a + (b - a) * s;
}

/** Interpolates on the circle: the short way round. */
function lerpAngle(a: number, b: number, s: number): number {
  return a + wrapPi(b - a) * s;
}

function ms(us: number): string {
  return `${Math.round(us / 1000)} ms`;
}

function iso(timeUs: number): string {
  const d = new Date(timeUs / 1000);
  return Number.isNaN(d.getTime()) ? `${timeUs} µs` : d.toISOString();
}

/** The sample nearest `timeUs` within `maxGapUs`, if any. */
function nearest<T extends Stamped>(
  series: SampleSeries<T>,
  timeUs: number,
  maxGapUs: number,
): T | undefined {
  const { before, after } = series.bracket(timeUs);
  const gap = (sample: T | undefined) =>
    sample ? Math.abs(series.timeOf(sample) - timeUs) : Number.POSITIVE_INFINITY;
  const best = gap(before) <= gap(after) ? before : after;
  return best && gap(best) <= maxGapUs ? best : undefined;
}
