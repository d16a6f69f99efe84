import fs from 'node:fs';
import path from 'node:path';
import type { AlertService, PatrolRecord } from '../alerts/index.js';
import { finishRecordings, flightIdAt, LiveAnalytics, nextRecordingFile } from '../analytics/index.js';
import type { Detector } from '../detect/index.js';
import { ioFailure, UserError } from '../errors.js';
import type { CameraModel } from '../geotag/index.js';
import { MavLinkConnection, TlogWriter } from '../mavlink/index.js';
import type { VehicleCommand, VehicleSnapshot } from '../server/index.js';
import {
  PatrolFlight,
  type PatrolNotice,
  type PatrolOptions,
  type PatrolProgress,
  type PatrolResult,
  type PreflightCheck,
  type StatusText,
  Vehicle,
} from '../vehicle/index.js';
import { type SortiePlan, storedMission } from './patrol-plan.js';

/**
 * A video stream is recorded only while its disk has this much free (a minute or more of an HD stream);
 * below it the stream is analysed unrecorded.
 */
const RECORDING_MIN_FREE_BYTES = 32 * 2 ** 20;

/** Vehicle messages up to MAV_SEVERITY_WARNING reach the pilot; the rest stay in the tlog. */
const MAV_SEVERITY_WARNING = 4;

export interface VehicleLinkConfig {
  /** The daemon's name for it (config), e.g. 'drone-1'. */
  id: string;
  /** MAVLink connection URL (udpin://, udpout://, tcpout://, serial://). */
  connect: string;
  /** Its video stream (udp://HOST:PORT MPEG-TS, rtsp://…); null: no live analytics. */
  videoUrl: string | null;
  /** The camera at the stream's native size. */
  camera: CameraModel;
  /** Camera to arrival here, ms (see FrameClock). */
  videoLatencyMs: number;
  /** The MAVLink 2 signing key its link signs with and demands; none: unsigned. */
  signingKey?: Buffer;
}

export interface SessionContext {
  alerts: AlertService;
  detector: Detector;
  /** Where each flight's tlog goes. */
  dataDir: string;
  analysis: { fps: number; widthPx?: number };
  patrol: Omit<PatrolOptions, 'fence' | 'rallyItems' | 'signal'>;
  /** A line for the log and the pilot: level and text. */
  onEvent: (level: 'info' | 'warning' | 'error', text: string) => void;
  /** A part threw (a bug): one line for the pilot, the stack for the log; the vehicle flies on. */
  onFault: (what: string, err: unknown) => void;
  onProgress: () => void;
  /**
   * Opens a vehicle's link (default: MavLinkConnection.open on its `connect` URL, signed with its
   * `signingKey`). The vehicle and its patrols run on the link's clock: a test gives links on its fake
   * clock over an in-memory transport.
   */
  openLink?: (config: VehicleLinkConfig) => Promise<MavLinkConnection>;
}

/** One patrol in the air (or being launched): the flight, its analytics and its log. */
interface ActivePatrol {
  record: PatrolRecord;
  plan: SortiePlan;
  flight: PatrolFlight;
  analytics: LiveAnalytics | null;
}

export interface PatrolOutcome {
  result: PatrolResult;
  record: PatrolRecord;
  tlogPath: string;
  /** The video as received, one file per time the stream was opened (this daemon's part of the flight). */
  videoFiles: string[];
  alertsRaised: number;
}

/**
 * One vehicle of the fleet: its link (kept open while the daemon runs), its state, and the patrol it
 * flies, if any. A patrol writes its record to the store as it goes, so that a daemon restarted
 * mid-flight adopts the flight (same flight id, same tlog) instead of losing it.
 */
export class VehicleSession {
  vehicle: Vehicle | null = null;
  /** False while the vehicle's heartbeat is missing (LINK_TIMING.vehicleLostAfterMs). */
  private linkUp = true;
  private active: ActivePatrol | null = null;
  private runningPatrol: Promise<PatrolOutcome> | null = null;
  /** Stops following the patrol (the vehicle flies on): the daemon is shutting down. */
  private readonly detaching = new AbortController();
  private lastOutcome: PatrolOutcome | null = null;
  private readonly alertsByFlight = new Map<string, number>();
  /** Whether the last (re)opened video stream was recorded (false: no room on the data disk). */
  private recordingVideo = true;

  private constructor(
    readonly config: VehicleLinkConfig,
    readonly link: MavLinkConnection,
    private readonly ctx: SessionContext,
  ) {}

  /** Opens the link and waits for the vehicle's first heartbeat (LINK_TIMING.vehicleDiscoveryTimeoutMs). */
  static async open(config: VehicleLinkConfig, ctx: SessionContext, signal?: AbortSignal) {
    const key = config.signingKey;
    const link = await (ctx.openLink?.(config) ??
      MavLinkConnection.open(config.connect, { signing: key ? { key } : undefined }));
    const session = new VehicleSession(config, link, ctx);
    try {
      session.vehicle = await Vehicle.connect(link, signal);
    } catch (err) {
      await link.close();
      throw err;
    }
    // The link's packet handler calls these: a throw in one is reported, not carried into the link.
    session.vehicle.on(
      'change',
      session.guard('the vehicle status update', () => ctx.onProgress()),
    );
    session.vehicle.on(
      'lost',
      session.guard('the link-lost handler', () => {
        session.linkUp = false;
        ctx.onProgress();
      }),
    );
    session.vehicle.on(
      'regained',
      session.guard('the link-regained handler', () => {
        session.linkUp = true;
        ctx.onProgress();
      }),
    );
    session.link.on('handler-error', (err: unknown) => ctx.onFault('a link message handler', err));
    ctx.alerts.onAlert(({ alert, change }) => {
      const flightId = session.active?.record.flightId;
      if (change === 'created' && alert.flightId === flightId) {
        session.alertsByFlight.set(flightId, (session.alertsByFlight.get(flightId) ?? 0) + 1);
      }
    });
    return session;
  }

  get id(): string {
    return this.config.id;
  }

  get patrol(): { plan: SortiePlan; progress: PatrolProgress; record: PatrolRecord } | null {
    const a = this.active;
    return a ? { plan: a.plan, progress: a.flight.progress, record: a.record } : null;
  }

  get outcome(): PatrolOutcome | null {
    return this.lastOutcome;
  }

  /** The patrol being flown (or adopted), until it ends. */
  get running(): Promise<PatrolOutcome> | null {
    return this.runningPatrol;
  }

  /**
   * Launches a patrol: upload, checks, arm, take off, AUTO; resolves when it has landed. A resumed
   * patrol (`resumedFrom`: the record of the patrol it continues, whose plan had `planItemCount` items)
   * keeps that patrol's plan digest and counts progress in that plan's seqs.
   */
  fly(
    plan: SortiePlan,
    resumedFrom?: { record: PatrolRecord; planItemCount: number },
  ): Promise<PatrolOutcome> {
    const vehicle = this.mustBeConnected();
    const startedUs = Date.now() * 1000;
    const record: PatrolRecord = {
      flightId: flightIdAt(vehicle.state.sysid, startedUs),
      vehicleId: this.id,
      planName: plan.name,
      planDigest: resumedFrom?.record.planDigest ?? plan.digest,
      missionJson: storedMission(plan),
      status: 'idle',
      lastReachedSeq: resumedFrom?.record.lastReachedSeq ?? null,
      outcome: null,
      startedUs,
      updatedUs: startedUs,
      endedUs: null,
    };
    // A resumed mission has a new head (home, take-off, settings): its seqs run this far ahead.
    const seqShift = resumedFrom ? plan.items.length - resumedFrom.planItemCount : 0;
    return this.start(plan, record, seqShift, (flight) => flight.fly());
  }

  /** Follows the flight this vehicle is on after a restart, from its stored record. */
  adopt(record: PatrolRecord, plan: SortiePlan): Promise<PatrolOutcome> {
    this.ctx.onEvent('warning', `in the air on ${record.planName}; following it to landing`);
    return this.start(plan, record, 0, (flight) => flight.adopt(record.lastReachedSeq));
  }

  async command(command: VehicleCommand): Promise<string> {
    const a = this.active;
    if (!a) throw new UserError(`${this.id}: not on a patrol`);
    if (command === 'pause') await a.flight.pause();
    else if (command === 'resume') await a.flight.resume();
    else await a.flight.abort();
    return `${this.id}: ${a.flight.status}`;
  }

  snapshot(): VehicleSnapshot {
    const s = this.vehicle?.state;
    const a = this.active;
    const progress = a?.flight.progress;
    const flightId = a?.record.flightId ?? this.lastOutcome?.record.flightId;
    return {
      id: this.id,
      sysid: s?.sysid ?? null,
      connected: this.vehicle !== null && this.linkUp,
      armed: s?.armed ?? false,
      modeName: s?.modeName ?? 'UNKNOWN',
      latDeg: s?.position?.latDeg ?? null,
      lonDeg: s?.position?.lonDeg ?? null,
      altRelM: s?.position?.altRelM ?? null,
      headingDeg: s?.headingDeg ?? null,
      groundSpeedMs: s?.groundSpeedMs ?? null,
      batteryPct: s?.battery?.remainingPct ?? null,
      waypoint:
        progress && progress.currentSeq !== null
          ? { current: progress.currentSeq, total: progress.totalItems }
          : null,
      patrolStatus: progress?.status ?? this.lastOutcome?.record.status ?? 'idle',
      alertsRaised: flightId ? (this.alertsByFlight.get(flightId) ?? 0) : 0,
      video: a?.analytics
        ? {
            live: a.analytics.stats.live,
            framesAnalysed: a.analytics.stats.framesAnalysed,
            framesSkipped: a.analytics.stats.framesSkipped,
          }
        : null,
      timeUs: Date.now() * 1000,
    };
  }

  /** Stops following (the vehicle flies on; a restarted daemon adopts it) and closes the link. */
  async close(): Promise<void> {
    this.detaching.abort();
    await this.runningPatrol?.catch(() => undefined);
    this.vehicle?.close();
    await this.link.close();
  }

  /**
   * A listener the link's packet handler or a timer calls: a throw in it (a bug) is reported as a fault
   * and goes no further, so the link, the timers and the patrol's state machine go on.
   */
  private guard<A extends unknown[]>(what: string, fn: (...args: A) => void): (...args: A) => void {
    return (...args: A) => {
      try {
        fn(...args);
      } catch (err) {
        this.ctx.onFault(what, err);
      }
    };
  }

  private mustBeConnected(): Vehicle {
    if (!this.vehicle) throw new UserError(`${this.id}: no vehicle on ${this.config.connect}`);
    return this.vehicle;
  }

  private start(
    plan: SortiePlan,
    record: PatrolRecord,
    seqShift: number,
    fly: (flight: PatrolFlight) => Promise<PatrolResult>,
  ): Promise<PatrolOutcome> {
    const vehicle = this.mustBeConnected();
    if (this.runningPatrol)
      throw new UserError(`${this.id}: already on a patrol (${this.active?.plan.name})`);
    const running = this.run(vehicle, plan, record, seqShift, fly);
    this.runningPatrol = running;
    const forget = () => {
      this.runningPatrol = null;
    };
    running.then(forget, forget);
    return running;
  }

  private async run(
    vehicle: Vehicle,
    plan: SortiePlan,
    record: PatrolRecord,
    seqShift: number,
    fly: (flight: PatrolFlight) => Promise<PatrolResult>,
  ): Promise<PatrolOutcome> {
    const tlog = this.openFlightLog(vehicle, plan, record);
    // An adopted patrol raised alerts before the restart: count on from those in the store.
    this.alertsByFlight.set(record.flightId, this.ctx.alerts.store.countAlertsRaisedBy(record.flightId));
    const flight = new PatrolFlight(vehicle, plan.items, {
      ...this.ctx.patrol,
      fence: plan.mission.fence,
      rallyItems: plan.rallyItems,
      signal: this.detaching.signal,
    });
    this.reportFlight(flight, record, seqShift);
    const analytics = this.liveAnalytics(vehicle, record.flightId);
    this.active = { record, plan, flight, analytics };
    this.ctx.onProgress();
    try {
      analytics?.start();
      let result: PatrolResult;
      try {
        result = await fly(flight);
      } finally {
        await analytics?.stop();
      }
      const outcome = await this.closeLanded(record, result, tlog.path);
      this.lastOutcome = outcome;
      return outcome;
    } catch (err) {
      this.closeUnlanded(record, flight, err);
      throw err;
    } finally {
      this.link.recordTo(null);
      tlog.writer?.close();
      this.active = null;
      this.ctx.onProgress();
    }
  }

  /** The flight's tlog (every packet on the link from now on), and its flight and patrol records. */
  private openFlightLog(vehicle: Vehicle, plan: SortiePlan, record: PatrolRecord) {
    const tlogPath = path.resolve(this.ctx.dataDir, `${record.flightId}.tlog`);
    const writer = this.openTlog(tlogPath);
    this.link.recordTo(writer);
    this.ctx.alerts.registerFlight({
      id: record.flightId,
      name: `${this.id}: ${plan.name}`,
      tlogPath,
      vehicleSysid: vehicle.state.sysid,
      startedUs: record.startedUs,
    });
    this.ctx.alerts.savePatrol(record);
    return { path: tlogPath, writer };
  }

  /**
   * The flight's tlog, kept while its disk allows: a full disk costs the packets it could not take (the
   * pilot is told), never the flight; a log that cannot even be opened leaves the flight without one.
   */
  private openTlog(tlogPath: string): TlogWriter | null {
    const lostSince = { packets: 0 };
    try {
      fs.mkdirSync(this.ctx.dataDir, { recursive: true });
      const writer: TlogWriter = new TlogWriter(tlogPath, {
        onTrouble: (failing, err) => {
          if (failing) {
            lostSince.packets = writer.lostPackets - 1;
            const why =
              ioFailure(tlogPath, 'write the flight log', err)?.message ?? `${tlogPath}: ${err?.message}`;
            this.ctx.onEvent('warning', `${why}; packets go unrecorded until it can (the flight goes on)`);
          } else {
            const lost = writer.lostPackets - lostSince.packets;
            this.ctx.onEvent('info', `${tlogPath}: flight log written again (${lost} packets missing)`);
          }
        },
      });
      return writer;
    } catch (err) {
      const why =
        ioFailure(tlogPath, 'open the flight log', err)?.message ?? `${tlogPath}: ${(err as Error).message}`;
      this.ctx.onEvent('warning', `${why}; flying without a flight log`);
      return null;
    }
  }

  /** The vehicle's video through the plume pipeline, recorded beside the tlog; null without a stream. */
  private liveAnalytics(vehicle: Vehicle, flightId: string): LiveAnalytics | null {
    if (!this.config.videoUrl) return null;
    return new LiveAnalytics({
      link: this.link,
      sysid: vehicle.state.sysid,
      videoUrl: this.config.videoUrl,
      camera: this.config.camera,
      detector: this.ctx.detector,
      alerts: this.ctx.alerts,
      flightId,
      fps: this.ctx.analysis.fps,
      analysisWidthPx: this.ctx.analysis.widthPx,
      videoLatencyMs: this.config.videoLatencyMs,
      recordTo: (n) => this.recordingFile(flightId, n),
      onEvent: (level, text) => this.ctx.onEvent(level, text),
      onFault: (what, err) => this.ctx.onFault(what, err),
    });
  }

  /**
   * The file for the stream's n-th recording, or null while its disk has less than
   * RECORDING_MIN_FREE_BYTES free: ffmpeg decodes nothing when one of its outputs cannot be written, so a
   * recording on a full disk would cost the live analytics. The pilot is told when it stops and resumes.
   */
  private recordingFile(flightId: string, n: number): string | null {
    let freeBytes = Number.POSITIVE_INFINITY;
    try {
      fs.mkdirSync(this.ctx.dataDir, { recursive: true });
      const stats = fs.statfsSync(this.ctx.dataDir);
      freeBytes = stats.bavail * stats.bsize;
    } catch {
      // Unknown: try to record; a failure shows as a stream that restarts.
    }
    const room = freeBytes >= RECORDING_MIN_FREE_BYTES;
    if (room === this.recordingVideo) return room ? nextRecordingFile(this.ctx.dataDir, flightId, n) : null;
    this.recordingVideo = room;
    const mib = (bytes: number) => `${Math.floor(bytes / 2 ** 20)} MiB`;
    if (!room) {
      this.ctx.onEvent(
        'warning',
        `${this.ctx.dataDir}: ${mib(freeBytes)} free: the video is analysed but not recorded until there is ${mib(RECORDING_MIN_FREE_BYTES)}`,
      );
      return null;
    }
    this.ctx.onEvent('info', `${this.ctx.dataDir}: room again: recording the video`);
    return nextRecordingFile(this.ctx.dataDir, flightId, n);
  }

  /** The flight's progress into its stored record (so a restart can adopt it), its events to the pilot. */
  private reportFlight(flight: PatrolFlight, record: PatrolRecord, seqShift: number): void {
    flight.on(
      'progress',
      this.guard("recording the patrol's progress", (progress: PatrolProgress) => {
        const reached = progress.lastReachedSeq;
        record.status = progress.status;
        if (reached !== null)
          record.lastReachedSeq = Math.max(record.lastReachedSeq ?? 0, reached - seqShift);
        record.updatedUs = Date.now() * 1000;
        this.ctx.alerts.savePatrol(record);
        this.ctx.onProgress();
      }),
    );
    flight.on(
      'checks',
      this.guard('reporting the pre-flight checks', (checks: PreflightCheck[]) => {
        const failed = checks.filter((c) => !c.ok);
        if (failed.length === 0) this.ctx.onEvent('info', `pre-flight checks passed (${checks.length})`);
        else
          this.ctx.onEvent(
            'error',
            `pre-flight checks failed: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`,
          );
      }),
    );
    flight.on(
      'reached',
      this.guard('reporting a waypoint reached', (seq: number, lastSeq: number) =>
        this.ctx.onEvent('info', `reached waypoint ${seq}/${lastSeq}`),
      ),
    );
    flight.on(
      'statusText',
      this.guard("reporting the vehicle's message", (text: StatusText) => {
        if (text.severity <= MAV_SEVERITY_WARNING) this.ctx.onEvent('warning', `vehicle says: ${text.text}`);
      }),
    );
    // Notices come from the link's packets and from the patrol's timers (the link-loss warning).
    flight.on(
      'notice',
      this.guard("reporting the patrol's notice", (notice: PatrolNotice) =>
        this.ctx.onEvent(levelOf(notice), notice.message),
      ),
    );
  }

  /** The patrol landed (or was aborted and landed): its record closed, its recordings stamped. */
  private async closeLanded(
    record: PatrolRecord,
    result: PatrolResult,
    tlogPath: string,
  ): Promise<PatrolOutcome> {
    record.status = result.ending === 'aborted' ? 'aborted' : 'landed';
    record.outcome = result.ending;
    record.endedUs = Date.now() * 1000;
    record.updatedUs = record.endedUs;
    this.ctx.alerts.savePatrol(record);
    const videoFiles = await finishRecordings(this.ctx.dataDir, record.flightId, (text) =>
      this.ctx.onEvent('warning', text),
    );
    this.ctx.alerts.registerFlight({
      id: record.flightId,
      endedUs: record.endedUs,
      videoPath: videoFiles[0],
    });
    return {
      result,
      record,
      tlogPath,
      videoFiles,
      alertsRaised: this.alertsByFlight.get(record.flightId) ?? 0,
    };
  }

  /**
   * The patrol ended without landing under our eyes: a patrol that never flew is closed; one whose
   * vehicle may still be flying stays open, so that a restart adopts it.
   */
  private closeUnlanded(record: PatrolRecord, flight: PatrolFlight, err: unknown): void {
    record.status = flight.status;
    if (!(flight.launched && this.vehicle?.state.armed)) {
      record.outcome = `did not fly: ${(err as Error)?.message ?? err}`;
      record.endedUs = Date.now() * 1000;
      record.updatedUs = record.endedUs;
    }
    this.ctx.alerts.savePatrol(record);
  }
}

function levelOf(notice: PatrolNotice): 'info' | 'warning' {
  return notice.kind === 'paused' || notice.kind === 'resumed' || notice.kind === 'link-regained'
    ? 'info'
    : 'warning';
}
