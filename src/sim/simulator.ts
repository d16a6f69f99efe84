import { common, minimal } from 'node-mavlink';
import { type Clock, setRepeating, systemClock } from '../clock.js';
import { UserError } from '../errors.js';
import type { GeoPoint } from '../geo/index.js';
import {
  LINK_TIMING,
  MavLinkConnection,
  type MissionItem,
  MissionServer,
  MissionType,
  openTransport,
  parseConnectionUrl,
  type TlogWriter,
  type Transport,
} from '../mavlink/index.js';
import { seededRandom } from '../random.js';
import type { VehicleIds } from './addressing.js';
import { serveCommands } from './commands.js';
import { FaultyTransport, type LinkFaults } from './faults.js';
import {
  heartbeat,
  homePosition,
  MESSAGE_BUILDERS,
  missionCurrent,
  missionItemReached,
  statusText,
  type TelemetrySource,
} from './messages.js';
import { modeName } from './modes.js';
import { serveParams } from './params.js';
import { ReportNoise } from './report-noise.js';
import { serveSetupSigning } from './setup-signing.js';
import { TelemetryStreams } from './telemetry.js';
import { SimVehicle } from './vehicle.js';

/** Physics step, sim seconds. */
const STEP_S = 0.02;
/** Period, on the simulator's clock, of the loop that steps physics and sends due telemetry. */
const TICK_MS = 10;
/** After a stall, at most this much clock time is caught up; sim time slips rather than bursting. */
const MAX_CATCH_UP_MS = 250;
const MAV_TYPE_GCS = 6;

export interface SimulatorOptions {
  /** Where the vehicle talks, e.g. 'udpin://127.0.0.1:14560', 'udpout://127.0.0.1:14550', 'tcpin://127.0.0.1:5760'. */
  connect?: string;
  /**
   * An open transport to talk on instead of `connect` (a test's in-memory link); the simulator closes
   * it when it closes.
   */
  transport?: Transport;
  home: GeoPoint;
  /**
   * Time and timers: the physics loop and its pacing, heartbeats, the GCS failsafe's judgement, link
   * faults (default: the system clock). On a test's fake clock, sim time follows the fake clock
   * (times `speedup`), as fast as the CPU allows.
   */
  clock?: Clock;
  /** Unix time at boot, ms: SYSTEM_TIME, the tlog and truePose count sim time from it (default: now). */
  bootUnixMs?: number;
  /** Sim time runs this many times faster than the clock (default 1). */
  speedup?: number;
  faults?: Partial<LinkFaults>;
  /** Seeds link faults and GPS noise (default 1). */
  seed?: number;
  /** Items the mission list holds (default: the mission server's). */
  missionCapacity?: number;
  windSpeedMs?: number;
  /** Direction the wind blows from, degrees (default 0, north). */
  windFromDeg?: number;
  /** Standard deviation of GPS_RAW_INT's horizontal error, metres (default 0). */
  gpsNoiseM?: number;
  /**
   * Full-to-empty hover time, sim seconds (default 1500: the 25-minute battery the planner assumes;
   * ArduPilot SITL's default quad hovers 3300 mAh / 28.1 A = 423 s).
   */
  batteryEnduranceS?: number;
  /** σ of the slowly wandering error in the reported GLOBAL_POSITION_INT lat/lon, metres (default 0). */
  positionNoiseM?: number;
  /** σ of the slowly wandering error in the reported ATTITUDE (and GLOBAL_POSITION_INT heading), degrees (default 0). */
  attitudeNoiseDeg?: number;
  /** Every packet the vehicle sends (before link faults) is appended here, stamped with the sim's Unix time. */
  tlog?: TlogWriter;
  systemId?: number;
  componentId?: number;
  /**
   * The 32-byte MAVLink signing key it holds from the start, as a vehicle given one earlier: it signs
   * what it sends and drops what is not signed with the key. Without one it talks unsigned until a
   * SETUP_SIGNING gives it a key.
   */
  signingKey?: Buffer;
}

/** A snapshot of the simulated vehicle, for tests and the `sim` command's status line. */
export interface SimulatorState {
  simTimeS: number;
  latDeg: number;
  lonDeg: number;
  altRelM: number;
  altAmslM: number;
  /** North, east, down. */
  velocityNedMs: [number, number, number];
  headingDeg: number;
  armed: boolean;
  modeName: string;
  customMode: number;
  /** MISSION_CURRENT's seq. */
  missionSeq: number;
  landed: boolean;
  batteryPct: number;
  gpsFix: boolean;
  ekfUsesGps: boolean;
}

/** The truth the simulated camera renders from: where the vehicle and its gimbal really are. */
export interface SimTruePose {
  simTimeS: number;
  /** The sim's Unix time, µs: boot time + sim time (what SYSTEM_TIME and the tlog say). */
  unixUs: number;
  latDeg: number;
  lonDeg: number;
  altAmslM: number;
  altRelM: number;
  /** The (flat) ground: home's elevation. */
  groundAmslM: number;
  headingDeg: number;
  rollDeg: number;
  pitchDeg: number;
  /** Gimbal pitch (−90 straight down) and yaw relative to the nose, degrees. */
  gimbalPitchDeg: number;
  gimbalYawBodyDeg: number;
  /** Heading + gimbal yaw, degrees in [0, 360). */
  cameraHeadingDeg: number;
}

type Defaulted =
  | 'speedup'
  | 'seed'
  | 'windSpeedMs'
  | 'windFromDeg'
  | 'gpsNoiseM'
  | 'batteryEnduranceS'
  | 'positionNoiseM'
  | 'attitudeNoiseDeg'
  | 'systemId'
  | 'componentId';
type Settings = SimulatorOptions & Required<Pick<SimulatorOptions, Defaulted>>;

/** Starts a simulated ArduPilot Copter talking MAVLink on `options.connect`. */
export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const settings: Settings = {
    ...options,
    speedup: options.speedup ?? 1,
    seed: options.seed ?? 1,
    windSpeedMs: options.windSpeedMs ?? 0,
    windFromDeg: options.windFromDeg ?? 0,
    gpsNoiseM: options.gpsNoiseM ?? 0,
    batteryEnduranceS: options.batteryEnduranceS ?? 1500,
    positionNoiseM: options.positionNoiseM ?? 0,
    attitudeNoiseDeg: options.attitudeNoiseDeg ?? 0,
    systemId: options.systemId ?? 1,
    componentId: options.componentId ?? 1,
  };
  validate(settings);
  const transport = options.transport ?? (await openTransport(parseConnectionUrl(options.connect as string)));
  return new Simulator(transport, settings);
}

/**
 * A simulated ArduPilot Copter 4.7 on one link: heartbeats at 1 Hz of its clock (wall time unless a
 * test gives it a fake clock), telemetry only when asked, commands, parameters and missions answered,
 * and physics stepped in sim time at a fixed step.
 */
export class Simulator {
  readonly link: MavLinkConnection;
  private readonly faulty: FaultyTransport;
  private readonly vehicle: SimVehicle;
  private readonly missions: MissionServer;
  private readonly streams: TelemetryStreams;
  private readonly source: TelemetrySource;
  private readonly unsubscribes: (() => void)[];
  private readonly stopTimers: (() => void)[] = [];
  private readonly clock: Clock;
  private readonly speedup: number;
  private readonly noise: ReportNoise;
  private readonly stepListeners = new Set<(simTimeS: number) => void>();
  private readonly holds = new Set<Promise<unknown>>();
  /** Clock time at which sim time 0 would have been, had it never slipped. */
  private clockStartMs: number;
  /** Clock time of the last GCS heartbeat; null until one is heard (the GCS failsafe waits for one). */
  private lastGcsHeartbeatMs: number | null = null;
  private closed = false;

  constructor(transport: Transport, options: Settings) {
    const ids: VehicleIds = { systemId: options.systemId, componentId: options.componentId };
    this.speedup = options.speedup;
    const clock = options.clock ?? systemClock;
    this.clock = clock;
    this.clockStartMs = clock.nowMs();
    const tlog = options.tlog;
    this.faulty = tlog
      ? new RecordedTransport(transport, options.faults, seededRandom(options.seed), clock, (frame) =>
          tlog.record(this.unixTimeUs(), frame),
        )
      : new FaultyTransport(transport, options.faults, seededRandom(options.seed), clock);
    this.noise = new ReportNoise(
      options.positionNoiseM,
      options.attitudeNoiseDeg,
      seededRandom(options.seed + 2),
    );
    this.link = new MavLinkConnection(this.faulty, {
      ...ids,
      gcsHeartbeat: false,
      clock,
      signing: options.signingKey ? { key: options.signingKey } : undefined,
    });
    this.missions = new MissionServer(this.link, {
      clock,
      capacity: options.missionCapacity,
      // Like ArduPilot: no uploads until its mission storage is up, and items read back as it stores them.
      ready: () => !this.vehicle.booting,
      readBackLikeArduPilot: true,
      onChanged: (type, items) => {
        if (type === MissionType.Fence) this.vehicle.setFence(items);
        if (type !== MissionType.Mission) return;
        this.keepHomeAtItemZero();
        this.vehicle.missionChanged();
      },
    });
    const missionItems = () => this.missions.items(MissionType.Mission);
    this.vehicle = new SimVehicle(
      {
        home: options.home,
        windSpeedMs: options.windSpeedMs,
        windFromDeg: options.windFromDeg,
        gpsNoiseM: options.gpsNoiseM,
        batteryEnduranceS: options.batteryEnduranceS,
        random: seededRandom(options.seed + 1),
        missionItems,
      },
      {
        text: (severity, text) => this.link.send(statusText(severity, text)),
        missionItemReached: (seq) => this.link.send(missionItemReached(seq)),
        missionCurrentChanged: () => this.link.send(missionCurrent(this.source)),
        // Besides the 1 Hz beat (clock time): sped up, a whole DISARM_DELAY can pass between two of them.
        statusChanged: () => this.sendHeartbeat(),
        homeChanged: () => {
          this.keepHomeAtItemZero();
          const home = homePosition(this.source);
          if (home) this.link.send(home);
        },
      },
    );
    this.source = {
      vehicle: this.vehicle,
      noise: this.noise,
      missionItems,
      bootUnixUs: (options.bootUnixMs ?? Date.now()) * 1000,
    };
    this.streams = new TelemetryStreams(
      this.link,
      (msgId) => {
        const message = MESSAGE_BUILDERS.get(msgId)?.(this.source) ?? null;
        return message && this.noise.apply(message, this.vehicle);
      },
      (msgId) => MESSAGE_BUILDERS.has(msgId),
      // Sim time, as SITL's scheduler: sped up, a 10 Hz stream is still 10 per simulated second, so a
      // log of a sped-up flight is as dense as a real one (geotagging interpolates between fixes).
      () => this.vehicle.timeS * 1000,
    );
    this.unsubscribes = [
      serveParams(this.link, this.vehicle.params, ids),
      serveCommands(this.link, { vehicle: this.vehicle, streams: this.streams, ids }),
      serveSetupSigning(this.link, {
        ids,
        armed: () => this.vehicle.armed,
        text: (severity, text) => this.link.send(statusText(severity, text)),
      }),
      this.link.onMessage(({ message }) => {
        if (message instanceof minimal.Heartbeat && message.type === MAV_TYPE_GCS) {
          this.lastGcsHeartbeatMs = this.clock.nowMs();
        }
      }),
    ];
    this.sendHeartbeat();
    this.stopTimers.push(
      setRepeating(clock, () => this.sendHeartbeat(), LINK_TIMING.heartbeatPeriodMs),
      setRepeating(clock, () => this.tick(), TICK_MS),
    );
  }

  /** Changes link faults from now on. */
  setFaults(faults: Partial<LinkFaults>): void {
    this.faulty.setFaults(faults);
  }

  /** Nothing passes the link either way for `seconds` of clock time (wall time on the system clock). */
  startOutage(seconds: number): void {
    this.faulty.startOutage(seconds);
  }

  /** The GPS loses its fix for `simSeconds`; the EKF and the failsafes react as on a real copter. */
  loseGps(simSeconds: number): void {
    this.vehicle.loseGps(simSeconds);
  }

  setBatteryPercent(percent: number): void {
    this.vehicle.battery.setPercent(percent);
  }

  state(): SimulatorState {
    const v = this.vehicle;
    const geo = v.geo;
    return {
      simTimeS: v.timeS,
      latDeg: geo.latDeg,
      lonDeg: geo.lonDeg,
      altRelM: v.altRelM,
      altAmslM: geo.altAmslM,
      velocityNedMs: [v.model.velNorthMs, v.model.velEastMs, -v.model.velUpMs],
      headingDeg: (v.model.yawRad * 180) / Math.PI,
      armed: v.armed,
      modeName: modeName(v.mode),
      customMode: v.mode,
      missionSeq: v.mission.seq,
      landed: v.landed,
      batteryPct: v.battery.percent,
      gpsFix: v.gps.hasFix(v.timeS),
      ekfUsesGps: v.ekf.usesGps,
    };
  }

  /** Where the vehicle and its camera really are (reported telemetry may carry noise; this does not). */
  truePose(): SimTruePose {
    const v = this.vehicle;
    const geo = v.geo;
    const headingDeg = ((((v.model.yawRad * 180) / Math.PI) % 360) + 360) % 360;
    return {
      simTimeS: v.timeS,
      unixUs: this.unixTimeUs(),
      latDeg: geo.latDeg,
      lonDeg: geo.lonDeg,
      altAmslM: geo.altAmslM,
      altRelM: v.altRelM,
      groundAmslM: v.frame.origin.altAmslM,
      headingDeg,
      rollDeg: (v.model.rollRad * 180) / Math.PI,
      pitchDeg: (v.model.pitchRad * 180) / Math.PI,
      gimbalPitchDeg: v.gimbal.pitchDeg,
      gimbalYawBodyDeg: v.gimbal.yawBodyDeg,
      cameraHeadingDeg: (((headingDeg + v.gimbal.yawBodyDeg) % 360) + 360) % 360,
    };
  }

  /** The sim's Unix time, µs: boot time + sim time, as SYSTEM_TIME reports it. */
  unixTimeUs(): number {
    return this.source.bootUnixUs + this.vehicle.timeS * 1e6;
  }

  /** Calls `listener` after every physics step with the sim time; returns the unsubscribe function. */
  onStep(listener: (simTimeS: number) => void): () => void {
    this.stepListeners.add(listener);
    return () => this.stepListeners.delete(listener);
  }

  /** Sim time stands still until `done` settles (a camera waiting for its encoder); it slips, not bursts. */
  holdUntil(done: Promise<unknown>): void {
    const release = (): void => {
      this.holds.delete(hold);
    };
    const hold: Promise<void> = done.then(release, release);
    this.holds.add(hold);
  }

  /** Stops every timer and closes the link; nothing of the simulator keeps the process alive after. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stop of this.stopTimers) stop();
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    this.missions.close();
    await this.link.close();
  }

  private sendHeartbeat(): void {
    this.link.send(heartbeat(this.source));
  }

  private tick(): void {
    if (this.holds.size > 0) return;
    const nowMs = this.clock.nowMs();
    const behindMs = nowMs - this.clockStartMs - (this.vehicle.timeS * 1000) / this.speedup;
    if (behindMs > MAX_CATCH_UP_MS) this.clockStartMs += behindMs - MAX_CATCH_UP_MS;
    // Heartbeats come at 1 Hz of the clock whatever the speedup, so their timeout is judged on it too.
    if (this.lastGcsHeartbeatMs !== null) {
      const timeoutMs = this.vehicle.params.get('FS_GCS_TIMEOUT') * 1000;
      this.vehicle.setGcsLost(nowMs - this.lastGcsHeartbeatMs > timeoutMs);
    }
    const targetS = ((nowMs - this.clockStartMs) / 1000) * this.speedup;
    while (this.holds.size === 0 && this.vehicle.timeS + STEP_S <= targetS) {
      this.vehicle.step(STEP_S);
      this.streams.tick();
      for (const listener of this.stepListeners) listener(this.vehicle.timeS);
    }
  }

  /** Item 0 of the mission is home, as ArduPilot keeps it whatever a ground station uploads. */
  private keepHomeAtItemZero(): void {
    const home = this.vehicle.homeGeo;
    if (!home) return;
    const homeItem: MissionItem = {
      command: common.MavCmd.NAV_WAYPOINT,
      frame: common.MavFrame.GLOBAL,
      param1: 0,
      param2: 0,
      param3: 0,
      param4: 0,
      x: home.latDeg,
      y: home.lonDeg,
      z: home.altAmslM,
      autocontinue: true,
    };
    const items = this.missions.items(MissionType.Mission);
    this.missions.setItems(MissionType.Mission, [homeItem, ...items.slice(1)]);
  }
}

function validate(o: Settings): void {
  const bad = (what: string) => new UserError(`simulator: ${what}`, 2);
  if ((o.connect === undefined) === (o.transport === undefined)) {
    throw bad('needs exactly one of a connection (connect) and an open transport');
  }
  const { latDeg, lonDeg, altAmslM } = o.home;
  if (!(Math.abs(latDeg) <= 85) || !(Math.abs(lonDeg) <= 180) || !Number.isFinite(altAmslM)) {
    throw bad(
      `home ${latDeg},${lonDeg},${altAmslM} is not a latitude (±85°), longitude (±180°) and altitude`,
    );
  }
  if (!(o.speedup > 0) || !Number.isFinite(o.speedup))
    throw bad(`speedup ${o.speedup} must be a positive number`);
  if (!(o.batteryEnduranceS > 0)) throw bad(`batteryEnduranceS ${o.batteryEnduranceS} must be positive`);
  if (!(o.windSpeedMs >= 0)) throw bad(`windSpeedMs ${o.windSpeedMs} must be 0 or more`);
  if (!(o.gpsNoiseM >= 0)) throw bad(`gpsNoiseM ${o.gpsNoiseM} must be 0 or more`);
  if (!(o.positionNoiseM >= 0)) throw bad(`positionNoiseM ${o.positionNoiseM} must be 0 or more`);
  if (!(o.attitudeNoiseDeg >= 0)) throw bad(`attitudeNoiseDeg ${o.attitudeNoiseDeg} must be 0 or more`);
}

/** The link's transport with every frame the vehicle writes recorded first (faults apply after). */
class RecordedTransport extends FaultyTransport {
  constructor(
    inner: Transport,
    faults: Partial<LinkFaults> | undefined,
    random: () => number,
    clock: Clock,
    private readonly record: (frame: Buffer) => void,
  ) {
    super(inner, faults, random, clock);
  }

  override write(bytes: Buffer): boolean {
    this.record(bytes);
    return super.write(bytes);
  }
}
