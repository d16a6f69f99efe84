import { common, minimal } from 'node-mavlink';
import { afterEach, expect, it } from 'vitest';
import {
  downloadMission,
  sendCommand,
  setCurrentMissionItem,
  uploadMission,
} from '../../src/mavlink/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { missionItem } from '../helpers/mission-item.js';
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
  startSimAndGcs,
  startSimulatedSimAndGcs,
  waitForBoot,
  waitForEkfPosition,
} from '../helpers/sim-gcs.js';

const open: SimAndGcs[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

/** ARDUPILOT.md: this mission flies in about 114 s from AUTO to landed and disarmed. */
const ARDUPILOT_FLIGHT_S = 114;
/** Simulated time to wait for a whole flight, ms. */
const FLIGHT_TIMEOUT_MS = 300_000;
/** Simulated time to wait for the EKF after boot (a real ArduPilot needs 35–40 s), ms. */
const EKF_TIMEOUT_MS = 60_000;

/** In simulated time: the flights take no wall time beyond the CPU's. */
async function simulated(): Promise<{ s: SimAndGcs; clock: FakeClock }> {
  const clock = new FakeClock();
  const s = await startSimulatedSimAndGcs(clock);
  open.push(s);
  return { s, clock };
}

it('flies the 4-waypoint mission in AUTO: every item reached in order, landed and disarmed, in ArduPilot time', async () => {
  const { s, clock } = await simulated();
  await s.run(waitForBoot(s));
  const mission = fourWaypointMission();
  await s.run(uploadMission(s.gcs, s.target, mission, { clock }));
  await s.run(waitForEkfPosition(s, EKF_TIMEOUT_MS));

  // Item 0 is home, whatever was uploaded there.
  const onBoard = await s.run(downloadMission(s.gcs, s.target, { clock }));
  expect(onBoard).toHaveLength(mission.length);
  expect(onBoard[0].x).toBeCloseTo(HOME.latDeg, 6);
  expect(onBoard[0].z).toBeCloseTo(HOME.altAmslM, 1);
  expect(onBoard.slice(1).map((i) => i.command)).toEqual(mission.slice(1).map((i) => i.command));

  requestStreams(s, [[common.MavDataStream.EXTENDED_STATUS, 4]]);
  await s.run(setMode(s, MODE.GUIDED));
  await s.run(arm(s));
  // Listen before AUTO: in simulated time the first MISSION_CURRENT may come with the ack.
  const current = nextMessage(s, common.MissionCurrent, (m) => m.seq === 1);
  await s.run(setMode(s, MODE.AUTO));
  const autoAtS = s.sim.state().simTimeS;
  expect((await s.run(current)).total).toBe(mission.length - 1);

  // The RTL item is reported reached only on landing; then the vehicle disarms, still in AUTO.
  const rtlSeq = mission.length - 1;
  await s.run(nextMessage(s, common.MissionItemReached, (m) => m.seq === rtlSeq, FLIGHT_TIMEOUT_MS));
  const flightS = s.sim.state().simTimeS - autoAtS;
  const hb = await s.run(nextMessage(s, minimal.Heartbeat, (m) => !isArmed(m)));
  expect(hb.customMode).toBe(MODE.AUTO);

  expect(s.reached).toEqual([1, 2, 3, 4, 5]);
  for (const seq of [1, 2, 3, 4, 5])
    expect(s.texts).toContain(`Mission: ${seq} ${['Takeoff', 'WP', 'WP', 'WP', 'RTL'][seq - 1]}`);
  const end = s.sim.state();
  expect(end.landed).toBe(true);
  expect(end.altRelM).toBeLessThan(0.1);
  // Back at home within a couple of metres.
  expect(Math.abs(end.latDeg - HOME.latDeg) * 111_319).toBeLessThan(2);
  expect(Math.abs(end.lonDeg - HOME.lonDeg) * 111_319 * Math.cos((HOME.latDeg * Math.PI) / 180)).toBeLessThan(
    2,
  );
  console.log(`4-waypoint mission: ${flightS.toFixed(1)} s sim time from AUTO to landed (ArduPilot: ~114 s)`);
  expect(flightS).toBeGreaterThan(ARDUPILOT_FLIGHT_S * 0.8);
  expect(flightS).toBeLessThan(ARDUPILOT_FLIGHT_S * 1.2);
});

const NORTH_M = 1 / 111_319.49;
const EAST_M = 1 / (111_319.49 * Math.cos((HOME.latDeg * Math.PI) / 180));

/** Pitch of a GIMBAL_DEVICE_ATTITUDE_STATUS quaternion [w, x, y, z], degrees. */
function gimbalPitchDeg(q: number[]): number {
  const [w, x, y, z] = q;
  return (Math.asin(Math.max(-1, Math.min(1, 2 * (w * y - z * x)))) * 180) / Math.PI;
}

it('runs DO and CONDITION items alongside the navigation item before them, as AP_Mission does', async () => {
  const { s, clock } = await simulated();
  const { MavCmd } = common;
  const wp = { x: HOME.latDeg, y: HOME.lonDeg + 60 * EAST_M, z: 20 };
  const mission = [
    missionItem(MavCmd.NAV_WAYPOINT, {
      frame: common.MavFrame.GLOBAL,
      x: HOME.latDeg,
      y: HOME.lonDeg,
      z: 110,
    }),
    missionItem(MavCmd.NAV_TAKEOFF, { z: 20 }),
    missionItem(MavCmd.DO_CHANGE_SPEED, { frame: common.MavFrame.MISSION, param1: 1, param2: 5, param3: -1 }),
    missionItem(MavCmd.DO_SET_ROI_LOCATION, { x: HOME.latDeg + 60 * NORTH_M, y: HOME.lonDeg, z: 0 }),
    missionItem(MavCmd.NAV_WAYPOINT, { ...wp, param1: 3 }),
    missionItem(MavCmd.CONDITION_YAW, { frame: common.MavFrame.MISSION, param1: 90, param2: 0, param3: 1 }),
    missionItem(MavCmd.DO_GIMBAL_MANAGER_PITCHYAW, {
      frame: common.MavFrame.MISSION,
      param1: -90,
      param2: 0,
    }),
    missionItem(MavCmd.NAV_LAND, wp),
  ];
  await s.run(waitForBoot(s));
  await s.run(uploadMission(s.gcs, s.target, mission, { clock }));
  await s.run(waitForEkfPosition(s, EKF_TIMEOUT_MS));
  requestStreams(s, [
    [common.MavDataStream.EXTRA2, 10],
    [common.MavDataStream.EXTRA3, 10],
    [common.MavDataStream.POSITION, 10],
  ]);
  let topSpeedMs = 0;
  let roiPitchDeg = 0;
  s.gcs.onMessage(({ message }) => {
    if (message instanceof common.VfrHud && s.reached.length > 0)
      topSpeedMs = Math.max(topSpeedMs, message.groundspeed);
    if (message instanceof common.GimbalDeviceAttitudeStatus && s.reached.length === 1) {
      roiPitchDeg = Math.min(roiPitchDeg, gimbalPitchDeg(message.q));
    }
  });
  await s.run(setMode(s, MODE.GUIDED));
  await s.run(arm(s));
  await s.run(setMode(s, MODE.AUTO));

  // CONDITION_YAW (5) runs during the leg to waypoint 4 and is reached first; 4 after its 3 s hold.
  await s.run(nextMessage(s, common.MissionItemReached, (m) => m.seq === 5, FLIGHT_TIMEOUT_MS));
  const heading = await s.run(nextMessage(s, common.GlobalPositionInt));
  expect(Math.abs(heading.hdg - 9000)).toBeLessThan(300);
  await s.run(nextMessage(s, minimal.Heartbeat, (hb) => !isArmed(hb), FLIGHT_TIMEOUT_MS));

  expect(s.reached).toEqual([1, 5, 4, 7]);
  expect(s.texts).toEqual(
    expect.arrayContaining(['Mission: 2 ChangeSpeed', 'Mission: 3 SetROI', 'Mission: 5 CondYaw']),
  );
  // DO_CHANGE_SPEED held the leg to 5 m/s.
  expect(topSpeedMs).toBeGreaterThan(4);
  expect(topSpeedMs).toBeLessThan(5.3);
  // The camera looked down at the region of interest, then straight down after DO_GIMBAL_MANAGER_PITCHYAW.
  expect(roiPitchDeg).toBeLessThan(-5);
  const gimbal = await s.run(nextMessage(s, common.GimbalDeviceAttitudeStatus));
  expect(gimbalPitchDeg(gimbal.q)).toBeCloseTo(-90, 0);
  // NAV_LAND came down at its own location.
  const end = s.sim.state();
  expect(end).toMatchObject({ landed: true, armed: false, modeName: 'AUTO' });
  expect(Math.abs(end.lonDeg - wp.y) / EAST_M).toBeLessThan(2);
});

// Over real UDP in wall time (×20), the mission and command protocols against the simulator's socket.
it('moves the current item on request, and will not start AUTO on the ground without a takeoff next', async () => {
  const s = await startSimAndGcs({ speedup: 20 });
  open.push(s);
  const { clock } = s;
  await s.run(waitForBoot(s));
  await s.run(uploadMission(s.gcs, s.target, fourWaypointMission(), { clock }));
  await s.run(waitForEkfPosition(s));

  const current = nextMessage(s, common.MissionCurrent, (m) => m.seq === 3);
  await s.run(setCurrentMissionItem(s.gcs, s.target, 3, { clock }));
  expect((await s.run(current)).missionState).toBe(common.MissionState.PAUSED);
  await expect(s.run(setCurrentMissionItem(s.gcs, s.target, 99, { clock }))).rejects.toThrow();

  await s.run(setMode(s, MODE.GUIDED));
  await s.run(arm(s));
  const refusal = nextMessage(s, common.StatusText, (m) => m.text.startsWith('Auto:'));
  await expect(s.run(setMode(s, MODE.AUTO))).rejects.toMatchObject({ result: common.MavResult.FAILED });
  expect((await s.run(refusal)).text).toBe('Auto: Missing Takeoff Cmd');

  // MISSION_START from item 1 (the takeoff) starts it. Both waits are in place before the command: the
  // heartbeat in AUTO comes with its ack, and at ×20 the takeoff is reached within a second.
  const started = nextMessage(s, minimal.Heartbeat, (hb) => hb.customMode === MODE.AUTO);
  const tookOff = nextMessage(s, common.MissionItemReached, (m) => m.seq === 1);
  await s.run(sendCommand(s.gcs, s.target, common.MavCmd.MISSION_START, [1, 0], { clock }));
  expect(isArmed(await s.run(started))).toBe(true);
  await s.run(tookOff);
});
