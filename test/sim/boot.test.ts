import { ardupilotmega, common, minimal } from 'node-mavlink';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CommandRejectedError,
  MavLinkConnection,
  readParam,
  sendCommand,
  setParam,
} from '../../src/mavlink/index.js';
import { startSimulator } from '../../src/sim/index.js';
import { freeTcpPort } from '../helpers/ports.js';
import {
  arm,
  HOME,
  isArmed,
  MODE,
  nextMessage,
  requestStreams,
  type SimAndGcs,
  setMode,
  startSimAndGcs,
  takeoff,
  waitForEkfPosition,
} from '../helpers/sim-gcs.js';

const { MavDataStream, MavCmd, MavResult } = common;
const open: SimAndGcs[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function start(options: Parameters<typeof startSimAndGcs>[0]): Promise<SimAndGcs> {
  const s = await startSimAndGcs(options);
  open.push(s);
  return s;
}

describe('simulator on the link, before anything is asked', () => {
  it('sends heartbeats as an ArduPilot quadrotor and no telemetry until streams are requested', async () => {
    const s = await start({ speedup: 20 });
    const seen = new Set<string>();
    s.gcs.onMessage(({ message, sysid, compid }) => {
      seen.add((message.constructor as unknown as { MSG_NAME: string }).MSG_NAME);
      expect([sysid, compid]).toEqual([1, 1]);
    });
    const first = await nextMessage(s, minimal.Heartbeat);
    expect(first.type).toBe(minimal.MavType.QUADROTOR);
    expect(first.autopilot).toBe(minimal.MavAutopilot.ARDUPILOTMEGA);
    expect(first.baseMode & minimal.MavModeFlag.CUSTOM_MODE_ENABLED).toBeTruthy();
    expect(first.customMode).toBe(MODE.STABILIZE);
    expect(isArmed(first)).toBe(false);
    // Two more heartbeats: at ×20 the boot (EKF origin, home) happens meanwhile, but nothing streams.
    await nextMessage(s, minimal.Heartbeat);
    await nextMessage(s, minimal.Heartbeat);
    expect(s.sim.state().simTimeS).toBeGreaterThan(20);
    const unasked = [...seen].filter((name) => !['HEARTBEAT', 'HOME_POSITION', 'STATUSTEXT'].includes(name));
    expect(unasked).toEqual([]);

    requestStreams(s, [
      [MavDataStream.POSITION, 10],
      [MavDataStream.EXTRA1, 10],
    ]);
    await nextMessage(s, common.GlobalPositionInt);
    await nextMessage(s, common.Attitude);
    await sendCommand(s.gcs, s.target, MavCmd.SET_MESSAGE_INTERVAL, [
      common.ExtendedSysState.MSG_ID,
      200_000,
    ]);
    const landed = await nextMessage(s, common.ExtendedSysState);
    expect(landed.landedState).toBe(common.MavLandedState.ON_GROUND);

    const home = nextMessage(s, common.HomePosition);
    await sendCommand(s.gcs, s.target, MavCmd.REQUEST_MESSAGE, [common.HomePosition.MSG_ID]);
    expect((await home).latitude / 1e7).toBeCloseTo(34.7245, 6);

    const unknown = sendCommand(s.gcs, s.target, 31_999, []);
    await expect(unknown).rejects.toBeInstanceOf(CommandRejectedError);
    await expect(unknown).rejects.toMatchObject({ result: MavResult.UNSUPPORTED });
  });

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
    const s = await start({ speedup: 20 });
    await nextMessage(s, minimal.Heartbeat);
    expect(await readParam(s.gcs, s.target, 'WPNAV_SPEED')).toMatchObject({ value: 1000 });
    expect(await readParam(s.gcs, s.target, 'RTL_ALT')).toMatchObject({ value: 1500 });
    expect((await setParam(s.gcs, s.target, 'RTL_ALT', 2500)).value).toBe(2500);
    expect((await readParam(s.gcs, s.target, 'RTL_ALT')).value).toBe(2500);
    await expect(readParam(s.gcs, s.target, 'NO_SUCH_PARAM')).rejects.toThrow(/no PARAM_VALUE/);
  });
});

describe('boot timeline, as on ArduPilot Copter 4.7', () => {
  it('reports 0,0 until the EKF origin, refuses to arm with a reason, refuses takeoff until the EKF uses GPS', async () => {
    // ×5: the window between the origin (20 s) and the EKF using GPS (37 s) is 3.4 s of wall time.
    const s = await start({ speedup: 5 });
    await nextMessage(s, minimal.Heartbeat);
    requestStreams(s, [[MavDataStream.POSITION, 20]]);
    const early = await nextMessage(s, common.GlobalPositionInt);
    expect(early.timeBootMs).toBeLessThan(20_000);
    expect([early.lat, early.lon]).toEqual([0, 0]);

    // Arming before the origin is set: MAV_RESULT_FAILED and a STATUSTEXT that says why.
    const refusal = nextMessage(s, common.StatusText, (m) => m.text.startsWith('Arm: '));
    await expect(arm(s)).rejects.toMatchObject({ result: MavResult.FAILED });
    expect((await refusal).text).toMatch(/^Arm: (GPS 1: Bad fix|Need Position Estimate)$/);

    const located = await nextMessage(s, common.GlobalPositionInt, (m) => m.lat !== 0);
    expect(located.timeBootMs).toBeGreaterThanOrEqual(20_000);
    expect(located.lat / 1e7).toBeCloseTo(34.7245, 6);
    expect(located.lon / 1e7).toBeCloseTo(113.6302, 6);

    // With the origin set GUIDED and arming are accepted, but NAV_TAKEOFF fails until the EKF uses GPS.
    await setMode(s, MODE.GUIDED);
    // Simulated time runs on while the ack travels: read before the command (the vehicle armed later)
    // for a lower bound on the arming time, after the ack for an upper one.
    const armSentAtS = s.sim.state().simTimeS;
    await arm(s);
    expect(s.sim.state().simTimeS).toBeLessThan(37);
    await expect(takeoff(s, 10)).rejects.toMatchObject({ result: MavResult.FAILED });

    // Armed and left on the ground, it disarms itself after DISARM_DELAY (10 s).
    await nextMessage(s, minimal.Heartbeat, (hb) => !isArmed(hb));
    expect(s.sim.state().simTimeS - armSentAtS).toBeGreaterThanOrEqual(10);
    expect(s.texts).toContain('Disarming motors');

    await waitForEkfPosition(s);
    expect(s.sim.state().simTimeS).toBeGreaterThanOrEqual(35);
    await arm(s);
    await takeoff(s, 10);
    const climbing = await nextMessage(s, common.GlobalPositionInt, (m) => m.relativeAlt > 5_000);
    expect(climbing.relativeAlt).toBeLessThan(11_000);
    const hb = await nextMessage(s, minimal.Heartbeat);
    expect(isArmed(hb)).toBe(true);
    expect(hb.customMode).toBe(MODE.GUIDED);
  });

  it('refuses AUTO without a mission and modes it does not fly', async () => {
    const s = await start({ speedup: 20 });
    await waitForEkfPosition(s);
    await expect(setMode(s, MODE.AUTO)).rejects.toMatchObject({ result: MavResult.FAILED });
    await expect(setMode(s, ardupilotmega.CopterMode.FLIP)).rejects.toMatchObject({
      result: MavResult.FAILED,
    });
    await setMode(s, MODE.LOITER);
    expect((await nextMessage(s, minimal.Heartbeat, (hb) => hb.customMode === MODE.LOITER)).customMode).toBe(
      MODE.LOITER,
    );
  });
});
