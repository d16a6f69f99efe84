import { common } from 'node-mavlink';
import { UserError } from '../errors.js';
import { LINK_TIMING, type MissionItem, MissionType, uploadMission } from '../mavlink/index.js';
import { isMissionMode } from './flight-modes.js';
import { type PreflightCheck, runPreflightChecks, telemetryChecks } from './preflight.js';
import type { Vehicle } from './vehicle.js';

const NAV_TAKEOFF = common.MavCmd.NAV_TAKEOFF;
const DEFAULT_TAKEOFF_ALT_REL_M = 10;
/** Close enough to the take-off altitude to hand over to the mission (ArduPilot uses 90 % too). */
const TAKEOFF_REACHED_FRACTION = 0.9;

export type FlightStage =
  | 'uploading'
  | 'waiting for GPS and EKF'
  | 'pre-flight checks'
  | 'arming'
  | 'taking off'
  | 'flying mission'
  | 'landed';

export interface FlightListener {
  stage?(stage: FlightStage): void;
  uploadProgress?(done: number, total: number): void;
  checks?(checks: PreflightCheck[]): void;
  reached?(seq: number, lastSeq: number): void;
  statusText?(text: string, severity: number): void;
  linkLost?(): void;
  linkRegained?(): void;
}

export interface FlightOptions {
  minBatteryPct: number;
  /** Geofence and rally items (MAV_MISSION_TYPE_FENCE / _RALLY) sent before the mission; empty: left as is. */
  fenceItems?: MissionItem[];
  rallyItems?: MissionItem[];
  signal?: AbortSignal;
  listener?: FlightListener;
}

export interface FlightSummary {
  reachedSeqs: number[];
  lastSeq: number;
  durationS: number;
  maxAltRelM: number;
  batteryUsedPct: number | null;
  linkLosses: number;
}

/**
 * The whole sortie on one vehicle: upload, pre-flight checks, arm in GUIDED, take off, AUTO, then
 * follow the mission until the vehicle has landed and disarmed. `items` has home at seq 0.
 */
export async function flyMission(
  vehicle: Vehicle,
  items: MissionItem[],
  options: FlightOptions,
): Promise<FlightSummary> {
  const { signal, listener = {} } = options;
  const lastSeq = items.length - 1;

  listener.stage?.('uploading');
  for (const [missionType, extra] of [
    [MissionType.Fence, options.fenceItems ?? []],
    [MissionType.Rally, options.rallyItems ?? []],
  ] as const) {
    if (extra.length > 0) await uploadMission(vehicle.link, vehicle.target, extra, { missionType, signal });
  }
  await uploadMission(vehicle.link, vehicle.target, items, {
    signal,
    onProgress: (done, total) => listener.uploadProgress?.(done, total),
  });

  listener.stage?.('waiting for GPS and EKF');
  await vehicle.waitUntil((s) => telemetryChecks(s, 0).every((c) => c.ok), {
    timeoutMs: LINK_TIMING.readyToArmTimeoutMs,
    what: 'ready (GPS 3D fix, EKF position, home)',
    signal,
  });

  listener.stage?.('pre-flight checks');
  const checks = await runPreflightChecks(vehicle, {
    minBatteryPct: options.minBatteryPct,
    plannedItems: items,
    signal,
  });
  listener.checks?.(checks);
  const failed = checks.filter((c) => !c.ok);
  if (failed.length > 0) {
    throw new UserError(
      `pre-flight checks failed: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`,
    );
  }

  const startBatteryPct = vehicle.state.battery?.remainingPct ?? null;
  const startedUs = vehicle.link.nowUs();
  let maxAltRelM = 0;
  let linkLosses = 0;
  const onReached = (seq: number) => listener.reached?.(seq, lastSeq);
  const onText = (t: { text: string; severity: number }) => listener.statusText?.(t.text, t.severity);
  const onChange = () => {
    maxAltRelM = Math.max(maxAltRelM, vehicle.state.position?.altRelM ?? 0);
  };
  const onLost = () => {
    linkLosses++;
    listener.linkLost?.();
  };
  const onRegained = () => listener.linkRegained?.();
  vehicle.on('reached', onReached);
  vehicle.on('statustext', onText);
  vehicle.on('change', onChange);
  vehicle.on('lost', onLost);
  vehicle.on('regained', onRegained);
  try {
    listener.stage?.('arming');
    await vehicle.setMode('GUIDED', signal);
    await vehicle.arm(signal);

    listener.stage?.('taking off');
    const takeoffAltRelM = items.find((item) => item.command === NAV_TAKEOFF)?.z ?? DEFAULT_TAKEOFF_ALT_REL_M;
    await vehicle.takeoff(takeoffAltRelM, signal);
    await vehicle.waitUntil((s) => (s.position?.altRelM ?? 0) >= takeoffAltRelM * TAKEOFF_REACHED_FRACTION, {
      timeoutMs: LINK_TIMING.takeoffTimeoutMs,
      what: `at take-off altitude ${takeoffAltRelM} m`,
      signal,
    });

    listener.stage?.('flying mission');
    await vehicle.setMode('AUTO', signal);
    await waitForLanding(vehicle, signal);
    listener.stage?.('landed');
  } finally {
    vehicle.off('reached', onReached);
    vehicle.off('statustext', onText);
    vehicle.off('change', onChange);
    vehicle.off('lost', onLost);
    vehicle.off('regained', onRegained);
  }

  const endBatteryPct = vehicle.state.battery?.remainingPct ?? null;
  return {
    reachedSeqs: [...vehicle.state.reachedSeqs],
    lastSeq,
    durationS: (vehicle.link.nowUs() - startedUs) / 1e6,
    maxAltRelM,
    batteryUsedPct:
      startBatteryPct !== null && endBatteryPct !== null ? startBatteryPct - endBatteryPct : null,
    linkLosses,
  };
}

/**
 * Resolves once the vehicle is disarmed (ArduPilot disarms itself after landing). Gives up only if
 * the link stays silent longer than LINK_TIMING.flightLinkLossGiveUpMs: the vehicle's own failsafe
 * then decides what it does.
 */
function waitForLanding(vehicle: Vehicle, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    let silenceTimer: NodeJS.Timeout | null = null;
    const finish = () => {
      if (silenceTimer) clearTimeout(silenceTimer);
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
      silenceTimer = setTimeout(() => {
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
      if (silenceTimer) clearTimeout(silenceTimer);
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
    vehicle.on('change', onChange);
    vehicle.on('lost', onLost);
    vehicle.on('regained', onRegained);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
