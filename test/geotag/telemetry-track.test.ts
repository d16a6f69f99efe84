import { ardupilotmega, common, type MavLinkData, minimal } from 'node-mavlink';
import { describe, expect, it } from 'vitest';
import { LocalFrame, wrapPi } from '../../src/geo/index.js';
import { type Pose, TelemetryTrack } from '../../src/geotag/index.js';
import { decodeFrame, FrameEncoder, type ReceivedMessage } from '../../src/mavlink/codec.js';
import { HOME } from './poses.js';

const DEG = Math.PI / 180;
/** The vehicle booted at this Unix time, µs. */
const BOOT_UNIX_US = 1_700_000_000_000_000;
const frame = new LocalFrame({ latDeg: HOME.latDeg, lonDeg: HOME.lonDeg, altAmslM: HOME.groundAmslM });
const encoder = new FrameEncoder(1, 1);

/** Encodes and decodes the message, as it comes off a link, arriving at `arrivalUs`. */
function rx(message: MavLinkData, arrivalUs: number): ReceivedMessage {
  const decoded = decodeFrame(encoder.encode(message), arrivalUs);
  if (!decoded) throw new Error('not decodable');
  return decoded;
}

function position(bootMs: number, northM: number, eastM = 0, velNorthMs = 0, altRelM = 100) {
  const geo = frame.toGeo({ northM, eastM, upM: altRelM });
  const m = new common.GlobalPositionInt();
  m.timeBootMs = bootMs;
  m.lat = Math.round(geo.latDeg * 1e7);
  m.lon = Math.round(geo.lonDeg * 1e7);
  m.alt = Math.round(geo.altAmslM * 1000);
  m.relativeAlt = Math.round(altRelM * 1000);
  m.vx = Math.round(velNorthMs * 100);
  m.vy = 0;
  m.vz = 0;
  m.hdg = 0;
  return m;
}

function attitude(bootMs: number, yawDeg: number, rollDeg = 0, pitchDeg = 0) {
  const m = new common.Attitude();
  m.timeBootMs = bootMs;
  m.roll = rollDeg * DEG;
  m.pitch = pitchDeg * DEG;
  m.yaw = wrapPi(yawDeg * DEG);
  m.rollspeed = m.pitchspeed = m.yawspeed = 0;
  return m;
}

/** The simulator's gimbal message: q = q_yaw ⊗ q_pitch, yaw relative to the nose. */
function gimbal(bootMs: number, pitchDeg: number, yawDeg: number, flags: number) {
  const m = new common.GimbalDeviceAttitudeStatus();
  const hp = (pitchDeg * DEG) / 2;
  const hy = (yawDeg * DEG) / 2;
  m.targetSystem = 0;
  m.targetComponent = 0;
  m.timeBootMs = bootMs;
  m.flags = flags;
  m.q = [
    Math.cos(hy) * Math.cos(hp),
    -Math.sin(hy) * Math.sin(hp),
    Math.cos(hy) * Math.sin(hp),
    Math.sin(hy) * Math.cos(hp),
  ];
  m.angularVelocityX = m.angularVelocityY = m.angularVelocityZ = Number.NaN;
  m.failureFlags = 0 as common.GimbalDeviceErrorFlags;
  m.deltaYaw = Number.NaN;
  m.deltaYawVelocity = Number.NaN;
  m.gimbalDeviceId = 1;
  return m;
}

function systemTime(bootMs: number, unixUs: number) {
  const m = new common.SystemTime();
  m.timeBootMs = bootMs;
  m.timeUnixUsec = BigInt(unixUs);
  return m;
}

/** Boot ms → the Unix time the vehicle stamped it with. */
const at = (bootMs: number) => BOOT_UNIX_US + bootMs * 1000;

function northOf(pose: Pose): number {
  return frame.toLocal(pose.latDeg, pose.lonDeg, 0).northM;
}

function poseOrFail(track: TelemetryTrack, timeUs: number, maxGapUs = 200_000): Pose {
  const result = track.poseAt(timeUs, maxGapUs);
  if (!result.ok) throw new Error(result.reason);
  return result.pose;
}

/** A track with SYSTEM_TIME, fixes and attitudes every 100 ms from boot 10 s, moving north 1 m per fix. */
function steadyTrack(fixes = 5): TelemetryTrack {
  const track = new TelemetryTrack();
  track.add(rx(systemTime(10_000, at(10_000)), at(10_000) + 30_000));
  for (let i = 0; i < fixes; i++) {
    const bootMs = 10_000 + i * 100;
    track.add(rx(position(bootMs, i, 0, 10), at(bootMs) + 25_000));
    track.add(rx(attitude(bootMs, 0), at(bootMs) + 25_000));
  }
  return track;
}

describe('telemetry track', () => {
  it('interpolates the position midway between fixes, with the altitudes and the ground under them', () => {
    const track = steadyTrack();
    const pose = poseOrFail(track, at(10_150));
    expect(northOf(pose)).toBeCloseTo(1.5, 1);
    expect(pose.altRelM).toBeCloseTo(100, 3);
    expect(pose.groundAmslM).toBeCloseTo(HOME.groundAmslM, 3);
    expect(pose.altAmslM).toBeCloseTo(HOME.groundAmslM + 100, 3);
    expect(pose.velocityEnuMs.northMs).toBeCloseTo(10, 6);
    expect(pose.timeUs).toBe(at(10_150));
    // Velocities that disagree with the fixes (reported 0 while moving) fall back to a straight line.
    const still = new TelemetryTrack();
    for (const [bootMs, northM] of [
      [0, 0],
      [1000, 4],
    ]) {
      still.add(rx(position(bootMs, northM), at(bootMs)));
      still.add(rx(attitude(bootMs, 0), at(bootMs)));
    }
    expect(northOf(poseOrFail(still, at(250), 1_000_000))).toBeCloseTo(1, 1);
  });

  it('interpolates angles on the circle: yaw 359° → 1° passes through north', () => {
    const track = new TelemetryTrack();
    for (const [bootMs, yawDeg] of [
      [0, 359],
      [100, 1],
    ]) {
      track.add(rx(position(bootMs, 0), at(bootMs)));
      track.add(rx(attitude(bootMs, yawDeg, -10, 5), at(bootMs)));
    }
    const pose = poseOrFail(track, at(50));
    expect(Math.abs(wrapPi(pose.yawRad))).toBeLessThan(1e-6);
    expect(pose.yawRad).toBeGreaterThanOrEqual(0);
    expect(pose.yawRad).toBeLessThan(2 * Math.PI);
    expect(pose.rollRad).toBeCloseTo(-10 * DEG, 6);
    expect(pose.pitchRad).toBeCloseTo(5 * DEG, 6);
    expect(wrapPi(poseOrFail(track, at(75)).yawRad) / DEG).toBeCloseTo(0.5, 4);
  });

  it('refuses a frame beyond the gap or outside the track, saying how far the telemetry is', () => {
    const track = new TelemetryTrack();
    for (const bootMs of [0, 1000]) {
      track.add(rx(position(bootMs, 0), at(bootMs)));
      track.add(rx(attitude(bootMs, 0), at(bootMs)));
    }
    const gap = track.poseAt(at(500), 200_000);
    expect(gap.ok).toBe(false);
    if (!gap.ok) expect(gap.reason).toMatch(/no position fix within 200 ms of the frame .*nearest at 500 ms/);
    expect(track.poseAt(at(500), 600_000).ok).toBe(true);
    const before = track.poseAt(at(-50), 200_000);
    if (!before.ok) expect(before.reason).toMatch(/before the first position fix \(50 ms later\)/);
    else expect.fail('a frame before the track must be refused');
    const after = track.poseAt(at(1100), 200_000);
    if (!after.ok) expect(after.reason).toMatch(/after the last position fix/);
    else expect.fail('a frame after the track must be refused');
    expect(new TelemetryTrack().poseAt(at(0), 1000)).toEqual({
      ok: false,
      reason: 'no position fix in the telemetry',
    });
  });

  it('refuses when attitude is missing near the frame even with positions there', () => {
    const track = new TelemetryTrack();
    for (const bootMs of [0, 100, 200, 300]) track.add(rx(position(bootMs, 0), at(bootMs)));
    track.add(rx(attitude(0, 0), at(0)));
    track.add(rx(attitude(1000, 0), at(1000)));
    const result = track.poseAt(at(150), 200_000);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/no attitude within 200 ms/);
  });

  it('keeps samples in time order when packets arrive out of order', () => {
    const track = new TelemetryTrack();
    // The middle fix is off the straight line between the others, and arrives last.
    for (const [bootMs, northM] of [
      [0, 0],
      [200, 2],
      [100, 5],
    ]) {
      track.add(rx(position(bootMs, northM), at(bootMs) + 10_000));
      track.add(rx(attitude(bootMs, bootMs / 10), at(bootMs) + 10_000));
    }
    // Arrival-time clock: offset = the least delay, 10 ms here.
    const pose = poseOrFail(track, at(100) + 10_000);
    expect(northOf(pose)).toBeCloseTo(5, 1);
    expect(pose.yawRad / DEG).toBeCloseTo(10, 4);
    expect(northOf(poseOrFail(track, at(150) + 10_000))).toBeCloseTo(3.5, 1);
  });

  it('uses SYSTEM_TIME for the vehicle clock, and the least-delayed packet before it', () => {
    const track = new TelemetryTrack();
    // Arrivals 50 ms and 20 ms late: without SYSTEM_TIME, boot time maps with the least delay (20 ms).
    track.add(rx(position(10_000, 0), at(10_000) + 50_000));
    track.add(rx(attitude(10_000, 0), at(10_000) + 50_000));
    track.add(rx(position(10_100, 1), at(10_100) + 20_000));
    track.add(rx(attitude(10_100, 0), at(10_100) + 20_000));
    expect(northOf(poseOrFail(track, at(10_050) + 20_000))).toBeCloseTo(0.5, 1);
    expect(track.poseAt(at(10_000), 200_000).ok).toBe(false);
    // A SYSTEM_TIME with no date yet (0) changes nothing.
    track.add(rx(systemTime(10_150, 0), at(10_150) + 20_000));
    expect(track.poseAt(at(10_000), 200_000).ok).toBe(false);
    // With the vehicle's own Unix time, the same samples move to the exact vehicle times.
    track.add(rx(systemTime(10_200, at(10_200)), at(10_200) + 80_000));
    expect(northOf(poseOrFail(track, at(10_050)))).toBeCloseTo(0.5, 1);
    expect(northOf(poseOrFail(track, at(10_000)))).toBeCloseTo(0, 1);
    expect(track.poseAt(at(10_110), 200_000).ok).toBe(false);
    expect(track.span()).toEqual({ startUs: at(10_000), endUs: at(10_100) });
  });

  it('starts a new clock when the vehicle reboots (time_boot_ms jumps back)', () => {
    const track = new TelemetryTrack();
    for (const bootMs of [600_000, 600_100]) {
      track.add(rx(position(bootMs, 0), at(bootMs)));
      track.add(rx(attitude(bootMs, 0), at(bootMs)));
    }
    // Rebooted 700 s after the first boot: boot times restart near 0.
    const reboot = at(700_000);
    for (const bootMs of [1_000, 1_100]) {
      track.add(rx(position(bootMs, 10 + (bootMs - 1000) / 100), reboot + bootMs * 1000));
      track.add(rx(attitude(bootMs, 90), reboot + bootMs * 1000));
    }
    expect(northOf(poseOrFail(track, at(600_050)))).toBeCloseTo(0, 1);
    const after = poseOrFail(track, reboot + 1_050_000);
    expect(northOf(after)).toBeCloseTo(10.5, 1);
    expect(after.yawRad / DEG).toBeCloseTo(90, 4);
  });

  it('reads the gimbal: the simulator quaternion in the vehicle frame, earth-frame flags, MOUNT_STATUS', () => {
    const F = common.GimbalDeviceFlags;
    const track = new TelemetryTrack();
    for (const bootMs of [0, 100]) {
      track.add(rx(position(bootMs, 0), at(bootMs)));
      track.add(rx(attitude(bootMs, 20), at(bootMs)));
      track.add(rx(gimbal(bootMs, -45, 30, F.ROLL_LOCK | F.PITCH_LOCK | F.YAW_IN_VEHICLE_FRAME), at(bootMs)));
    }
    const g = poseOrFail(track, at(50)).gimbal;
    expect(g?.pitchRad).toBeCloseTo(-45 * DEG, 5);
    expect(g?.yawRad).toBeCloseTo(30 * DEG, 5);
    expect(g?.rollRad).toBeCloseTo(0, 5);
    expect(g?.yawFrame).toBe('vehicle');

    for (const [flags, frameName] of [
      [F.YAW_IN_EARTH_FRAME, 'earth'],
      [F.YAW_LOCK, 'earth'],
      [F.YAW_LOCK | F.YAW_IN_VEHICLE_FRAME, 'vehicle'],
      [0, 'vehicle'],
    ] as const) {
      const t = new TelemetryTrack();
      t.add(rx(position(0, 0), at(0)));
      t.add(rx(attitude(0, 0), at(0)));
      t.add(rx(gimbal(0, -90, 0, flags), at(0)));
      expect(poseOrFail(t, at(0)).gimbal?.yawFrame).toBe(frameName);
    }

    const mounted = new TelemetryTrack();
    mounted.add(rx(position(0, 0), at(0)));
    mounted.add(rx(attitude(0, 0), at(0)));
    const mount = new ardupilotmega.MountStatus();
    mount.pointingA = -6000;
    mount.pointingB = 0;
    mount.pointingC = 4500;
    mounted.add(rx(mount, at(0) + 5_000));
    const fromMount = poseOrFail(mounted, at(0)).gimbal;
    expect(fromMount?.pitchRad).toBeCloseTo(-60 * DEG, 9);
    expect(fromMount?.yawRad).toBeCloseTo(45 * DEG, 9);
  });

  it('has no gimbal without gimbal messages, and refuses a frame far from the gimbal once it has reported', () => {
    const track = steadyTrack(30);
    expect(poseOrFail(track, at(10_150)).gimbal).toBeUndefined();
    track.add(rx(gimbal(10_000, -90, 0, common.GimbalDeviceFlags.YAW_IN_VEHICLE_FRAME), at(10_000)));
    expect(poseOrFail(track, at(10_500)).gimbal?.pitchRad).toBeCloseTo(-90 * DEG, 5);
    const far = track.poseAt(at(12_500), 200_000);
    expect(far.ok).toBe(false);
    if (!far.ok) expect(far.reason).toMatch(/no gimbal attitude within 1000 ms/);
  });

  it('refuses a frame between gimbal reports of a step, and places one between reports of a slow turn', () => {
    const vehicleFrame = common.GimbalDeviceFlags.YAW_IN_VEHICLE_FRAME;
    const track = steadyTrack(30);
    // Camera to the horizon for the climb, then straight down at once (DO_MOUNT_CONTROL after take-off).
    track.add(rx(gimbal(10_000, 0, 0, vehicleFrame), at(10_000)));
    track.add(rx(gimbal(10_100, -90, 0, vehicleFrame), at(10_100)));
    track.add(rx(gimbal(10_400, -90, 0, vehicleFrame), at(10_400)));
    const during = track.poseAt(at(10_040), 200_000);
    expect(during.ok).toBe(false);
    if (!during.ok) expect(during.reason).toMatch(/gimbal turned 90° between two reports within 250 ms/);
    // Nor just after it: a live frame's time is an estimate, and this one may have been taken before.
    expect(track.poseAt(at(10_300), 200_000).ok).toBe(false);
    // Once well past it, the pointing is known again.
    expect(poseOrFail(track, at(10_380)).gimbal?.pitchRad).toBeCloseTo(-90 * DEG, 5);

    // Tracking a point: 2° between reports is interpolated.
    track.add(rx(gimbal(10_500, -88, 0, vehicleFrame), at(10_500)));
    expect(poseOrFail(track, at(10_450)).gimbal?.pitchRad).toBeCloseTo(-89 * DEG, 5);
  });

  it("carries the autopilot's wind estimate to the poses near it", () => {
    const track = steadyTrack();
    expect(poseOrFail(track, at(10_150)).wind).toBeUndefined();
    const wind = new ardupilotmega.Wind();
    wind.direction = 250;
    wind.speed = 3;
    wind.speedZ = 0;
    track.add(rx(wind, at(10_100)));
    const pose = poseOrFail(track, at(10_150));
    expect(pose.wind?.fromRad).toBeCloseTo(250 * DEG, 5);
    expect(pose.wind?.speedMs).toBeCloseTo(3, 5);
  });

  it('places a wind estimate on the vehicle clock when this machine’s clock runs apart from it', () => {
    // Live: fixes stamped by the vehicle arrive on a clock an hour off (WIND carries no time of its own).
    const track = new TelemetryTrack();
    const hourUs = 3_600_000_000;
    for (let i = 0; i < 5; i++) {
      const bootMs = 10_000 + i * 100;
      track.add(rx(systemTime(bootMs, at(bootMs)), at(bootMs) + hourUs));
      track.add(rx(position(bootMs, i), at(bootMs) + hourUs));
      track.add(rx(attitude(bootMs, 0), at(bootMs) + hourUs));
    }
    const wind = new ardupilotmega.Wind();
    wind.direction = 250;
    wind.speed = 3;
    wind.speedZ = 0;
    track.add(rx(wind, at(10_400) + hourUs));
    expect(poseOrFail(track, at(10_350)).wind?.speedMs).toBeCloseTo(3, 5);
  });

  it('ignores other messages and other vehicles', () => {
    const track = new TelemetryTrack({ sysid: 1 });
    const heartbeat = new minimal.Heartbeat();
    heartbeat.type = minimal.MavType.QUADROTOR;
    expect(track.add(rx(heartbeat, at(0)))).toBe(false);
    const other = { ...rx(position(0, 0), at(0)), sysid: 2 };
    expect(track.add(other)).toBe(false);
    expect(track.add(rx(position(0, 0), at(0)))).toBe(true);
    // No position until the EKF has an origin (lat, lon 0).
    const none = position(100, 0);
    none.lat = 0;
    none.lon = 0;
    expect(track.add(rx(none, at(100)))).toBe(false);
    expect(track.rejected.lastReason).toMatch(/no position yet/);
  });

  it('holds a one-hour flight at 10 Hz and answers queries along it', () => {
    const track = new TelemetryTrack();
    const fixes = 36_000;
    track.add(rx(systemTime(0, at(0)), at(0)));
    for (let i = 0; i < fixes; i++) {
      const bootMs = i * 100;
      // Built directly (no encode/decode) to keep the test quick; the objects are node-mavlink's own.
      const base = {
        msgid: 0,
        sysid: 1,
        compid: 1,
        seq: 0,
        timeUs: at(bootMs) + 15_000,
        bytes: Buffer.alloc(0),
      };
      track.add({
        ...base,
        message: position(bootMs, i * 0.5, 0, 5),
        msgid: common.GlobalPositionInt.MSG_ID,
      });
      track.add({ ...base, message: attitude(bootMs, i % 360), msgid: common.Attitude.MSG_ID });
    }
    expect(track.span()).toEqual({ startUs: at(0), endUs: at((fixes - 1) * 100) });
    for (let i = 10; i < fixes - 1; i += 997) {
      expect(northOf(poseOrFail(track, at(i * 100 + 50)))).toBeCloseTo(i * 0.5 + 0.25, 1);
    }
    track.forgetBefore(at(3_000_000));
    expect(track.poseAt(at(1_000_000), 200_000).ok).toBe(false);
    expect(northOf(poseOrFail(track, at(3_000_000)))).toBeCloseTo(15_000, 1);
  });
});
