import { common } from 'node-mavlink';
import type { Clock, TimerHandle } from '../clock.js';
import { UserError } from '../errors.js';
import { LINK_TIMING, type MissionItem, MissionType, uploadMission } from '../mavlink/index.js';
import { uploadWhenBooted } from './boot-wait.js';
import { isMissionMode } from './flight-modes.js';
import { type PreflightCheck, runPreflightChecks, telemetryChecks } from './preflight.js';
import { watchReachedItems } from './reached-items.js';
import type { Vehicle } from './vehicle.js';

/**
 * The stages of a sortie, shared by `flyMission` and `PatrolFlight`: each one step a pilot would
 * take, with its wait bounded by LINK_TIMING.
 */

const NAV_TAKEOFF = common.MavCmd.NAV_TAKEOFF;
const DEFAULT_TAKEOFF_ALT_REL_M = 10;
/** Close enough to the take-off altitude to hand over to the mission (ArduPilot uses 90 % too). */
const TAKEOFF_REACHED_FRACTION = 0.9;

export interface UploadPlanOptions {
  /** Fence and rally items (MAV_MISSION_TYPE_FENCE / _RALLY) sent before the mission; empty: left as is. */
  fenceItems?: MissionItem[];
  rallyItems?: MissionItem[];
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /**
   * Time of the transfers' resends and of the pause between retries of an upload refused while the
   * vehicle boots (default: the vehicle's, its link's clock).
   */
  clock?: Clock;
}

/**
 * Once the vehicle has booted: fence and rally first (when given), then the mission, so AUTO never
 * starts on a half-sent plan. A refusal for lack of space is retried from the fence (see uploadWhenBooted).
 */
export async function uploadPlan(
  vehicle: Vehicle,
  items: MissionItem[],
  options: UploadPlanOptions,
): Promise<void> {
  const { signal, clock = vehicle.clock } = options;
  await uploadWhenBooted(
    vehicle,
    async () => {
      for (const [missionType, extra] of [
        [MissionType.Fence, options.fenceItems ?? []],
        [MissionType.Rally, options.rallyItems ?? []],
      ] as const) {
        if (extra.length > 0)
          await uploadMission(vehicle.link, vehicle.target, extra, { missionType, signal, clock });
      }
      await uploadMission(vehicle.link, vehicle.target, items, {
        signal,
        onProgress: options.onProgress,
        clock,
      });
    },
    signal,
    clock,
  );
}

/** Waits for GPS 3D fix, EKF position and home (ArduPilot refuses take-off before). */
export async function waitReadyToArm(vehicle: Vehicle, signal?: AbortSignal): Promise<void> {
  await vehicle.waitUntil((s) => telemetryChecks(s, 0).every((c) => c.ok), {
    timeoutMs: LINK_TIMING.readyToArmTimeoutMs,
    what: 'ready (GPS 3D fix, EKF position, home)',
    signal,
  });
}

/** Runs every pre-flight check, hands them to `onChecks`, and refuses the flight when one fails. */
export async function checkBeforeFlight(
  vehicle: Vehicle,
  items: MissionItem[],
  minBatteryPct: number,
  signal: AbortSignal | undefined,
  onChecks: (checks: PreflightCheck[]) => void,
): Promise<void> {
  const checks = await runPreflightChecks(vehicle, { minBatteryPct, plannedItems: items, signal });
  onChecks(checks);
  const failed = checks.filter((c) => !c.ok);
  if (failed.length > 0) {
    throw new UserError(
      `pre-flight checks failed: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`,
    );
  }
}

/** GUIDED, then arm (ArduPilot arms in GUIDED once its EKF origin is set). */
export async function armInGuided(vehicle: Vehicle, signal?: AbortSignal): Promise<void> {
  await vehicle.setMode('GUIDED', signal);
  await vehicle.arm(signal);
}

/** The mission's own take-off altitude, or a default when it has no NAV_TAKEOFF. */
export function takeoffAltitudeRelM(items: MissionItem[]): number {
  return items.find((item) => item.command === NAV_TAKEOFF)?.z ?? DEFAULT_TAKEOFF_ALT_REL_M;
}

/** NAV_TAKEOFF in GUIDED, then waits until the vehicle is nearly at that altitude. */
export async function takeOff(vehicle: Vehicle, altRelM: number, signal?: AbortSignal): Promise<void> {
  await vehicle.takeoff(altRelM, signal);
  await vehicle.waitUntil((s) => (s.position?.altRelM ?? 0) >= altRelM * TAKEOFF_REACHED_FRACTION, {
    timeoutMs: LINK_TIMING.takeoffTimeoutMs,
    what: `at take-off altitude ${altRelM} m`,
    signal,
  });
}

/** What a sortie reports at its end, measured from the moment it is created (just before arming). */
export interface FlightSummary {
  reachedSeqs: number[];
  lastSeq: number;
  durationS: number;
  maxAltRelM: number;
  batteryUsedPct: number | null;
  linkLosses: number;
}

/**
 * Measures a flight from telemetry while attached: the items reached (watchReachedItems: a lost
 * MISSION_ITEM_REACHED is inferred from the items passed), duration, highest altitude, battery used,
 * losses. `afterSeq`: items up to it were reached before it started (home, or an adopted flight's).
 */
export class FlightRecorder {
  private readonly startBatteryPct: number | null;
  /** On the link's monotonic clock: the flight's duration does not jump with the wall clock. */
  private readonly startedMs: number;
  private readonly reachedSeqs: number[] = [];
  private readonly unwatchReached: () => void;
  private maxAltRelM = 0;
  private linkLosses = 0;
  private readonly onChange = () => {
    this.maxAltRelM = Math.max(this.maxAltRelM, this.vehicle.state.position?.altRelM ?? 0);
  };
  private readonly onLost = () => {
    this.linkLosses++;
  };

  constructor(
    private readonly vehicle: Vehicle,
    items: MissionItem[],
    afterSeq: number,
  ) {
    this.startBatteryPct = vehicle.state.battery?.remainingPct ?? null;
    this.startedMs = vehicle.clock.nowMs();
    this.onChange();
    vehicle.on('change', this.onChange);
    vehicle.on('lost', this.onLost);
    this.unwatchReached = watchReachedItems(vehicle, items, afterSeq, (seq) => this.reachedSeqs.push(seq));
  }

  detach(): void {
    this.vehicle.off('change', this.onChange);
    this.vehicle.off('lost', this.onLost);
    this.unwatchReached();
  }

  summary(lastSeq: number): FlightSummary {
    const endBatteryPct = this.vehicle.state.battery?.remainingPct ?? null;
    return {
      reachedSeqs: [...this.reachedSeqs],
      lastSeq,
      durationS: (this.vehicle.clock.nowMs() - this.startedMs) / 1000,
      maxAltRelM: this.maxAltRelM,
      batteryUsedPct:
        this.startBatteryPct !== null && endBatteryPct !== null ? this.startBatteryPct - endBatteryPct : null,
      linkLosses: this.linkLosses,
    };
  }
}

/**
 * Resolves once the vehicle is disarmed (ArduPilot disarms itself after landing). Gives up only if
 * the link stays silent longer than LINK_TIMING.flightLinkLossGiveUpMs (the vehicle's own failsafe
 * then decides what it does), or the flight outlasts LINK_TIMING.flightMaxDurationMs.
 */
export function waitForLanding(
  vehicle: Vehicle,
  signal: AbortSignal | undefined,
  clock: Clock = vehicle.clock,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let silenceTimer: TimerHandle | null = null;
    let overallTimer: TimerHandle | null = null;
    const finish = () => {
      if (silenceTimer !== null) clock.clearTimeout(silenceTimer);
      if (overallTimer !== null) clock.clearTimeout(overallTimer);
      vehicle.off('change', onChange);
      vehicle.off('lost', onLost);
      vehicle.off('regained', onRegained);
      signal?.removeEventListener('abort', onAbort);
    };
    const onChange = () => {
      if (vehicle.state.armed) return;
      finish();
      resolve();
    };
    const onLost = () => {
      silenceTimer = clock.setTimeout(() => {
        finish();
        reject(
          new UserError(
            `link to the vehicle lost for ${LINK_TIMING.flightLinkLossGiveUpMs / 1000} s in mode ` +
              `${vehicle.state.modeName}; its own GCS failsafe (FS_GCS_ENABLE) decides what it does now`,
          ),
        );
      }, LINK_TIMING.flightLinkLossGiveUpMs);
    };
    const onRegained = () => {
      if (silenceTimer !== null) clock.clearTimeout(silenceTimer);
      silenceTimer = null;
    };
    const onAbort = () => {
      finish();
      reject(new UserError('flight monitoring cancelled; the vehicle keeps flying its mission'));
    };
    if (!isMissionMode(vehicle.state.modeName) && !vehicle.state.armed) {
      resolve();
      return;
    }
    if (signal?.aborted) {
      onAbort();
      return;
    }
    overallTimer = clock.setTimeout(() => {
      finish();
      reject(
        new UserError(
          `the vehicle is still armed after ${LINK_TIMING.flightMaxDurationMs / 60_000} minutes ` +
            `(mode ${vehicle.state.modeName}); stopped waiting for it to land`,
        ),
      );
    }, LINK_TIMING.flightMaxDurationMs);
    vehicle.on('change', onChange);
    vehicle.on('lost', onLost);
    vehicle.on('regained', onRegained);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
