import { ardupilotmega, common, minimal } from 'node-mavlink';
import { afterEach, expect, it } from 'vitest';
import { sendCommand, setParam } from '../../src/mavlink/index.js';
import type { SimulatorOptions } from '../../src/sim/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import {
  arm,
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

// In simulated time: the failsafes' timers and the flights home are the simulator's clock, a FakeClock,
// so they take no wall time and no scheduling delay can move them.

const { MavDataStream, MavResult } = common;
/** Simulated time to wait for the EKF after boot (35–40 s on ArduPilot) and for a flight, ms. */
const EKF_TIMEOUT_MS = 60_000;
const FLIGHT_TIMEOUT_MS = 300_000;
const open: SimAndGcs[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function start(
  options: Omit<SimulatorOptions, 'connect' | 'transport' | 'home' | 'clock'> = {},
): Promise<{ s: SimAndGcs; clock: FakeClock }> {
  const clock = new FakeClock();
  const s = await startSimulatedSimAndGcs(clock, options);
  open.push(s);
  return { s, clock };
}

async function airborne(s: SimAndGcs, altRelM: number): Promise<void> {
  await s.run(nextMessage(s, minimal.Heartbeat));
  await s.run(waitForEkfPosition(s, EKF_TIMEOUT_MS));
  requestStreams(s, [
    [MavDataStream.POSITION, 10],
    [MavDataStream.EXTENDED_STATUS, 4],
  ]);
  await s.run(setMode(s, MODE.GUIDED));
  await s.run(arm(s));
  await s.run(takeoff(s, altRelM));
  await s.run(nextMessage(s, common.GlobalPositionInt, (m) => m.relativeAlt > (altRelM - 1) * 1000));
}

const metresFromHome = (latDeg: number, lonDeg: number) => ({
  northM: (latDeg - HOME.latDeg) * 111_319.5,
  eastM: (lonDeg - HOME.lonDeg) * 111_319.5 * Math.cos((HOME.latDeg * Math.PI) / 180),
});

/** GUIDED: fly 40 m north first, so that returning home is a real trip. */
async function sendReposition(s: SimAndGcs): Promise<void> {
  const lat = HOME.latDeg + 40 / 111_319.5;
  await s.run(
    sendCommand(s.gcs, s.target, common.MavCmd.DO_REPOSITION, [-1, 0, 0, 0, lat, HOME.lonDeg, 20], {
      frame: common.MavFrame.GLOBAL_RELATIVE_ALT,
      clock: s.clock,
    }),
  );
  await s.run(
    nextMessage(s, common.GlobalPositionInt, (m) => metresFromHome(m.lat / 1e7, m.lon / 1e7).northM > 38),
  );
}

/** Landed and disarmed within a couple of metres of home. */
function expectLandedHome(s: SimAndGcs): void {
  const end = s.sim.state();
  expect(end).toMatchObject({ landed: true, armed: false });
  const { northM, eastM } = metresFromHome(end.latDeg, end.lonDeg);
  expect(Math.hypot(northM, eastM)).toBeLessThan(2);
}

it('low battery: says so, returns home in RTL, lands and disarms', async () => {
  const { s } = await start();
  await airborne(s, 20);
  await sendReposition(s);
  const warned = nextMessage(s, common.StatusText, (m) => m.text.startsWith('Battery 1 is low'));
  s.sim.setBatteryPercent(15);

  const warning = await s.run(warned);
  expect(warning.severity).toBe(common.MavSeverity.CRITICAL);
  expect(warning.text).toMatch(/^Battery 1 is low \d+\.\d\dV used \d+ mAh$/);
  const rtl = await s.run(nextMessage(s, minimal.Heartbeat, (hb) => hb.customMode === MODE.RTL));
  expect(rtl.systemStatus).toBe(minimal.MavState.CRITICAL);
  const sys = await s.run(nextMessage(s, common.SysStatus));
  expect(sys.batteryRemaining).toBeLessThanOrEqual(15);

  await s.run(nextMessage(s, minimal.Heartbeat, (hb) => !isArmed(hb), FLIGHT_TIMEOUT_MS));
  expectLandedHome(s);
});

it('GCS lost with FS_GCS_ENABLE 1: carries on until FS_GCS_TIMEOUT, then returns home, lands, and says when it hears the GCS again', async () => {
  const { s, clock } = await start();
  let lastHeardMs = 0;
  s.sim.link.onMessage(({ message }) => {
    if (message instanceof minimal.Heartbeat && message.type === minimal.MavType.GCS)
      lastHeardMs = clock.nowMs();
  });
  await s.run(setParam(s.gcs, s.target, 'FS_GCS_ENABLE', 1, { clock }));
  await airborne(s, 20);
  await sendReposition(s);
  const failsafe = nextMessage(s, common.StatusText, (m) => m.text === 'GCS Failsafe', FLIGHT_TIMEOUT_MS);
  const rtl = nextMessage(s, minimal.Heartbeat, (hb) => hb.customMode === MODE.RTL, FLIGHT_TIMEOUT_MS);

  // Nothing reaches the vehicle from now on: its last GCS heartbeat is at most a period (1 s) old.
  s.sim.setFaults({ lossIn: 1 });
  await clock.advance(3_900);
  expect(s.sim.state().modeName).toBe('GUIDED');
  expect(s.texts).not.toContain('GCS Failsafe');
  expect((await s.run(failsafe)).severity).toBe(common.MavSeverity.CRITICAL);
  // FS_GCS_TIMEOUT (5 s) after the last heartbeat the vehicle heard, to a tick and a packet's latency.
  const silentMs = clock.nowMs() - lastHeardMs;
  expect(silentMs).toBeGreaterThan(5_000);
  expect(silentMs).toBeLessThan(5_100);
  await s.run(rtl);

  await s.run(nextMessage(s, minimal.Heartbeat, (hb) => !isArmed(hb), FLIGHT_TIMEOUT_MS));
  expectLandedHome(s);
  expect(s.sim.state().modeName).toBe('RTL');

  s.sim.setFaults({ lossIn: 0 });
  await s.run(nextMessage(s, common.StatusText, (m) => m.text === 'GCS Failsafe Cleared', 3_000));
});

it('GPS lost in LOITER: the EKF gives up its position, the copter lands drifting with the wind and disarms', async () => {
  const { s } = await start({ windSpeedMs: 5, windFromDeg: 270 });
  await airborne(s, 20);
  await s.run(setMode(s, MODE.LOITER));
  requestStreams(s, [[MavDataStream.EXTRA3, 4]]);
  // Every wait is in place before the GPS goes.
  const noFix = nextMessage(s, common.GpsRawInt, (m) => m.fixType < common.GpsFixType.GPS_FIX_TYPE_3D_FIX);
  const variance = nextMessage(s, common.StatusText, (m) => m.text === 'EKF variance');
  const landing = nextMessage(s, minimal.Heartbeat, (hb) => hb.customMode === MODE.LAND);
  const lostAt = s.sim.state();
  s.sim.loseGps(120);

  expect((await s.run(noFix)).satellitesVisible).toBe(0);
  expect((await s.run(variance)).severity).toBe(common.MavSeverity.CRITICAL);
  await s.run(landing);
  const ekf = await s.run(nextMessage(s, ardupilotmega.EkfStatusReport));
  expect(ekf.flags & ardupilotmega.EkfStatusFlags.POS_HORIZ_ABS).toBe(0);
  // Without a position the copter cannot be put back into a mode that needs one.
  await expect(s.run(setMode(s, MODE.LOITER))).rejects.toMatchObject({ result: MavResult.FAILED });

  await s.run(nextMessage(s, minimal.Heartbeat, (hb) => !isArmed(hb), FLIGHT_TIMEOUT_MS));
  const end = s.sim.state();
  expect(end.landed).toBe(true);
  // Wind from the west: it came down east of where it lost GPS.
  const from = metresFromHome(lostAt.latDeg, lostAt.lonDeg);
  const to = metresFromHome(end.latDeg, end.lonDeg);
  expect(to.eastM - from.eastM).toBeGreaterThan(20);
  expect(Math.abs(to.northM - from.northM)).toBeLessThan(5);

  // On the ground without GPS (lost for 120 s of sim time) it will not arm again in a mode that needs a
  // position, and says why (disarmed, it takes the mode).
  expect(end.simTimeS - lostAt.simTimeS).toBeLessThan(120);
  await s.run(setMode(s, MODE.GUIDED));
  const refusal = nextMessage(s, common.StatusText, (m) => m.text.startsWith('Arm: '));
  await expect(s.run(arm(s))).rejects.toMatchObject({ result: MavResult.FAILED });
  expect((await s.run(refusal)).text).toBe('Arm: GPS 1: Bad fix');
});
