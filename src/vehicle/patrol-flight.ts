import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../clock.js';
import { UserError } from '../errors.js';
import { LINK_TIMING, type MissionItem } from '../mavlink/index.js';
import { type GeoFence, toFenceItems } from '../plan/index.js';
import { isMissionMode } from './flight-modes.js';
import { fenceBreach, fenceIsEmpty, reportedBreach } from './geofence-check.js';
import { type LinkFailsafe, readLinkFailsafe } from './link-failsafe.js';
import {
  isAirborne,
  isLeavingMode,
  type PatrolEnding,
  type PatrolFailsafe,
  type PatrolNotice,
  type PatrolNoticeKind,
  type PatrolProgress,
  type PatrolResult,
  type PatrolStatus,
  patrolStatus,
} from './patrol-status.js';
import type { PreflightCheck } from './preflight.js';
import { watchReachedItems } from './reached-items.js';
import { Sortie } from './sortie.js';
import {
  checkPilotCommand,
  isAirState,
  isFinalState,
  type PilotCommand,
  type SortieState,
} from './sortie-state.js';
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
  /** Timers for the link-loss warning and the wait for landing (default: the vehicle's, its link's clock). */
  clock?: Clock;
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

/**
 * One patrol sortie on one vehicle, run by a Sortie (the state machine `fly` shares): `fly()` launches
 * it (upload, checks, arm, take-off, AUTO); `adopt()` follows a flight already in the air instead (a
 * daemon restarted mid-flight). Either way it follows the flight to landing, takes the pilot's pause,
 * resume and abort (refused with one line where the state does not take them, see checkPilotCommand),
 * and watches the battery reserve, the geofence and the link. `items` has home at seq 0.
 *
 * Events: 'progress' (on every change of status, mode, seq or link), 'notice' (a sentence for the
 * pilot: failsafes, link, commands), 'reached', 'uploadProgress', 'checks', 'statusText'.
 */
export class PatrolFlight extends EventEmitter<PatrolFlightEvents> {
  /** What the vehicle itself does on link loss, read when the patrol starts; null until then. */
  linkFailsafe: LinkFailsafe | null = null;
  private readonly sortie: Sortie;
  private lastReached: number | null = null;
  /** Why the mission is ending early, once it is: the pilot's abort, a failsafe, the vehicle itself. */
  private cause: Cause | null = null;
  private readonly notices: PatrolNotice[] = [];
  private readonly acted = new Set<PatrolFailsafe>();
  private readonly acting = new Set<PatrolFailsafe>();
  private pilotCommand: PilotCommand | null = null;
  private linkLost = false;
  /** When the link fell silent, on the link's monotonic clock (a wall clock step does not move it). */
  private silenceStartMs = 0;
  private warningTimer: TimerHandle | null = null;
  private lastFixUs = -1;
  private lastProgressKey = '';
  private readonly warnAfterMs: number;
  private readonly clock: Clock;
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
    this.clock = options.clock ?? vehicle.clock;
    this.sortie = new Sortie(vehicle, items, {
      minBatteryPct: options.minBatteryPct,
      fenceItems: fenceIsEmpty(options.fence) ? [] : toFenceItems(options.fence as GeoFence),
      rallyItems: options.rallyItems,
      signal: options.signal,
      label: 'patrol',
      clock: this.clock,
    });
    this.sortie.on('state', (state) => {
      this.emitProgress();
      if (isFinalState(state)) this.detach();
    });
    this.sortie.on('change', () => this.updateFromVehicle());
    this.sortie.on('uploadProgress', (done, total) => this.emit('uploadProgress', done, total));
    this.sortie.on('checks', (checks) => this.emit('checks', checks));
  }

  /** The sortie's state (the state machine's own name for it). */
  get state(): SortieState {
    return this.sortie.state;
  }

  /** The state as the pilot, the daemon and the patrol records say it. */
  get status(): PatrolStatus {
    return patrolStatus(this.sortie.state);
  }

  /** This patrol armed the vehicle (or adopted its flight): if it is armed now, it flies this patrol. */
  get launched(): boolean {
    return this.sortie.launched;
  }

  get progress(): PatrolProgress {
    const s = this.vehicle.state;
    return {
      status: this.status,
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
    const inAir = await this.sortie.launch(async (signal) => {
      this.linkFailsafe = await readLinkFailsafe(this.vehicle, signal);
    });
    // Stopped before take-off (the pilot's abort): the sortie never flew.
    if (!inAir) return this.finish('aborted');
    this.updateFromVehicle();
    return this.follow();
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
    this.lastReached = lastReachedSeq;
    this.begin();
    const { vehicle } = this;
    await this.sortie.adopt(lastReachedSeq ?? 0);
    // Never throws: what it could not read, it says so.
    this.linkFailsafe = await readLinkFailsafe(vehicle, this.options.signal);
    if (isLeavingMode(vehicle.state.modeName)) {
      this.cause = { ending: 'vehicle', text: `it was already in ${vehicle.state.modeName} when adopted` };
      this.notice('vehicle', `adopted in ${vehicle.state.modeName}: the vehicle is already going home`);
    }
    this.sortie.enterAir();
    this.updateFromVehicle();
    return this.follow();
  }

  /** Holds position (LOITER); resolves once the vehicle has taken the mode. */
  async pause(): Promise<void> {
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
    await this.command('resume', async () => {
      await this.vehicle.setMode('AUTO');
      this.updateFromVehicle();
      this.notice('resumed', `resumed: continuing the mission at item ${this.itemText()}`);
    });
  }

  /**
   * Sends the vehicle home (RTL) and ends the mission; before this patrol armed it, it cancels the
   * sortie instead. Resolves once the vehicle has taken RTL (or disarmed, on the ground).
   */
  async abort(): Promise<void> {
    this.checkCommand('abort');
    this.cause = { ending: 'aborted', text: 'aborted by the pilot' };
    this.sortie.stopLaunch();
    const { vehicle } = this;
    try {
      if (!(vehicle.state.armed && this.sortie.launched)) {
        this.notice('aborted', 'aborted by the pilot before take-off: the sortie will not start');
      } else if (!isAirborne(vehicle.state)) {
        this.sortie.enterAir();
        await vehicle.disarm();
        this.notice('aborted', 'aborted by the pilot on the ground: disarmed');
      } else {
        this.sortie.enterAir();
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
    if (this.sortie.state !== 'idle')
      throw new UserError('patrol: this flight was already started; make a new PatrolFlight');
    this.watch();
  }

  /** Waits for the landing (disarm) and reports how the patrol ended. */
  private async follow(): Promise<PatrolResult> {
    await this.sortie.follow();
    return this.finish(this.cause?.ending === 'aborted' ? 'aborted' : 'landed');
  }

  private finish(state: 'landed' | 'aborted'): PatrolResult {
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
    const summary = this.sortie.end(state);
    return {
      ...summary,
      lastReachedSeq: this.lastReached,
      ending: ending.ending,
      endingText: ending.text,
      notices: [...this.notices],
      adopted: this.sortie.adopted,
    };
  }

  /** Subscribes to the vehicle for seqs, its messages, failsafes and the link; undone by `detach`. */
  private watch(): void {
    const { vehicle } = this;
    const onReached = (seq: number) => {
      this.lastReached = seq;
      this.emit('reached', seq, this.items.length - 1);
      this.emitProgress();
    };
    const onText = (text: StatusText) => this.emit('statusText', text);
    const onLost = () => this.onLinkLost();
    const onRegained = () => this.onLinkRegained();
    // Home (seq 0) is not flown to; an adopted flight reached its items up to lastReached before.
    const unwatchReached = watchReachedItems(vehicle, this.items, this.lastReached ?? 0, onReached);
    vehicle.on('statustext', onText);
    vehicle.on('lost', onLost);
    vehicle.on('regained', onRegained);
    const unsubscribe = vehicle.link.onMessage((rx) => {
      if (rx.sysid !== vehicle.state.sysid) return;
      const breach = reportedBreach(rx);
      if (breach && this.watchesFailsafes()) this.failsafe('geofence', `geofence breached: ${breach}`);
    });
    this.detachers.push(() => {
      unwatchReached();
      vehicle.off('statustext', onText);
      vehicle.off('lost', onLost);
      vehicle.off('regained', onRegained);
      unsubscribe();
    });
  }

  private detach(): void {
    this.clearWarning();
    for (const undo of this.detachers.splice(0)) undo();
  }

  /**
   * On every telemetry change (after the sortie's state has followed it): the vehicle leaving the
   * mission on its own, the failsafes.
   */
  private updateFromVehicle(): void {
    const state = this.vehicle.state;
    if (
      isAirState(this.sortie.state) &&
      state.armed &&
      this.cause === null &&
      isLeavingMode(state.modeName)
    ) {
      const said = this.vehicle.lastStatusText();
      this.cause = { ending: 'vehicle', text: `the vehicle switched to ${state.modeName} on its own` };
      this.notice(
        'vehicle',
        `the vehicle left the mission for ${state.modeName} on its own` +
          (said ? ` (it said: ${said.text})` : ''),
      );
    }
    if (this.watchesFailsafes()) this.checkFailsafes();
    this.emitProgress();
  }

  /** The failsafes act on this patrol's own flight, in the air, until the sortie ends. */
  private watchesFailsafes(): boolean {
    return this.sortie.launched && isAirborne(this.vehicle.state) && !isFinalState(this.sortie.state);
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
    const state = this.sortie.state;
    if (this.cause || state === 'returning' || state === 'landing') {
      this.acted.add(kind);
      this.notice(kind, `${reason}; the vehicle is already going home (${this.cause?.text ?? this.status})`);
      return;
    }
    this.acting.add(kind);
    this.cause = { ending: kind, text: reason };
    this.sortie.stopLaunch();
    this.sortie.enterAir();
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
    const link = this.vehicle.link;
    this.silenceStartMs = link.clock.nowMs() - (link.silentMs(state.sysid, state.compid) ?? 0);
    this.notice(
      'link-lost',
      `link lost: no heartbeat for ${LINK_TIMING.vehicleLostAfterMs / 1000} s ` +
        `(last seen in ${state.modeName} at item ${this.itemText()}); waiting for it to come back`,
    );
    const silentMs = link.clock.nowMs() - this.silenceStartMs;
    this.warningTimer = this.clock.setTimeout(
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
    this.clearWarning();
    this.linkLost = false;
    const silentS = (this.vehicle.link.clock.nowMs() - this.silenceStartMs) / 1000;
    this.notice('link-regained', `link back after ${silentS.toFixed(0)} s without heartbeats`);
    this.emitProgress();
  }

  private clearWarning(): void {
    if (this.warningTimer !== null) this.clock.clearTimeout(this.warningTimer);
    this.warningTimer = null;
  }

  /** Refuses a command the patrol's state does not take, with the line the pilot reads. */
  private checkCommand(command: PilotCommand): void {
    checkPilotCommand(command, {
      state: this.sortie.state,
      status: this.status,
      endingText: this.cause?.text ?? null,
      linkLost: this.linkLost,
      airborne: isAirborne(this.vehicle.state),
      modeName: this.vehicle.state.modeName,
      busy: this.pilotCommand,
    });
  }

  /** Pause and resume: checked, then one at a time (abort never waits for them). */
  private async command(name: 'pause' | 'resume', run: () => Promise<void>): Promise<void> {
    this.checkCommand(name);
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

  private notice(kind: PatrolNoticeKind, message: string): void {
    const notice = { kind, message, timeUs: this.vehicle.link.nowUs() };
    this.notices.push(notice);
    this.emit('notice', notice);
  }

  private emitProgress(): void {
    // Adopting waits for a first heartbeat before it knows what it follows.
    if (this.status === 'idle') return;
    const progress = this.progress;
    const key = JSON.stringify(progress);
    if (key === this.lastProgressKey) return;
    this.lastProgressKey = key;
    this.emit('progress', progress);
  }
}
