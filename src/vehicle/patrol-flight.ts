import { EventEmitter } from 'node:events';
import { UserError } from '../errors.js';
import { LINK_TIMING, type MissionItem } from '../mavlink/index.js';
import { type GeoFence, toFenceItems } from '../plan/index.js';
import { isMissionMode } from './flight-modes.js';
import {
  armInGuided,
  checkBeforeFlight,
  FlightRecorder,
  takeOff,
  takeoffAltitudeRelM,
  uploadPlan,
  waitForLanding,
  waitReadyToArm,
} from './flight-stages.js';
import { fenceBreach, fenceIsEmpty, reportedBreach } from './geofence-check.js';
import { type LinkFailsafe, readLinkFailsafe } from './link-failsafe.js';
import {
  airStatus,
  FINAL_STATUSES,
  isAirborne,
  isLeavingMode,
  type PatrolEnding,
  type PatrolFailsafe,
  type PatrolNotice,
  type PatrolNoticeKind,
  type PatrolProgress,
  type PatrolResult,
  type PatrolStatus,
} from './patrol-status.js';
import type { PreflightCheck } from './preflight.js';
import type { StatusText } from './state.js';
import type { Vehicle } from './vehicle.js';

export interface PatrolOptions {
  /** Lowest battery charge the sortie may start with (pre-flight check). */
  minBatteryPct: number;
  /** In the air, at or below this charge the patrol sends the vehicle home (RTL). */
  reserveBatteryPct: number;
  /**
   * The plan's geofence: uploaded to the vehicle when the patrol starts it, and checked against every
   * reported position (for autopilots that do not enforce or report one). Empty or left out: neither.
   */
  fence?: GeoFence;
  /** Rally points (MAV_MISSION_TYPE_RALLY items) sent before the mission; empty: left as is. */
  rallyItems?: MissionItem[];
  /** Link silence, seconds, after which the pilot is told what the vehicle's own failsafe does. */
  linkLossWarnAfterS?: number;
  /** Stops following (status 'detached'); the vehicle flies on and a later patrol can adopt it. */
  signal?: AbortSignal;
}

export interface PatrolFlightEvents {
  progress: [progress: PatrolProgress];
  notice: [notice: PatrolNotice];
  reached: [seq: number, lastSeq: number];
  uploadProgress: [done: number, total: number];
  checks: [checks: PreflightCheck[]];
  statusText: [text: StatusText];
}

interface Cause {
  ending: PatrolEnding;
  text: string;
}

const LAUNCH_STATUSES: ReadonlySet<PatrolStatus> = new Set([
  'idle',
  'uploading',
  'checks',
  'arming',
  'taking off',
]);

/**
 * One patrol sortie on one vehicle: `fly()` uploads, checks, arms, takes off and flies the mission in
 * AUTO (the stages of `flyMission`); `adopt()` follows a flight already in the air instead (a daemon
 * restarted mid-flight). Either way it follows the flight to landing, takes the pilot's pause, resume
 * and abort, and watches the battery reserve, the geofence and the link. `items` has home at seq 0.
 *
 * Events: 'progress' (on every change of status, mode, seq or link), 'notice' (a sentence for the
 * pilot: failsafes, link, commands), 'reached', 'uploadProgress', 'checks', 'statusText'.
 */
export class PatrolFlight extends EventEmitter<PatrolFlightEvents> {
  /** What the vehicle itself does on link loss, read when the patrol starts; null until then. */
  linkFailsafe: LinkFailsafe | null = null;
  private statusValue: PatrolStatus = 'idle';
  private started = false;
  /** True once the vehicle is in the air under the mission (or sent home from the launch). */
  private inAir = false;
  private armingStarted = false;
  private adopted = false;
  private lastReached: number | null = null;
  private cause: Cause | null = null;
  private readonly notices: PatrolNotice[] = [];
  /** Cancels the launch stages when the pilot aborts or a failsafe sends the vehicle home. */
  private readonly launch = new AbortController();
  private readonly acted = new Set<PatrolFailsafe>();
  private readonly acting = new Set<PatrolFailsafe>();
  private pilotCommand: string | null = null;
  private linkLost = false;
  private silenceStartUs = 0;
  private warningTimer: NodeJS.Timeout | null = null;
  private lastFixUs = -1;
  private lastProgressKey = '';
  private readonly warnAfterMs: number;
  private readonly detachers: (() => void)[] = [];

  constructor(
    readonly vehicle: Vehicle,
    readonly items: MissionItem[],
    private readonly options: PatrolOptions,
  ) {
    super();
    if (items.length < 2) throw new UserError('patrol: the mission has no items after home (seq 0)', 2);
    for (const [name, pct] of [
      ['minBatteryPct', options.minBatteryPct],
      ['reserveBatteryPct', options.reserveBatteryPct],
    ] as const) {
      if (!(pct >= 0 && pct <= 100))
        throw new UserError(`patrol: ${name} ${pct} must be a percentage 0-100`, 2);
    }
    const warnAfterS = options.linkLossWarnAfterS ?? LINK_TIMING.linkLossWarningMs / 1000;
    if (!(warnAfterS > 0))
      throw new UserError(`patrol: linkLossWarnAfterS ${warnAfterS} must be positive`, 2);
    this.warnAfterMs = warnAfterS * 1000;
  }

  get status(): PatrolStatus {
    return this.statusValue;
  }

  /** This patrol armed the vehicle (or adopted its flight): if it is armed now, it flies this patrol. */
  get launched(): boolean {
    return this.armingStarted || this.adopted;
  }

  get progress(): PatrolProgress {
    const s = this.vehicle.state;
    return {
      status: this.statusValue,
      modeName: s.modeName,
      lastReachedSeq: this.lastReached,
      currentSeq: s.missionCurrentSeq,
      totalItems: this.items.length - 1,
      ending: this.cause?.ending ?? null,
      linkLost: this.linkLost,
    };
  }

  /** Uploads the plan, checks, arms, takes off, flies the mission and follows it to landing. */
  async fly(): Promise<PatrolResult> {
    this.begin();
    const { vehicle, items, options } = this;
    if (vehicle.state.armed) throw this.fail(alreadyFlying(vehicle));
    const launchSignal = this.launchSignal();
    const failsafeRead = readLinkFailsafe(vehicle, launchSignal);
    let recorder: FlightRecorder | null = null;
    try {
      this.setStatus('uploading');
      await uploadPlan(vehicle, items, {
        fenceItems: fenceIsEmpty(options.fence) ? [] : toFenceItems(options.fence as GeoFence),
        rallyItems: options.rallyItems,
        signal: launchSignal,
        onProgress: (done, total) => this.emit('uploadProgress', done, total),
      });
      this.linkFailsafe = await failsafeRead;
      this.setStatus('checks');
      await waitReadyToArm(vehicle, launchSignal);
      await checkBeforeFlight(vehicle, items, options.minBatteryPct, launchSignal, (checks) =>
        this.emit('checks', checks),
      );
      if (vehicle.state.armed) throw alreadyFlying(vehicle);
      recorder = new FlightRecorder(vehicle);
      this.setStatus('arming');
      this.armingStarted = true;
      await armInGuided(vehicle, launchSignal);
      this.setStatus('taking off');
      await takeOff(vehicle, takeoffAltitudeRelM(items), launchSignal);
      await vehicle.setMode('AUTO', launchSignal);
      this.inAir = true;
      this.updateFromVehicle();
    } catch (err) {
      // Aborted or sent home by a failsafe during the launch: follow it down if it is armed.
      const stoppedByUs = this.launch.signal.aborted && !options.signal?.aborted;
      if (!stoppedByUs) {
        recorder?.detach();
        throw this.fail(err);
      }
      if (!vehicle.state.armed) return this.finish(recorder ?? new FlightRecorder(vehicle), 'aborted');
    }
    return this.follow(recorder ?? new FlightRecorder(vehicle));
  }

  /**
   * Follows a flight already in the air (armed, in AUTO, LOITER, RTL…) without uploading or arming:
   * the same commands and failsafes, to landing. `lastReachedSeq` is the last seq known reached before.
   */
  async adopt(lastReachedSeq: number | null): Promise<PatrolResult> {
    if (lastReachedSeq !== null && !(Number.isInteger(lastReachedSeq) && lastReachedSeq >= 0)) {
      throw new UserError(`patrol: lastReachedSeq ${lastReachedSeq} is not a mission seq`, 2);
    }
    if (lastReachedSeq !== null && lastReachedSeq >= this.items.length) {
      throw new UserError(
        `patrol: lastReachedSeq ${lastReachedSeq} is past the mission's last item (${this.items.length - 1})`,
        2,
      );
    }
    this.begin();
    this.adopted = true;
    this.lastReached = lastReachedSeq;
    const { vehicle } = this;
    try {
      await vehicle.waitUntil((s) => s.lastHeartbeatUs > 0, {
        timeoutMs: LINK_TIMING.vehicleLostAfterMs,
        what: 'heard (heartbeat)',
        signal: this.options.signal,
      });
      if (!vehicle.state.armed) {
        throw new UserError(
          `cannot adopt the flight: the vehicle is not armed (mode ${vehicle.state.modeName}); ` +
            'there is no flight to follow',
        );
      }
      this.linkFailsafe = await readLinkFailsafe(vehicle, this.options.signal);
    } catch (err) {
      throw this.fail(err);
    }
    if (isLeavingMode(vehicle.state.modeName)) {
      this.cause = { ending: 'vehicle', text: `it was already in ${vehicle.state.modeName} when adopted` };
      this.notice('vehicle', `adopted in ${vehicle.state.modeName}: the vehicle is already going home`);
    }
    this.inAir = true;
    this.updateFromVehicle();
    return this.follow(new FlightRecorder(vehicle));
  }

  /** Holds position (LOITER); resolves once the vehicle has taken the mode. */
  async pause(): Promise<void> {
    this.refuseUnlessInMission('pause');
    if (this.statusValue === 'paused') throw new UserError('cannot pause: the patrol is already paused');
    await this.command('pause', async () => {
      await this.vehicle.pause();
      this.updateFromVehicle();
      this.notice(
        'paused',
        `paused at item ${this.itemText()}: holding position in ${this.vehicle.state.modeName}`,
      );
    });
  }

  /** Back to AUTO, continuing the mission where it was; resolves once the vehicle has taken the mode. */
  async resume(): Promise<void> {
    this.refuseIfOver('resume');
    if (this.statusValue !== 'paused') {
      throw new UserError(`cannot resume: the patrol is not paused (it is ${this.statusValue})`);
    }
    if (this.cause) throw new UserError(`cannot resume: the mission was ended (${this.cause.text})`);
    this.refuseIfLinkLost('resume');
    await this.command('resume', async () => {
      await this.vehicle.setMode('AUTO');
      this.updateFromVehicle();
      this.notice('resumed', `resumed: continuing the mission at item ${this.itemText()}`);
    });
  }

  /**
   * Sends the vehicle home (RTL) and ends the mission; before arming it cancels the sortie instead.
   * Resolves once the vehicle has taken RTL (or disarmed, on the ground).
   */
  async abort(): Promise<void> {
    this.refuseIfOver('abort');
    if (!this.started) throw new UserError('cannot abort: the patrol has not started');
    if (this.cause)
      throw new UserError(`cannot abort: the vehicle is already going home (${this.cause.text})`);
    if (this.statusValue === 'returning' || this.statusValue === 'landing') {
      throw new UserError(
        `cannot abort: the vehicle is already ${this.statusValue} (mode ${this.vehicle.state.modeName})`,
      );
    }
    this.cause = { ending: 'aborted', text: 'aborted by the pilot' };
    this.launch.abort();
    const { vehicle } = this;
    if (vehicle.state.armed) this.inAir = true;
    try {
      if (!vehicle.state.armed) {
        this.notice('aborted', 'aborted by the pilot before take-off: the sortie will not start');
      } else if (!isAirborne(vehicle.state)) {
        await vehicle.disarm();
        this.notice('aborted', 'aborted by the pilot on the ground: disarmed');
      } else {
        this.refuseIfLinkLost('abort');
        await vehicle.setMode('RTL');
        this.updateFromVehicle();
        this.notice('aborted', `aborted by the pilot at item ${this.itemText()}: returning to launch (RTL)`);
      }
    } catch (err) {
      this.cause = null;
      throw err;
    }
  }

  private begin(): void {
    if (this.started) throw new UserError('patrol: this flight was already started; make a new PatrolFlight');
    this.started = true;
    this.watch();
  }

  private launchSignal(): AbortSignal {
    return this.options.signal
      ? AbortSignal.any([this.launch.signal, this.options.signal])
      : this.launch.signal;
  }

  /** Waits for the landing (disarm) and reports how the patrol ended. */
  private async follow(recorder: FlightRecorder): Promise<PatrolResult> {
    try {
      await waitForLanding(this.vehicle, this.options.signal);
    } catch (err) {
      recorder.detach();
      throw this.fail(err);
    }
    return this.finish(recorder, this.cause?.ending === 'aborted' ? 'aborted' : 'landed');
  }

  private finish(recorder: FlightRecorder, status: 'landed' | 'aborted'): PatrolResult {
    const mode = this.vehicle.state.modeName;
    const completed = this.cause === null && isMissionMode(mode);
    const unseen = `landed in ${mode} without finishing the mission`;
    const ending = this.cause ?? {
      ending: completed ? 'completed' : 'vehicle',
      text: completed ? 'the mission ran to its end' : `it ${unseen}`,
    };
    if (!this.cause && !completed) {
      // It left the mission unseen (during a link loss): say so once.
      const said = this.vehicle.lastStatusText();
      this.notice('vehicle', `the vehicle ${unseen}${said ? ` (it said: ${said.text})` : ''}`);
    }
    recorder.detach();
    this.setStatus(status);
    this.detach();
    return {
      ...recorder.summary(this.items.length - 1),
      lastReachedSeq: this.lastReached,
      ending: ending.ending,
      endingText: ending.text,
      notices: [...this.notices],
      adopted: this.adopted,
    };
  }

  private fail(err: unknown): unknown {
    this.launch.abort();
    // Stopped by the caller with the vehicle flying: it flies on, and a later patrol may adopt it.
    this.setStatus(this.options.signal?.aborted && this.vehicle.state.armed ? 'detached' : 'failed');
    this.detach();
    return err;
  }

  /** Subscribes to the vehicle for progress, failsafes and the link; undone by `detach`. */
  private watch(): void {
    const { vehicle } = this;
    const onChange = () => this.updateFromVehicle();
    const onReached = (seq: number) => {
      this.lastReached = seq;
      this.emit('reached', seq, this.items.length - 1);
      this.emitProgress();
    };
    const onText = (text: StatusText) => this.emit('statusText', text);
    const onLost = () => this.onLinkLost();
    const onRegained = () => this.onLinkRegained();
    vehicle.on('change', onChange);
    vehicle.on('reached', onReached);
    vehicle.on('statustext', onText);
    vehicle.on('lost', onLost);
    vehicle.on('regained', onRegained);
    const unsubscribe = vehicle.link.onMessage((rx) => {
      if (rx.sysid !== vehicle.state.sysid) return;
      const breach = reportedBreach(rx);
      if (breach && isAirborne(vehicle.state)) this.failsafe('geofence', `geofence breached: ${breach}`);
    });
    this.detachers.push(() => {
      vehicle.off('change', onChange);
      vehicle.off('reached', onReached);
      vehicle.off('statustext', onText);
      vehicle.off('lost', onLost);
      vehicle.off('regained', onRegained);
      unsubscribe();
    });
  }

  private detach(): void {
    if (this.warningTimer) clearTimeout(this.warningTimer);
    this.warningTimer = null;
    for (const undo of this.detachers.splice(0)) undo();
  }

  /** On every telemetry change: the in-air status, the vehicle leaving the mission, the failsafes. */
  private updateFromVehicle(): void {
    const state = this.vehicle.state;
    if (this.inAir && !FINAL_STATUSES.has(this.statusValue) && state.armed) {
      this.setStatus(airStatus(state, this.items));
      if (this.cause === null && isLeavingMode(state.modeName)) {
        const said = this.vehicle.lastStatusText();
        this.cause = { ending: 'vehicle', text: `the vehicle switched to ${state.modeName} on its own` };
        this.notice(
          'vehicle',
          `the vehicle left the mission for ${state.modeName} on its own` +
            (said ? ` (it said: ${said.text})` : ''),
        );
      }
    }
    if (isAirborne(state) && !FINAL_STATUSES.has(this.statusValue)) this.checkFailsafes();
    this.emitProgress();
  }

  private checkFailsafes(): void {
    const state = this.vehicle.state;
    const { reserveBatteryPct, fence } = this.options;
    const pct = state.battery?.remainingPct ?? null;
    if (pct !== null && pct <= reserveBatteryPct) {
      this.failsafe('battery-reserve', `battery at ${pct} %, at or below the ${reserveBatteryPct} % reserve`);
    }
    const position = state.position;
    if (fence && position && position.timeUs !== this.lastFixUs) {
      this.lastFixUs = position.timeUs;
      const breach = fenceBreach(fence, position);
      if (breach) this.failsafe('geofence', `geofence breached: the vehicle is ${breach}`);
    }
  }

  /** Acts on a failsafe once: RTL, unless the vehicle is already going home. */
  private failsafe(kind: PatrolFailsafe, reason: string): void {
    if (this.acted.has(kind) || this.acting.has(kind)) return;
    if (this.cause?.ending === 'vehicle') {
      // The vehicle went home on its own a moment ago; this explains why (its own fence, its battery).
      this.cause = { ending: kind, text: reason };
      this.acted.add(kind);
      this.notice(kind, `${reason}; the vehicle is already going home (${this.vehicle.state.modeName})`);
      return;
    }
    if (this.cause || this.statusValue === 'returning' || this.statusValue === 'landing') {
      this.acted.add(kind);
      this.notice(
        kind,
        `${reason}; the vehicle is already going home (${this.cause?.text ?? this.statusValue})`,
      );
      return;
    }
    this.acting.add(kind);
    this.cause = { ending: kind, text: reason };
    this.launch.abort();
    this.inAir = true;
    this.notice(kind, `${reason}: returning to launch (RTL)`);
    this.vehicle.setMode('RTL').then(
      () => {
        this.acting.delete(kind);
        this.acted.add(kind);
        this.updateFromVehicle();
      },
      (err: Error) => {
        // Not acted on yet: the next telemetry tries again.
        this.acting.delete(kind);
        if (this.cause?.ending === kind) this.cause = null;
        this.notice(kind, `${reason}, but RTL failed: ${err.message}; trying again`);
      },
    );
  }

  private onLinkLost(): void {
    const state = this.vehicle.state;
    this.linkLost = true;
    this.silenceStartUs = state.lastHeartbeatUs || this.vehicle.link.nowUs();
    this.notice(
      'link-lost',
      `link lost: no heartbeat for ${LINK_TIMING.vehicleLostAfterMs / 1000} s ` +
        `(last seen in ${state.modeName} at item ${this.itemText()}); waiting for it to come back`,
    );
    const silentMs = (this.vehicle.link.nowUs() - this.silenceStartUs) / 1000;
    this.warningTimer = setTimeout(
      () => {
        this.warningTimer = null;
        this.notice(
          'link-warning',
          `no link for ${this.warnAfterMs / 1000} s: ` +
            (this.linkFailsafe?.description ?? "the vehicle's link-loss failsafe settings were not read"),
        );
      },
      Math.max(0, this.warnAfterMs - silentMs),
    );
    this.emitProgress();
  }

  private onLinkRegained(): void {
    if (this.warningTimer) clearTimeout(this.warningTimer);
    this.warningTimer = null;
    this.linkLost = false;
    const silentS = (this.vehicle.link.nowUs() - this.silenceStartUs) / 1e6;
    this.notice('link-regained', `link back after ${silentS.toFixed(0)} s without heartbeats`);
    this.emitProgress();
  }

  private refuseIfOver(what: string): void {
    if (FINAL_STATUSES.has(this.statusValue)) {
      throw new UserError(`cannot ${what}: the patrol is over (${this.statusValue})`);
    }
  }

  private refuseIfLinkLost(what: string): void {
    if (this.linkLost)
      throw new UserError(`cannot ${what}: no link to the vehicle (it follows its own failsafe)`);
  }

  private refuseUnlessInMission(what: string): void {
    this.refuseIfOver(what);
    if (LAUNCH_STATUSES.has(this.statusValue)) {
      throw new UserError(`cannot ${what} while ${this.statusValue}: the mission has not started yet`);
    }
    if (this.cause) throw new UserError(`cannot ${what}: the vehicle is going home (${this.cause.text})`);
    if (this.statusValue === 'returning' || this.statusValue === 'landing') {
      throw new UserError(`cannot ${what}: the vehicle is ${this.statusValue} (the mission's end)`);
    }
    this.refuseIfLinkLost(what);
  }

  /** One pilot command at a time (abort excepted: it never waits for another). */
  private async command(name: string, run: () => Promise<void>): Promise<void> {
    if (this.pilotCommand) throw new UserError(`cannot ${name}: ${this.pilotCommand} is still in progress`);
    this.pilotCommand = name;
    try {
      await run();
    } finally {
      this.pilotCommand = null;
    }
  }

  private itemText(): string {
    return `${this.vehicle.state.missionCurrentSeq ?? '?'}/${this.items.length - 1}`;
  }

  private setStatus(status: PatrolStatus): void {
    if (this.statusValue === status) return;
    this.statusValue = status;
    this.emitProgress();
  }

  private notice(kind: PatrolNoticeKind, message: string): void {
    const notice = { kind, message, timeUs: this.vehicle.link.nowUs() };
    this.notices.push(notice);
    this.emit('notice', notice);
  }

  private emitProgress(): void {
    // Adopting waits for a first heartbeat before it knows what it follows.
    if (this.statusValue === 'idle') return;
    const progress = this.progress;
    const key = JSON.stringify(progress);
    if (key === this.lastProgressKey) return;
    this.lastProgressKey = key;
    this.emit('progress', progress);
  }
}

function alreadyFlying(vehicle: Vehicle): UserError {
  return new UserError(
    `the vehicle is already armed (mode ${vehicle.state.modeName}), on a flight this patrol did not start: ` +
      'land it before starting one',
  );
}
