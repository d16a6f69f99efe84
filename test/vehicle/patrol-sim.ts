import type { EventEmitter } from 'node:events';
import { common } from 'node-mavlink';
import { afterEach } from 'vitest';
import type { Clock } from '../../src/clock.js';
import { MavLinkConnection, type MissionItem, type Transport } from '../../src/mavlink/index.js';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../src/sim/index.js';
import { type PatrolNotice, type PatrolStatus, Vehicle } from '../../src/vehicle/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { openSimulatedTransportPair } from '../helpers/link-pair.js';
import { fromLatLon, HOME, type NorthEast, toLatLon } from './patrol-geo.js';

export { fromLatLon, HOME, type NorthEast, toLatLon };

const { MavCmd, MavFrame } = common;

const distanceM = (a: NorthEast, b: NorthEast) => Math.hypot(a.northM - b.northM, a.eastM - b.eastM);

function item(command: number, frame: number, x = 0, y = 0, z = 0): MissionItem {
  return { command, frame, param1: 0, param2: 0, param3: 0, param4: 0, x, y, z, autocontinue: true };
}

/** Home (seq 0), take-off (1), the waypoints (2…), RTL (last). */
export function patrolMission(waypoints: NorthEast[], altRelM = 20): MissionItem[] {
  const REL = MavFrame.GLOBAL_RELATIVE_ALT;
  return [
    item(MavCmd.NAV_WAYPOINT, MavFrame.GLOBAL, HOME.latDeg, HOME.lonDeg, HOME.altAmslM),
    item(MavCmd.NAV_TAKEOFF, REL, 0, 0, altRelM),
    ...waypoints.map((p) => {
      const { latDeg, lonDeg } = toLatLon(p);
      return item(MavCmd.NAV_WAYPOINT, REL, latDeg, lonDeg, altRelM);
    }),
    item(MavCmd.NAV_RETURN_TO_LAUNCH, MavFrame.MISSION),
  ];
}

/**
 * The simulator and a Vehicle on a ground-station link to it, in simulated time: both on one FakeClock,
 * over an in-memory link whose packets take LATENCY_MS of it. Nothing moves until the test advances the
 * clock (`run`, `next`, `clock.advance`), and then as fast as the CPU computes the flight; the simulator
 * runs at ×1, so its time is the clock's and the vehicle's timeouts are those a real flight meets.
 */
export interface PatrolRig {
  clock: FakeClock;
  sim: Simulator;
  link: MavLinkConnection;
  vehicle: Vehicle;
  /** Where the vehicle truly was, every simulated half second. */
  track: (NorthEast & { simTimeS: number; altRelM: number })[];
  /** Settles `promise` by advancing the clock timer by timer, and returns it (to await or assert on). */
  run<T>(promise: Promise<T>): Promise<T>;
  /** Runs the clock until `emitter` emits `event` with arguments that pass `accept`, and returns them. */
  next<A extends unknown[]>(
    emitter: EventEmitter,
    event: string,
    accept?: (...args: A) => boolean,
  ): Promise<A>;
  /**
   * Opens a second ground-station link to the simulator and its Vehicle, as a restarted daemon would
   * on a new port: the simulator answers the ground station it heard last.
   */
  reconnect(): Promise<{ link: MavLinkConnection; vehicle: Vehicle }>;
  close(): Promise<void>;
}

/** One way, ms: a radio link's. */
const LATENCY_MS = 5;
const TRACK_PERIOD_S = 0.5;

/** A long patrol for the failsafe and link tests: 300 m legs, some 220 s of flight. */
export const LONG_LEGS: NorthEast[] = [
  { northM: 300, eastM: 0 },
  { northM: 300, eastM: 300 },
  { northM: 0, eastM: 300 },
  { northM: -300, eastM: 300 },
];

type RigOptions = Omit<SimulatorOptions, 'connect' | 'transport' | 'home' | 'clock'>;

/** For a test file: starts a rig for a test and closes it after that test, passed or failed. */
export function rigPerTest(): (options?: RigOptions) => Promise<PatrolRig> {
  let rig: PatrolRig | null = null;
  afterEach(async () => {
    await rig?.close();
    rig = null;
  });
  return async (options) => {
    rig = await startRig(options);
    return rig;
  };
}

export async function startRig(options: RigOptions = {}): Promise<PatrolRig> {
  const clock = new FakeClock();
  const ends = openSimulatedTransportPair(clock, LATENCY_MS);
  const sim = await startSimulator({ transport: ends.vehicle, home: HOME, clock, ...options });
  const links: MavLinkConnection[] = [];
  const vehicles: Vehicle[] = [];
  const connect = async (transport: Transport) => {
    const link = new MavLinkConnection(transport, { clock });
    links.push(link);
    const vehicle = await clock.run(Vehicle.connect(link));
    vehicles.push(vehicle);
    return { link, vehicle };
  };
  const { link, vehicle } = await connect(ends.gcs);
  const track: PatrolRig['track'] = [];
  let nextS = 0;
  const stopTracking = sim.onStep((simTimeS) => {
    if (simTimeS < nextS) return;
    nextS = simTimeS + TRACK_PERIOD_S;
    const state = sim.state();
    track.push({ ...fromLatLon(state.latDeg, state.lonDeg), simTimeS, altRelM: state.altRelM });
  });
  return {
    clock,
    sim,
    link,
    vehicle,
    track,
    run: (promise) => clock.run(promise),
    next: (emitter, event, accept) => clock.run(nextEvent(clock, emitter, event, accept)),
    reconnect: () => connect(ends.connectGcs()),
    close: async () => {
      stopTracking();
      for (const v of vehicles) v.close();
      await Promise.all(links.map((l) => l.close()));
      await sim.close();
    },
  };
}

/** The sim time at which the track came closest to `point`, and how close. */
export function closestApproach(
  track: PatrolRig['track'],
  point: NorthEast,
  fromS = 0,
): { distanceM: number; simTimeS: number } {
  let best = { distanceM: Number.POSITIVE_INFINITY, simTimeS: Number.NaN };
  for (const p of track) {
    if (p.simTimeS < fromS) continue;
    const d = distanceM(p, point);
    if (d < best.distanceM) best = { distanceM: d, simTimeS: p.simTimeS };
  }
  return best;
}

export function distanceFromHomeM(sim: Simulator): number {
  const s = sim.state();
  return distanceM(fromLatLon(s.latDeg, s.lonDeg), { northM: 0, eastM: 0 });
}

/**
 * Resolves with the arguments of the first `event` that passes `accept`; rejects after `timeoutMs` of
 * `clock` (simulated) time.
 */
export function nextEvent<A extends unknown[]>(
  clock: Clock,
  emitter: EventEmitter,
  event: string,
  accept: (...args: A) => boolean = () => true,
  timeoutMs = 600_000,
): Promise<A> {
  return new Promise((resolve, reject) => {
    const timer = clock.setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`no '${event}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (...args: unknown[]) => {
      if (!accept(...(args as A))) return;
      clock.clearTimeout(timer);
      emitter.off(event, listener);
      resolve(args as A);
    };
    emitter.on(event, listener);
  });
}

/** Collects a patrol's notices and the statuses it went through (each once, in order). */
export function recordPatrol(patrol: EventEmitter): { notices: PatrolNotice[]; statuses: PatrolStatus[] } {
  const notices: PatrolNotice[] = [];
  const statuses: PatrolStatus[] = [];
  patrol.on('notice', (n: PatrolNotice) => notices.push(n));
  patrol.on('progress', (p: { status: PatrolStatus }) => {
    if (statuses.at(-1) !== p.status) statuses.push(p.status);
  });
  return { notices, statuses };
}
