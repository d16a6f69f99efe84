import { ardupilotmega, common, type MavLinkData } from 'node-mavlink';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalPosition, MavLinkConnection } from '../../../src/mavlink/index.js';
import {
  FOLLOW_CAMERA_LINK_IDS,
  FollowCamera,
  type FollowFrame,
  loadWorld,
  type World,
} from '../../../src/sim/camera/index.js';
import { FOLLOW_CAMERA_TIMING } from '../../../src/timing.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { autopilotHeartbeat } from '../../helpers/heartbeat.js';
import { openSimulatedTransportPair } from '../../helpers/link-pair.js';
import { DEMO_HOME, DEMO_WORLD } from '../../helpers/sim-flight.js';

/**
 * The camera that follows a vehicle's reported pose, against a stand-in vehicle on an in-memory link:
 * what it asks for, which time and pose each frame shows, and what it does when it falls behind or the
 * vehicle reboots. Tiny frames: the pictures themselves are the renderer's (test/sim/camera/render).
 */

const FPS = 10;
const CAMERA = { widthPx: 32, heightPx: 18, hfovDeg: 82, fps: FPS };
const UNIX_AT_BOOT_US = 1_796_688_000_000_000;
const G = common.GimbalDeviceFlags;

let world: World;
let clock: FakeClock;
let vehicle: MavLinkConnection;
let cameraLink: MavLinkConnection;
let camera: FollowCamera;
let frames: FollowFrame[];
let events: string[];
let toVehicle: MavLinkData[];

beforeAll(async () => {
  world = await loadWorld(DEMO_WORLD);
});

function start(): void {
  clock = new FakeClock();
  const ends = openSimulatedTransportPair(clock, 0);
  vehicle = new MavLinkConnection(ends.vehicle, { systemId: 1, componentId: 1, gcsHeartbeat: false, clock });
  cameraLink = new MavLinkConnection(ends.gcs, { ...FOLLOW_CAMERA_LINK_IDS, gcsHeartbeat: false, clock });
  frames = [];
  events = [];
  toVehicle = [];
  vehicle.onMessage((rx) => toVehicle.push(rx.message));
  camera = new FollowCamera({
    link: cameraLink,
    world,
    camera: CAMERA,
    onFrame: (f) => frames.push(f),
    onEvent: (text) => events.push(text),
  });
}

afterEach(async () => {
  await camera?.close();
  await cameraLink?.close();
  await vehicle?.close();
});

/** Delivers what was sent and lets the camera render what became due. */
async function settle(): Promise<void> {
  await clock.advance(0);
  for (let i = 0; i < 200; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

async function send(...messages: MavLinkData[]): Promise<void> {
  for (const m of messages) vehicle.send(m);
  await settle();
}

const systemTime = (bootMs: number) =>
  Object.assign(new common.SystemTime(), {
    timeBootMs: bootMs,
    timeUnixUsec: BigInt(UNIX_AT_BOOT_US + bootMs * 1000),
  });

/** A fix `northM` north of the demo home, 60 m above it; without a fix, lat = lon = 0 as ArduPilot sends. */
const position = (bootMs: number, northM: number, fix = true) =>
  encodeGlobalPosition({
    timeBootMs: bootMs,
    latDeg: fix ? DEMO_HOME.latDeg + northM / 111_000 : 0,
    lonDeg: fix ? DEMO_HOME.lonDeg : 0,
    altAmslM: DEMO_HOME.altAmslM + 60,
    altRelM: 60,
    velNorthMs: 10,
    velEastMs: 0,
    velDownMs: 0,
    headingDeg: 0,
  });

const attitude = (bootMs: number, yawDeg: number) =>
  Object.assign(new common.Attitude(), {
    timeBootMs: bootMs,
    roll: 0,
    pitch: 0,
    yaw: (yawDeg * Math.PI) / 180,
  });

/** [w, x, y, z] of ZYX Euler angles in degrees. */
function quaternion(yawDeg: number, pitchDeg: number, rollDeg: number): number[] {
  const [y, p, r] = [yawDeg, pitchDeg, rollDeg].map((d) => (d * Math.PI) / 360);
  return [
    Math.cos(r) * Math.cos(p) * Math.cos(y) + Math.sin(r) * Math.sin(p) * Math.sin(y),
    Math.sin(r) * Math.cos(p) * Math.cos(y) - Math.cos(r) * Math.sin(p) * Math.sin(y),
    Math.cos(r) * Math.sin(p) * Math.cos(y) + Math.sin(r) * Math.cos(p) * Math.sin(y),
    Math.cos(r) * Math.cos(p) * Math.sin(y) - Math.sin(r) * Math.sin(p) * Math.cos(y),
  ];
}

const gimbal = (bootMs: number, q: number[], flags: number) =>
  Object.assign(new common.GimbalDeviceAttitudeStatus(), { timeBootMs: bootMs, q, flags, gimbalDeviceId: 1 });

/** Heartbeat, clock, attitude and gimbal: the camera then starts at the first fix. */
async function vehicleReady(bootMs: number, yawDeg = 0, q = quaternion(0, -90, 0)): Promise<void> {
  await send(
    autopilotHeartbeat(),
    systemTime(bootMs),
    attitude(bootMs, yawDeg),
    gimbal(bootMs, q, G.ROLL_LOCK | G.PITCH_LOCK | G.YAW_IN_VEHICLE_FRAME),
  );
}

describe('the camera that follows a vehicle', () => {
  it('asks the vehicle for its position, attitude, gimbal and clock, and renders nothing before a fix', async () => {
    start();
    await send(autopilotHeartbeat());
    const asked = toVehicle
      .filter((m): m is common.CommandLong => m instanceof common.CommandLong)
      .filter((m) => m.command === common.MavCmd.SET_MESSAGE_INTERVAL)
      .map((m) => m._param1);
    expect(asked.sort((a, b) => a - b)).toEqual(
      [
        common.GlobalPositionInt.MSG_ID,
        common.Attitude.MSG_ID,
        common.GimbalDeviceAttitudeStatus.MSG_ID,
        ardupilotmega.MountStatus.MSG_ID,
        common.SystemTime.MSG_ID,
      ].sort((a, b) => a - b),
    );
    expect(events).toEqual(['vehicle 1 found; asking for its position, attitude and gimbal']);
    // ArduPilot reports lat = lon = 0 until its EKF has an origin: no position, no frame.
    await send(systemTime(1000), attitude(1000, 0), position(1000, 0, false), position(1100, 0, false));
    expect(frames).toEqual([]);
    expect(camera.waitingFor).toBe('a position fix');

    // The streams fall silent (a reboot, a lost request): asked again once the retry time has passed.
    const requests = () => toVehicle.filter((m) => m instanceof common.CommandLong).length;
    const before = requests();
    await clock.advance(FOLLOW_CAMERA_TIMING.streamRequestRetryMs - 100);
    await send(autopilotHeartbeat());
    expect(requests()).toBe(before);
    await clock.advance(200);
    await send(autopilotHeartbeat());
    expect(requests()).toBe(before + 5);
  });

  it("puts frame k at the vehicle's t0 + k/fps, at the pose interpolated there, with the Unix time of SYSTEM_TIME", async () => {
    start();
    await vehicleReady(1000, 30, quaternion(10, -45, 0));
    await send(position(1000, 0), attitude(1200, 50), position(1200, 20));
    expect(frames.map((f) => f.timeBootMs)).toEqual([1000, 1100, 1200]);
    expect(frames.map((f) => f.index)).toEqual([0, 1, 2]);
    const middle = frames[1];
    expect(middle.unixUs).toBe(UNIX_AT_BOOT_US + 1_100_000);
    expect((middle.pose.latDeg - DEMO_HOME.latDeg) * 111_000).toBeCloseTo(10, 1);
    expect(middle.pose.altAmslM).toBeCloseTo(DEMO_HOME.altAmslM + 60, 6);
    expect(middle.pose.groundAmslM).toBeCloseTo(DEMO_HOME.altAmslM, 6);
    // The vehicle's heading half way from 30° to 50°, plus the gimbal's 10° off its nose.
    expect(middle.pose.headingDeg).toBeCloseTo(50, 4);
    expect(middle.pose.pitchDeg).toBeCloseTo(-45, 4);
    expect(camera.videoStartUnixUs).toBe(UNIX_AT_BOOT_US + 1_000_000);
    expect(frames.every((f) => !f.repeated && f.data.length === 32 * 18 * 3)).toBe(true);
  });

  it('looking straight down, the top of the picture follows the vehicle whatever yaw and roll the gimbal reports', async () => {
    start();
    // ArduPilot's servo gimbal at -90°: a quaternion that decodes as yaw 180°, roll 180° (gimbal lock).
    await vehicleReady(1000, 30, [0.7071066, -0.00044586, -0.7071066, -0.00044586]);
    await send(position(1000, 0));
    expect(frames).toHaveLength(1);
    expect(frames[0].pose.pitchDeg).toBeCloseTo(-90, 1);
    expect(frames[0].pose.headingDeg).toBeCloseTo(30, 1);
  });

  it('takes the yaw of a gimbal locked to north as its heading', async () => {
    start();
    await send(
      autopilotHeartbeat(),
      systemTime(1000),
      attitude(1000, 30),
      gimbal(1000, quaternion(200, -30, 0), G.ROLL_LOCK | G.PITCH_LOCK | G.YAW_LOCK | G.YAW_IN_EARTH_FRAME),
      position(1000, 0),
    );
    expect(frames[0].pose.headingDeg).toBeCloseTo(200, 4);
    expect(frames[0].pose.pitchDeg).toBeCloseTo(-30, 4);
  });

  it('repeats the last picture for frames it could not render in time, keeping the video on the vehicle clock', async () => {
    start();
    await vehicleReady(1000);
    await send(position(1000, 0));
    // Three seconds of the vehicle at once (a stall here): frames more than maxRenderLagS behind the
    // newest fix (3000 ms) repeat the picture before them; the rest are rendered.
    await send(attitude(4000, 0), position(4000, 30));
    const lagFrames = Math.round(FOLLOW_CAMERA_TIMING.maxRenderLagS * FPS);
    expect(frames.map((f) => f.timeBootMs)).toEqual(Array.from({ length: 31 }, (_, k) => 1000 + 100 * k));
    const late = 30 - lagFrames - 1;
    const repeated = frames.filter((f) => f.repeated).map((f) => f.index);
    expect(repeated).toEqual(Array.from({ length: late }, (_, k) => k + 1));
    expect(frames.filter((f) => f.repeated).every((f) => f.data === frames[0].data)).toBe(true);
    expect(camera.framesRepeated).toBe(late);
    expect(camera.framesRendered).toBe(31 - late);
  });

  it('starts a new video when the vehicle reboots (its clock goes back)', async () => {
    start();
    await vehicleReady(50_000);
    await send(position(50_000, 0), attitude(50_100, 0), position(50_100, 1));
    expect(frames.map((f) => [f.segment, f.index])).toEqual([
      [1, 0],
      [1, 1],
    ]);
    // Booted again: nothing until the clock, attitude and a fix of the new boot are in.
    await send(position(2000, 0));
    expect(frames).toHaveLength(2);
    expect(events.at(-1)).toMatch(/^vehicle rebooted \(its clock went back from 50\.1 s to 2\.0 s\)/);
    await vehicleReady(2000);
    await send(position(2000, 0), position(2100, 1));
    expect(frames.slice(2).map((f) => [f.segment, f.index, f.timeBootMs])).toEqual([
      [2, 0, 2000],
      [2, 1, 2100],
    ]);
    expect(camera.segments.map((s) => s.startUnixUs)).toEqual([
      UNIX_AT_BOOT_US + 50_000_000,
      UNIX_AT_BOOT_US + 2_000_000,
    ]);
  });
});
