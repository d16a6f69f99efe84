import { ardupilotmega, common, minimal } from 'node-mavlink';
import { afterEach, expect, it } from 'vitest';
import { sendCommand } from '../../src/mavlink/index.js';
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

const { MavDataStream, MavResult } = common;
const open: SimAndGcs[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function airborne(s: SimAndGcs, altRelM: number): Promise<void> {
  await nextMessage(s, minimal.Heartbeat);
  await waitForEkfPosition(s);
  requestStreams(s, [
    [MavDataStream.POSITION, 10],
    [MavDataStream.EXTENDED_STATUS, 4],
  ]);
  await setMode(s, MODE.GUIDED);
  await arm(s);
  await takeoff(s, altRelM);
  await nextMessage(s, common.GlobalPositionInt, (m) => m.relativeAlt > (altRelM - 1) * 1000);
}

const metresFromHome = (latDeg: number, lonDeg: number) => ({
  northM: (latDeg - HOME.latDeg) * 111_319.5,
  eastM: (lonDeg - HOME.lonDeg) * 111_319.5 * Math.cos((HOME.latDeg * Math.PI) / 180),
});

it('low battery: says so, returns home in RTL, lands and disarms', async () => {
  const s = await startSimAndGcs({ speedup: 20 });
  open.push(s);
  await airborne(s, 20);
  await sendReposition(s);
  const warned = nextMessage(s, common.StatusText, (m) => m.text.startsWith('Battery 1 is low'));
  s.sim.setBatteryPercent(15);

  const warning = await warned;
  expect(warning.severity).toBe(common.MavSeverity.CRITICAL);
  expect(warning.text).toMatch(/^Battery 1 is low \d+\.\d\dV used \d+ mAh$/);
  const rtl = await nextMessage(s, minimal.Heartbeat, (hb) => hb.customMode === MODE.RTL);
  expect(rtl.systemStatus).toBe(minimal.MavState.CRITICAL);
  const sys = await nextMessage(s, common.SysStatus);
  expect(sys.batteryRemaining).toBeLessThanOrEqual(15);

  await nextMessage(s, minimal.Heartbeat, (hb) => !isArmed(hb), 30_000);
  const end = s.sim.state();
  expect(end.landed).toBe(true);
  const { northM, eastM } = metresFromHome(end.latDeg, end.lonDeg);
  expect(Math.hypot(northM, eastM)).toBeLessThan(2);
});

/** GUIDED: fly 40 m north first, so that returning home is a real trip. */
async function sendReposition(s: SimAndGcs): Promise<void> {
  const lat = HOME.latDeg + 40 / 111_319.5;
  await sendCommand(s.gcs, s.target, common.MavCmd.DO_REPOSITION, [-1, 0, 0, 0, lat, HOME.lonDeg, 20], {
    frame: common.MavFrame.GLOBAL_RELATIVE_ALT,
  });
  await nextMessage(s, common.GlobalPositionInt, (m) => metresFromHome(m.lat / 1e7, m.lon / 1e7).northM > 38);
}

it('GPS lost in LOITER: the EKF gives up its position, the copter lands drifting with the wind and disarms', async () => {
  const s = await startSimAndGcs({ speedup: 20, windSpeedMs: 5, windFromDeg: 270 });
  open.push(s);
  await airborne(s, 20);
  await setMode(s, MODE.LOITER);
  requestStreams(s, [[MavDataStream.EXTRA3, 4]]);
  // Every wait is in place before the GPS goes: at ×20 the EKF gives up within a quarter second.
  const noFix = nextMessage(s, common.GpsRawInt, (m) => m.fixType < common.GpsFixType.GPS_FIX_TYPE_3D_FIX);
  const variance = nextMessage(s, common.StatusText, (m) => m.text === 'EKF variance');
  const landing = nextMessage(s, minimal.Heartbeat, (hb) => hb.customMode === MODE.LAND);
  const lostAt = s.sim.state();
  s.sim.loseGps(120);

  expect((await noFix).satellitesVisible).toBe(0);
  expect((await variance).severity).toBe(common.MavSeverity.CRITICAL);
  await landing;
  const ekf = await nextMessage(s, ardupilotmega.EkfStatusReport);
  expect(ekf.flags & ardupilotmega.EkfStatusFlags.POS_HORIZ_ABS).toBe(0);
  // Without a position the copter cannot be put back into a mode that needs one.
  await expect(setMode(s, MODE.LOITER)).rejects.toMatchObject({ result: MavResult.FAILED });

  await nextMessage(s, minimal.Heartbeat, (hb) => !isArmed(hb), 30_000);
  const end = s.sim.state();
  expect(end.landed).toBe(true);
  // Wind from the west: it came down east of where it lost GPS.
  const from = metresFromHome(lostAt.latDeg, lostAt.lonDeg);
  const to = metresFromHome(end.latDeg, end.lonDeg);
  expect(to.eastM - from.eastM).toBeGreaterThan(20);
  expect(Math.abs(to.northM - from.northM)).toBeLessThan(5);

  // On the ground without GPS it will not arm again, and says why.
  const refusal = nextMessage(s, common.StatusText, (m) => m.text.startsWith('Arm: '));
  await expect(arm(s)).rejects.toMatchObject({ result: MavResult.FAILED });
  expect((await refusal).text).toBe('Arm: GPS 1: Bad fix');
});
