import { ardupilotmega, common, type MavLinkData, minimal } from 'node-mavlink';
import { type Clock, systemClock } from '../../src/clock.js';
import {
  MavLinkConnection,
  type MessageClass,
  type MissionItem,
  sendCommand,
  type Target,
} from '../../src/mavlink/index.js';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../src/sim/index.js';
import type { FakeClock } from './fake-clock.js';
import { openSimulatedTransportPair } from './link-pair.js';
import { freeUdpPort } from './ports.js';

export const HOME = { latDeg: 34.7245, lonDeg: 113.6302, altAmslM: 110 };
/** ArduPilot Copter custom modes. */
export const MODE = { STABILIZE: 0, AUTO: 3, GUIDED: 4, LOITER: 5, RTL: 6, LAND: 9 } as const;
const MAV_MODE_FLAG_SAFETY_ARMED = 128;
const MAV_STATE_BOOT = minimal.MavState.BOOT;
const MAV_MODE_FLAG_CUSTOM_MODE_ENABLED = 1;
const { MavCmd } = common;

/** The simulator and a plain ground-station link, on one clock. */
export interface SimAndGcs {
  sim: Simulator;
  gcs: MavLinkConnection;
  target: Target;
  /** STATUSTEXTs and MISSION_ITEM_REACHED seqs as the ground station received them. */
  texts: string[];
  reached: number[];
  /** The clock of the simulator, the link and the helpers' waits and resends. */
  clock: Clock;
  /**
   * Settles `promise` and returns it: in simulated time by advancing the fake clock timer by timer, on
   * the system clock by waiting for it.
   */
  run<T>(promise: Promise<T>): Promise<T>;
  close(): Promise<void>;
}

type SimOptions = Omit<SimulatorOptions, 'connect' | 'transport' | 'home' | 'clock'>;

/** The simulator on udpin and a ground station on udpout, over real UDP on 127.0.0.1, in wall time. */
export async function startSimAndGcs(options: SimOptions): Promise<SimAndGcs> {
  const port = await freeUdpPort();
  const sim = await startSimulator({ connect: `udpin://127.0.0.1:${port}`, home: HOME, ...options });
  const gcs = await MavLinkConnection.open(`udpout://127.0.0.1:${port}`);
  return simAndGcs(sim, gcs, systemClock, (promise) => promise);
}

/**
 * The simulator and a ground station in simulated time: both on `clock`, over an in-memory link whose
 * packets take `latencyMs` of it. Nothing moves until the test advances the clock (`run`,
 * `clock.advance`); the simulator runs at ×1, so its time is the clock's.
 */
export async function startSimulatedSimAndGcs(
  clock: FakeClock,
  options: SimOptions = {},
  latencyMs = 5,
): Promise<SimAndGcs> {
  const ends = openSimulatedTransportPair(clock, latencyMs);
  const sim = await startSimulator({ transport: ends.vehicle, home: HOME, clock, ...options });
  const gcs = new MavLinkConnection(ends.gcs, { clock });
  return simAndGcs(sim, gcs, clock, (promise) => clock.run(promise));
}

function simAndGcs(
  sim: Simulator,
  gcs: MavLinkConnection,
  clock: Clock,
  run: <T>(promise: Promise<T>) => Promise<T>,
): SimAndGcs {
  const texts: string[] = [];
  const reached: number[] = [];
  gcs.onMessage(({ message }) => {
    if (message instanceof common.StatusText) texts.push(message.text);
    if (message instanceof common.MissionItemReached) reached.push(message.seq);
  });
  return {
    sim,
    gcs,
    target: { sysid: 1, compid: 1 },
    texts,
    reached,
    clock,
    run,
    close: async () => {
      await gcs.close();
      await sim.close();
    },
  };
}

export function requestStreams(s: SimAndGcs, streams: [streamId: number, rateHz: number][]): void {
  for (const [streamId, rateHz] of streams) {
    const m = new common.RequestDataStream();
    m.targetSystem = s.target.sysid;
    m.targetComponent = s.target.compid;
    m.reqStreamId = streamId;
    m.reqMessageRate = rateHz;
    m.startStop = 1;
    s.gcs.send(m);
  }
}

export function nextMessage<T extends MavLinkData>(
  s: SimAndGcs,
  clazz: MessageClass<T>,
  accept: (m: T) => boolean = () => true,
  timeoutMs = 20_000,
): Promise<T> {
  return s.gcs.waitFor(clazz, (m) => accept(m), { timeoutMs, clock: s.clock }).then((rx) => rx.message);
}

/** Waits for a heartbeat past boot: the simulator, like SITL, refuses uploads while it says MAV_STATE_BOOT. */
export function waitForBoot(s: SimAndGcs): Promise<minimal.Heartbeat> {
  return nextMessage(s, minimal.Heartbeat, (hb) => hb.systemStatus !== MAV_STATE_BOOT);
}

export function isArmed(hb: minimal.Heartbeat): boolean {
  return (hb.baseMode & MAV_MODE_FLAG_SAFETY_ARMED) !== 0;
}

export function setMode(s: SimAndGcs, customMode: number): Promise<void> {
  return sendCommand(s.gcs, s.target, MavCmd.DO_SET_MODE, [MAV_MODE_FLAG_CUSTOM_MODE_ENABLED, customMode], {
    clock: s.clock,
  });
}

export function arm(s: SimAndGcs): Promise<void> {
  return sendCommand(s.gcs, s.target, MavCmd.COMPONENT_ARM_DISARM, [1], { clock: s.clock });
}

export function takeoff(s: SimAndGcs, altRelM: number): Promise<void> {
  return sendCommand(s.gcs, s.target, MavCmd.NAV_TAKEOFF, [0, 0, 0, 0, 0, 0, altRelM], { clock: s.clock });
}

/**
 * Waits (on the ground station's side) until the EKF reports an absolute horizontal position; a real
 * ArduPilot needs 35–40 s after boot, so in simulated time give it `timeoutMs` of 60 s or so.
 */
export async function waitForEkfPosition(s: SimAndGcs, timeoutMs?: number): Promise<void> {
  requestStreams(s, [[common.MavDataStream.EXTRA3, 10]]);
  const POS_HORIZ_ABS = ardupilotmega.EkfStatusFlags.POS_HORIZ_ABS;
  await nextMessage(s, ardupilotmega.EkfStatusReport, (m) => (m.flags & POS_HORIZ_ABS) !== 0, timeoutMs);
}

function item(command: number, frame: number, x: number, y: number, z: number): MissionItem {
  return { command, frame, param1: 0, param2: 0, param3: 0, param4: 0, x, y, z, autocontinue: true };
}

/**
 * ARDUPILOT.md's reference flight: take off to 30 m, three 100 m legs (north, east, south), RTL.
 * Seq 0 is home.
 */
export function fourWaypointMission(): MissionItem[] {
  const dLat = 100 / 111_319.49;
  const dLon = 100 / (111_319.49 * Math.cos((HOME.latDeg * Math.PI) / 180));
  const { latDeg: lat, lonDeg: lon } = HOME;
  const REL = common.MavFrame.GLOBAL_RELATIVE_ALT;
  return [
    item(MavCmd.NAV_WAYPOINT, common.MavFrame.GLOBAL, lat, lon, HOME.altAmslM),
    item(MavCmd.NAV_TAKEOFF, REL, 0, 0, 30),
    item(MavCmd.NAV_WAYPOINT, REL, lat + dLat, lon, 30),
    item(MavCmd.NAV_WAYPOINT, REL, lat + dLat, lon + dLon, 30),
    item(MavCmd.NAV_WAYPOINT, REL, lat, lon + dLon, 30),
    item(MavCmd.NAV_RETURN_TO_LAUNCH, REL, 0, 0, 0),
  ];
}
