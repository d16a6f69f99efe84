import { EventEmitter } from 'node:events';
import type { Clock } from '../clock.js';
import { CancelledError, UserError } from '../errors.js';
import { LINK_TIMING, type MissionItem } from '../mavlink/index.js';
import {
  armInGuided,
  checkBeforeFlight,
  FlightRecorder,
  type FlightSummary,
  takeOff,
  takeoffAltitudeRelM,
  uploadPlan,
  waitForLanding,
  waitReadyToArm,
} from './flight-stages.js';
import { airState } from './patrol-status.js';
import type { PreflightCheck } from './preflight.js';
import { isAirState, isFinalState, SortieMachine, type SortieState } from './sortie-state.js';
import type { Vehicle } from './vehicle.js';

export interface SortieOptions {
  /** Lowest battery charge the sortie may start with (pre-flight check). */
  minBatteryPct: number;
  /** Geofence and rally items (MAV_MISSION_TYPE_FENCE / _RALLY) sent before the mission; empty: left as is. */
  fenceItems?: MissionItem[];
  rallyItems?: MissionItem[];
  /** The caller stops following: the launch stops, and a vehicle in the air flies on ('detached'). */
  signal?: AbortSignal;
  /** What the pilot calls it when an armed vehicle is refused ("a flight this patrol did not start"). */
  label?: string;
  /** Timers of the launch and of the wait for landing (default: the vehicle's, its link's clock). */
  clock?: Clock;
}

export interface SortieEvents {
  /** After every transition. */
  state: [state: SortieState, from: SortieState];
  /** After every telemetry change while the sortie runs, once the state has followed it. */
  change: [];
  uploadProgress: [done: number, total: number];
  checks: [checks: PreflightCheck[]];
}

/**
 * The one sortie runner, for `fly` (flyMission) and `patrol` (PatrolFlight): an explicit state machine
 * (SortieMachine) over one vehicle and one mission, `items` with home at seq 0.
 *
 * `launch()` uploads, waits until ready, checks, arms in GUIDED, takes off and starts AUTO; `adopt()`
 * takes over a flight already in the air instead. In the air the state follows the vehicle's mode.
 * `follow()` waits for the landing (disarm), and `end()` closes the sortie with its summary. The caller
 * decides the rest: `stopLaunch()` (the pilot's abort, a failsafe) cuts the launch short, `enterAir()`
 * follows an armed vehicle whose launch was cut short.
 */
export class Sortie extends EventEmitter<SortieEvents> {
  private readonly machine = new SortieMachine();
  private readonly launchStop = new AbortController();
  /** Aborted by `stopLaunch()` or by the caller's signal: every launch step takes it. */
  private readonly launchSignal: AbortSignal;
  private readonly clock: Clock;
  private recorder: FlightRecorder | null = null;
  /** Items up to this seq were reached before this sortie: home, or an adopted flight's progress. */
  private reachedBeforeSeq = 0;
  private unwatch: (() => void) | null = null;

  constructor(
    readonly vehicle: Vehicle,
    readonly items: MissionItem[],
    private readonly options: SortieOptions,
  ) {
    super();
    this.clock = options.clock ?? vehicle.clock;
    this.launchSignal = options.signal
      ? AbortSignal.any([this.launchStop.signal, options.signal])
      : this.launchStop.signal;
  }

  get state(): SortieState {
    return this.machine.state;
  }

  /** It armed the vehicle (or adopted its flight): if the vehicle is armed now, it flies this sortie. */
  get launched(): boolean {
    return this.machine.visited('arming') || this.adopted;
  }

  get adopted(): boolean {
    return this.machine.visited('adopting');
  }

  /**
   * The launch, step by step, to the mission in AUTO. `alongUpload` is the caller's work during the
   * upload, given the launch's signal (the patrol reads the link-loss failsafe); the checks wait for it.
   * Resolves true in the air (follow it), false when `stopLaunch()` stopped it before this sortie armed
   * the vehicle (end it 'aborted'). Otherwise it fails the sortie and throws.
   */
  async launch(alongUpload?: (signal: AbortSignal) => Promise<unknown>): Promise<boolean> {
    const { vehicle, items, options } = this;
    const signal = this.launchSignal;
    this.mustBeIdle();
    try {
      if (vehicle.state.armed) throw this.alreadyFlying();
      this.begin('uploading');
      await Promise.all([
        uploadPlan(vehicle, items, {
          fenceItems: options.fenceItems,
          rallyItems: options.rallyItems,
          signal,
          onProgress: (done, total) => this.emit('uploadProgress', done, total),
          clock: this.clock,
        }),
        alongUpload?.(signal),
      ]);
      this.step('waitingReady');
      await waitReadyToArm(vehicle, signal);
      this.step('checks');
      await checkBeforeFlight(vehicle, items, options.minBatteryPct, signal, (checks) =>
        this.emit('checks', checks),
      );
      if (vehicle.state.armed) throw this.alreadyFlying();
      this.recorder = this.newRecorder();
      this.step('arming');
      await armInGuided(vehicle, signal);
      this.step('takingOff');
      await takeOff(vehicle, takeoffAltitudeRelM(items), signal);
      this.step('startingMission');
      await vehicle.setMode('AUTO', signal);
      this.enterAir();
      return true;
    } catch (err) {
      const stoppedByUs = this.launchStop.signal.aborted && !options.signal?.aborted;
      if (!stoppedByUs) throw this.fail(err);
      // Armed before this sortie armed it: not this sortie's flight to follow.
      if (!vehicle.state.armed || !this.launched) return false;
      this.enterAir();
      return true;
    }
  }

  /**
   * Takes over a flight already in the air: waits for a heartbeat and refuses a vehicle not armed.
   * `reachedUpToSeq`: the items up to it were reached before (what the last ground station saw).
   */
  async adopt(reachedUpToSeq: number): Promise<void> {
    const { vehicle } = this;
    this.mustBeIdle();
    this.reachedBeforeSeq = reachedUpToSeq;
    try {
      this.begin('adopting');
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
    } catch (err) {
      throw this.fail(err);
    }
  }

  /** Cuts the launch short (the pilot's abort, a failsafe); the step under way is cancelled. */
  stopLaunch(): void {
    this.launchStop.abort();
  }

  /** The vehicle is armed and flies this sortie: from now on the state follows its mode. */
  enterAir(): void {
    this.recorder ??= this.newRecorder();
    this.to(airState(this.vehicle.state, this.items));
  }

  /** Waits for the landing (disarm); fails the sortie and throws if it cannot. */
  async follow(): Promise<void> {
    try {
      await waitForLanding(this.vehicle, this.options.signal, this.clock);
    } catch (err) {
      throw this.fail(err);
    }
  }

  /** Closes the sortie, landed or aborted, with what it measured from arming (or adopting). */
  end(state: 'landed' | 'aborted'): FlightSummary {
    const recorder = this.recorder ?? this.newRecorder();
    this.stopWatching();
    recorder.detach();
    this.to(state);
    return recorder.summary(this.items.length - 1);
  }

  /**
   * Ends the sortie on an error and hands the error back. Stopped by the caller with the vehicle
   * armed: 'detached' (it flies on, and a later sortie may adopt it); otherwise 'failed'.
   */
  fail(err: unknown): unknown {
    if (isFinalState(this.state)) return err;
    this.stopLaunch();
    this.stopWatching();
    this.recorder?.detach();
    this.to(this.options.signal?.aborted && this.vehicle.state.armed ? 'detached' : 'failed');
    return err;
  }

  /** A recorder for the flight from now on, the items reached before this sortie took it left out. */
  private newRecorder(): FlightRecorder {
    return new FlightRecorder(this.vehicle, this.items, this.reachedBeforeSeq);
  }

  private mustBeIdle(): void {
    if (this.state !== 'idle') throw new UserError(`sortie: already ${this.state}; a sortie runs once`);
  }

  private begin(first: 'uploading' | 'adopting'): void {
    const onChange = () => {
      if (isAirState(this.state) && this.vehicle.state.armed)
        this.to(airState(this.vehicle.state, this.items));
      this.emit('change');
    };
    this.vehicle.on('change', onChange);
    this.unwatch = () => this.vehicle.off('change', onChange);
    this.to(first);
  }

  /** The next launch step, unless the launch was stopped meanwhile. */
  private step(next: SortieState): void {
    if (this.launchSignal.aborted) throw new CancelledError('the launch');
    this.to(next);
  }

  private to(next: SortieState): void {
    const from = this.machine.state;
    if (this.machine.to(next)) this.emit('state', next, from);
  }

  private stopWatching(): void {
    this.unwatch?.();
    this.unwatch = null;
  }

  private alreadyFlying(): UserError {
    return new UserError(
      `the vehicle is already armed (mode ${this.vehicle.state.modeName}), on a flight ` +
        `this ${this.options.label ?? 'sortie'} did not start: land it before starting one`,
    );
  }
}
