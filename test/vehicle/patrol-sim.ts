import type { EventEmitter } from 'node:events';
import { common } from 'node-mavlink';
import { afterEach } from 'vitest';
import { MavLinkConnection, type MissionItem } from '../../src/mavlink/index.js';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../src/sim/index.js';
import { type PatrolNotice, type PatrolStatus, Vehicle } from '../../src/vehicle/index.js';
import { freeUdpPort } from '../helpers/ports.js';

export const HOME = { latDeg: 34.7245, lonDeg: 113.6302, altAmslM: 110 };
const M_PER_DEG_LAT = 111_319.49;
const M_PER_DEG_LON = M_PER_DEG_LAT * Math.cos((HOME.latDeg * Math.PI) / 180);
const { MavCmd, MavFrame } = common;

/** Metres north and east of home. */
export interface NorthEast {
  northM: number;
  eastM: number;
}

export function toLatLon(p: NorthEast): { latDeg: number; lonDeg: number } {
  return { latDeg: HOME.latDeg + p.northM / M_PER_DEG_LAT, lonDeg: HOME.lonDeg + p.eastM / M_PER_DEG_LON };
}

export function fromLatLon(latDeg: number, lonDeg: number): NorthEast {
  return { northM: (latDeg - HOME.latDeg) * M_PER_DEG_LAT, eastM: (lonDeg - HOME.lonDeg) * M_PER_DEG_LON };
}

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

/** The simulator on a real UDP port and a Vehicle on a ground-station link to it. */
export interface PatrolRig {
  sim: Simulator;
  port: number;
  link: MavLinkConnection;
  vehicle: Vehicle;
  /** Where the vehicle truly was, every simulated half second. */
  track: (NorthEast & { simTimeS: number; altRelM: number })[];
  /** Opens a second ground-station link (another local port) and its Vehicle, as a restarted daemon would. */
  reconnect(): Promise<{ link: MavLinkConnection; vehicle: Vehicle }>;
  close(): Promise<void>;
}

const TRACK_PERIOD_S = 0.5;

/** A long patrol for the failsafe and link tests: 300 m legs, some 2 minutes of flight (6 s of wall time at ×20). */
export const LONG_LEGS: NorthEast[] = [
  { northM: 300, eastM: 0 },
  { northM: 300, eastM: 300 },
  { northM: 0, eastM: 300 },
  { northM: -300, eastM: 300 },
];

/** For a test file: starts a rig for a test and closes it after that test, passed or failed. */
export function rigPerTest(): (options?: Omit<SimulatorOptions, 'connect' | 'home'>) => Promise<PatrolRig> {
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

export async function startRig(options: Omit<SimulatorOptions, 'connect' | 'home'> = {}): Promise<PatrolRig> {
  const port = await freeUdpPort();
  const sim = await startSimulator({
    connect: `udpin://127.0.0.1:${port}`,
    home: HOME,
    speedup: 20,
    ...options,
  });
  const links: MavLinkConnection[] = [];
  const vehicles: Vehicle[] = [];
  const connect = async () => {
    const link = await MavLinkConnection.open(`udpout://127.0.0.1:${port}`);
    links.push(link);
    const vehicle = await Vehicle.connect(link);
    vehicles.push(vehicle);
    return { link, vehicle };
  };
  const { link, vehicle } = await connect();
  const track: PatrolRig['track'] = [];
  let nextS = 0;
  const stopTracking = sim.onStep((simTimeS) => {
    if (simTimeS < nextS) return;
    nextS = simTimeS + TRACK_PERIOD_S;
    const state = sim.state();
    track.push({ ...fromLatLon(state.latDeg, state.lonDeg), simTimeS, altRelM: state.altRelM });
  });
  return {
    sim,
    port,
    link,
    vehicle,
    track,
    reconnect: connect,
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

/** Resolves with the arguments of the first `event` that passes `accept`; rejects after `timeoutMs`. */
export function nextEvent<A extends unknown[]>(
  emitter: EventEmitter,
  event: string,
  accept: (...args: A) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<A> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`no '${event}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (...args: unknown[]) => {
      if (!accept(...(args as A))) return;
      clearTimeout(timer);
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

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
