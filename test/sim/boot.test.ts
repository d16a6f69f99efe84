import { ardupilotmega, common, minimal } from 'node-mavlink';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CommandRejectedError,
  MavLinkConnection,
  readParam,
  sendCommand,
  setParam,
  uploadMission,
} from '../../src/mavlink/index.js';
import { startSimulator } from '../../src/sim/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { freeTcpPort } from '../helpers/ports.js';
import {
  arm,
  fourWaypointMission,
  HOME,
  isArmed,
  MODE,
  nextMessage,
  requestStreams,
  type SimAndGcs,
  setMode,
  startSimulatedSimAndGcs,
  takeoff,
  waitForEkfPosition,
} from '../helpers/sim-gcs.js';

// In simulated time (a FakeClock, the simulator at ×1) except the tcpin test, which is about the socket:
// the boot timeline and DISARM_DELAY are then exact, whatever the machine's load.

const { MavDataStream, MavCmd, MavResult } = common;
/** Simulated time to wait for the EKF after boot (35–40 s on ArduPilot), ms. */
const EKF_TIMEOUT_MS = 60_000;
const open: SimAndGcs[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function start(
  options: Parameters<typeof startSimulatedSimAndGcs>[1] = {},
): Promise<{ s: SimAndGcs; clock: FakeClock }> {
  const clock = new FakeClock();
  const s = await startSimulatedSimAndGcs(clock, options);
  open.push(s);
  return { s, clock };
}

describe('simulator on the link, before anything is asked', () => {
  it('sends heartbeats as an ArduPilot quadrotor and no telemetry until streams are requested', async () => {
    const bootUnixMs = Date.UTC(2025, 5, 1, 8, 0, 0);
    const { s, clock } = await start({ bootUnixMs });
    const seen = new Set<string>();
    s.gcs.onMessage(({ message, sysid, compid }) => {
      seen.add((message.constructor as unknown as { MSG_NAME: string }).MSG_NAME);
      expect([sysid, compid]).toEqual([1, 1]);
    });
    const first = await s.run(nextMessage(s, minimal.Heartbeat));
    expect(first.type).toBe(minimal.MavType.QUADROTOR);
    expect(first.autopilot).toBe(minimal.MavAutopilot.ARDUPILOTMEGA);
    expect(first.baseMode & minimal.MavModeFlag.CUSTOM_MODE_ENABLED).toBeTruthy();
    expect(first.customMode).toBe(MODE.STABILIZE);
    expect(isArmed(first)).toBe(false);
    // The boot (EKF origin at 20 s, home) happens meanwhile, but nothing streams; a heartbeat a second.
    let heartbeats = 0;
    s.gcs.onMessage(({ message }) => {
      if (message instanceof minimal.Heartbeat) heartbeats++;
    });
    await clock.advance(25_000);
    expect(s.sim.state().simTimeS).toBeGreaterThan(20);
    // One a second, and one more when the boot ends (MAV_STATE_BOOT → STANDBY).
    expect(heartbeats).toBe(26);
    const unasked = [...seen].filter((name) => !['HEARTBEAT', 'HOME_POSITION', 'STATUSTEXT'].includes(name));
    expect(unasked).toEqual([]);

    requestStreams(s, [
      [MavDataStream.POSITION, 10],
      [MavDataStream.EXTRA1, 10],
    ]);
    await s.run(nextMessage(s, common.GlobalPositionInt));
    await s.run(nextMessage(s, common.Attitude));
    await s.run(
      sendCommand(s.gcs, s.target, MavCmd.SET_MESSAGE_INTERVAL, [common.ExtendedSysState.MSG_ID, 200_000], {
        clock,
      }),
    );
    const landed = await s.run(nextMessage(s, common.ExtendedSysState));
    expect(landed.landedState).toBe(common.MavLandedState.ON_GROUND);
    // A message it does not send (MOUNT_STATUS: ArduPilot 4.7 sends GIMBAL_DEVICE_ATTITUDE_STATUS).
    const mountStatus = s.run(
      sendCommand(s.gcs, s.target, MavCmd.SET_MESSAGE_INTERVAL, [ardupilotmega.MountStatus.MSG_ID, 100_000], {
        clock,
      }),
    );
    await expect(mountStatus).rejects.toMatchObject({ result: MavResult.DENIED });

    // SYSTEM_TIME: the Unix time is boot time plus sim time.
    const time = nextMessage(s, common.SystemTime);
    await s.run(sendCommand(s.gcs, s.target, MavCmd.REQUEST_MESSAGE, [common.SystemTime.MSG_ID], { clock }));
    const { timeUnixUsec, timeBootMs } = await s.run(time);
    expect(Number(timeUnixUsec)).toBe((bootUnixMs + timeBootMs) * 1000);

    const home = nextMessage(s, common.HomePosition);
    await s.run(
      sendCommand(s.gcs, s.target, MavCmd.REQUEST_MESSAGE, [common.HomePosition.MSG_ID], { clock }),
    );
    expect((await s.run(home)).latitude / 1e7).toBeCloseTo(34.7245, 6);

    const unknown = s.run(sendCommand(s.gcs, s.target, 31_999, [], { clock }));
    await expect(unknown).rejects.toBeInstanceOf(CommandRejectedError);
    await expect(unknown).rejects.toMatchObject({ result: MavResult.UNSUPPORTED });
  });

  it('says MAV_STATE_BOOT while it boots and refuses a mission then with NO_SPACE, as SITL does', async () => {
    const { s, clock } = await start();
    const first = await s.run(nextMessage(s, minimal.Heartbeat));
    expect(first.systemStatus).toBe(minimal.MavState.BOOT);
    await expect(s.run(uploadMission(s.gcs, s.target, fourWaypointMission(), { clock }))).rejects.toThrow(
      'vehicle has no space for 6 items (MAV_MISSION_NO_SPACE)',
    );
    const booted = await s.run(
      nextMessage(s, minimal.Heartbeat, (hb) => hb.systemStatus !== minimal.MavState.BOOT),
    );
    expect(booted.systemStatus).toBe(minimal.MavState.STANDBY);
    expect(s.sim.state().simTimeS).toBeLessThan(3);
    expect(s.texts).toContain('ArduPilot Ready');
    await s.run(uploadMission(s.gcs, s.target, fourWaypointMission(), { clock }));
  });

  // Over a real TCP socket in wall time.
  it('serves ground stations on tcpin like SITL on port 5760', async () => {
    const port = await freeTcpPort();
    const sim = await startSimulator({ connect: `tcpin://127.0.0.1:${port}`, home: HOME, speedup: 20 });
    const gcs = await MavLinkConnection.open(`tcpout://127.0.0.1:${port}`);
    try {
      const peer = await gcs.waitForVehicle();
      expect([peer.sysid, peer.compid]).toEqual([1, 1]);
      expect(await readParam(gcs, { sysid: 1, compid: 1 }, 'WPNAV_SPEED_UP')).toMatchObject({ value: 250 });
    } finally {
      await gcs.close();
      await sim.close();
    }
  });

  it('answers parameter reads and writes, and an unknown name not at all', async () => {
    const { s, clock } = await start();
    await s.run(nextMessage(s, minimal.Heartbeat));
    const read = (name: string) => s.run(readParam(s.gcs, s.target, name, { clock }));
    expect(await read('WPNAV_SPEED')).toMatchObject({ value: 1000 });
    expect(await read('RTL_ALT')).toMatchObject({ value: 1500 });
    expect((await s.run(setParam(s.gcs, s.target, 'RTL_ALT', 2500, { clock }))).value).toBe(2500);
    expect((await read('RTL_ALT')).value).toBe(2500);
    await expect(read('NO_SUCH_PARAM')).rejects.toThrow(/no PARAM_VALUE/);
  });
});

describe('boot timeline, as on ArduPilot Copter 4.7', () => {
  it('reports 0,0 until the EKF origin; refuses to arm in GUIDED, with a reason, until the EKF uses GPS, as SITL does', async () => {
    const { s } = await start();
    await s.run(nextMessage(s, minimal.Heartbeat));
    requestStreams(s, [[MavDataStream.POSITION, 20]]);
    const early = await s.run(nextMessage(s, common.GlobalPositionInt));
    expect(early.timeBootMs).toBeLessThan(20_000);
    expect([early.lat, early.lon]).toEqual([0, 0]);

    // Disarmed, Copter takes any mode (its ignore_checks); arming in one that needs a position says why not.
    await s.run(setMode(s, MODE.GUIDED));
    const refusal = nextMessage(s, common.StatusText, (m) => m.text.startsWith('Arm: '));
    await expect(s.run(arm(s))).rejects.toMatchObject({ result: MavResult.FAILED });
    expect((await s.run(refusal)).text).toMatch(/^Arm: (GPS 1: Bad fix|Need Position Estimate)$/);

    const located = await s.run(nextMessage(s, common.GlobalPositionInt, (m) => m.lat !== 0));
    expect(located.timeBootMs).toBeGreaterThanOrEqual(20_000);
    expect(located.lat / 1e7).toBeCloseTo(34.7245, 6);
    expect(located.lon / 1e7).toBeCloseTo(113.6302, 6);
    expect(s.texts).toContain('EKF3 IMU0 origin set');

    // With the origin set, SITL 4.7 still refuses GUIDED (no predicted position before GPS is in use).
    const stillRefused = nextMessage(s, common.StatusText, (m) => m.text.startsWith('Arm: '));
    await expect(s.run(arm(s))).rejects.toMatchObject({ result: MavResult.FAILED });
    expect((await s.run(stillRefused)).text).toBe('Arm: Need Position Estimate');

    // STABILIZE needs no position: it arms now, but NAV_TAKEOFF is GUIDED's.
    await s.run(setMode(s, MODE.STABILIZE));
    // Simulated time runs on while the ack travels: read before the command (the vehicle armed later)
    // for a lower bound on the arming time, after the ack for an upper one.
    const armSentAtS = s.sim.state().simTimeS;
    await s.run(arm(s));
    const armAckedAtS = s.sim.state().simTimeS;
    expect(armAckedAtS).toBeLessThan(37);
    await expect(s.run(takeoff(s, 10))).rejects.toMatchObject({ result: MavResult.FAILED });
    // Armed on the ground is still STANDBY, as Copter's land_complete says.
    expect((await s.run(nextMessage(s, minimal.Heartbeat, isArmed))).systemStatus).toBe(
      minimal.MavState.STANDBY,
    );

    // Armed and left on the ground, it disarms itself after DISARM_DELAY (10 s), to a tick.
    await s.run(nextMessage(s, minimal.Heartbeat, (hb) => !isArmed(hb)));
    expect(s.sim.state().simTimeS - armSentAtS).toBeGreaterThanOrEqual(10);
    expect(s.sim.state().simTimeS - armAckedAtS).toBeLessThan(10.1);
    expect(s.texts).toContain('Disarming motors');

    await s.run(waitForEkfPosition(s, EKF_TIMEOUT_MS));
    expect(s.sim.state().simTimeS).toBeGreaterThanOrEqual(35);
    expect(s.texts).toContain('EKF3 IMU0 is using GPS');
    await s.run(setMode(s, MODE.GUIDED));
    await s.run(arm(s));
    await s.run(takeoff(s, 10));
    const climbing = await s.run(nextMessage(s, common.GlobalPositionInt, (m) => m.relativeAlt > 5_000));
    expect(climbing.relativeAlt).toBeLessThan(11_000);
    const hb = await s.run(nextMessage(s, minimal.Heartbeat));
    expect(isArmed(hb)).toBe(true);
    expect(hb.customMode).toBe(MODE.GUIDED);
    expect(hb.systemStatus).toBe(minimal.MavState.ACTIVE);
  });

  it('takes AUTO disarmed without a mission, as SITL does, but not armed; never a mode it does not fly', async () => {
    const { s } = await start();
    await s.run(waitForEkfPosition(s, EKF_TIMEOUT_MS));
    await s.run(setMode(s, MODE.AUTO));
    await expect(s.run(setMode(s, ardupilotmega.CopterMode.FLIP))).rejects.toMatchObject({
      result: MavResult.FAILED,
    });
    // AUTO does not arm ("Mode not armable"); armed in GUIDED, AUTO without a mission is refused.
    await expect(s.run(arm(s))).rejects.toMatchObject({ result: MavResult.FAILED });
    await s.run(setMode(s, MODE.GUIDED));
    await s.run(arm(s));
    await expect(s.run(setMode(s, MODE.AUTO))).rejects.toMatchObject({ result: MavResult.FAILED });
    const loiter = nextMessage(s, minimal.Heartbeat, (hb) => hb.customMode === MODE.LOITER);
    await s.run(setMode(s, MODE.LOITER));
    expect((await s.run(loiter)).customMode).toBe(MODE.LOITER);
  });
});
