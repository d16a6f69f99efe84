import type { MissionItem } from '../mavlink/index.js';
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
import type { PreflightCheck } from './preflight.js';
import type { Vehicle } from './vehicle.js';

export type { FlightSummary } from './flight-stages.js';

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

/**
 * The whole sortie on one vehicle: upload, pre-flight checks, arm in GUIDED, take off, AUTO, then
 * follow the mission until the vehicle has landed and disarmed. `items` has home at seq 0.
 * (`PatrolFlight` flies the same stages and adds pause, resume, abort and failsafes.)
 */
export async function flyMission(
  vehicle: Vehicle,
  items: MissionItem[],
  options: FlightOptions,
): Promise<FlightSummary> {
  const { signal, listener = {} } = options;
  const lastSeq = items.length - 1;

  listener.stage?.('uploading');
  await uploadPlan(vehicle, items, {
    fenceItems: options.fenceItems,
    rallyItems: options.rallyItems,
    signal,
    onProgress: (done, total) => listener.uploadProgress?.(done, total),
  });

  listener.stage?.('waiting for GPS and EKF');
  await waitReadyToArm(vehicle, signal);

  listener.stage?.('pre-flight checks');
  await checkBeforeFlight(vehicle, items, options.minBatteryPct, signal, (checks) =>
    listener.checks?.(checks),
  );

  const recorder = new FlightRecorder(vehicle);
  const onReached = (seq: number) => listener.reached?.(seq, lastSeq);
  const onText = (t: { text: string; severity: number }) => listener.statusText?.(t.text, t.severity);
  const onLost = () => listener.linkLost?.();
  const onRegained = () => listener.linkRegained?.();
  vehicle.on('reached', onReached);
  vehicle.on('statustext', onText);
  vehicle.on('lost', onLost);
  vehicle.on('regained', onRegained);
  try {
    listener.stage?.('arming');
    await armInGuided(vehicle, signal);

    listener.stage?.('taking off');
    await takeOff(vehicle, takeoffAltitudeRelM(items), signal);

    listener.stage?.('flying mission');
    await vehicle.setMode('AUTO', signal);
    await waitForLanding(vehicle, signal);
    listener.stage?.('landed');
  } finally {
    recorder.detach();
    vehicle.off('reached', onReached);
    vehicle.off('statustext', onText);
    vehicle.off('lost', onLost);
    vehicle.off('regained', onRegained);
  }
  return recorder.summary(lastSeq);
}
