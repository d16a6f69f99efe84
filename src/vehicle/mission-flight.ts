import type { MissionItem } from '../mavlink/index.js';
import type { FlightSummary } from './flight-stages.js';
import type { PreflightCheck } from './preflight.js';
import { watchReachedItems } from './reached-items.js';
import { Sortie, type SortieOptions } from './sortie.js';
import type { SortieState } from './sortie-state.js';
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

/** The sortie states `fly` prints, in its words; the in-air states it does not follow. */
const STAGE_OF: Readonly<Partial<Record<SortieState, FlightStage>>> = {
  uploading: 'uploading',
  waitingReady: 'waiting for GPS and EKF',
  checks: 'pre-flight checks',
  arming: 'arming',
  takingOff: 'taking off',
  startingMission: 'flying mission',
  landed: 'landed',
};

export interface FlightListener {
  stage?(stage: FlightStage): void;
  uploadProgress?(done: number, total: number): void;
  checks?(checks: PreflightCheck[]): void;
  reached?(seq: number, lastSeq: number): void;
  statusText?(text: string, severity: number): void;
  linkLost?(): void;
  linkRegained?(): void;
}

export interface FlightOptions
  extends Pick<SortieOptions, 'minBatteryPct' | 'fenceItems' | 'rallyItems' | 'signal' | 'clock'> {
  listener?: FlightListener;
}

/**
 * The whole sortie on one vehicle, run by a Sortie: upload, pre-flight checks, arm in GUIDED, take
 * off, AUTO, then follow the mission until the vehicle has landed and disarmed. `items` has home at
 * seq 0. (`PatrolFlight` runs the same Sortie and adds pause, resume, abort and failsafes.)
 */
export async function flyMission(
  vehicle: Vehicle,
  items: MissionItem[],
  options: FlightOptions,
): Promise<FlightSummary> {
  const { listener = {} } = options;
  const lastSeq = items.length - 1;
  const sortie = new Sortie(vehicle, items, options);
  const onReached = (seq: number) => listener.reached?.(seq, lastSeq);
  const onText = (t: { text: string; severity: number }) => listener.statusText?.(t.text, t.severity);
  const onLost = () => listener.linkLost?.();
  const onRegained = () => listener.linkRegained?.();
  let unwatchReached = () => {};
  const unwatch = () => {
    unwatchReached();
    vehicle.off('statustext', onText);
    vehicle.off('lost', onLost);
    vehicle.off('regained', onRegained);
  };
  sortie.on('state', (state) => {
    // From arming on, the vehicle's own words and the link are the pilot's to see.
    if (state === 'arming') {
      unwatchReached = watchReachedItems(vehicle, items, 0, onReached);
      vehicle.on('statustext', onText);
      vehicle.on('lost', onLost);
      vehicle.on('regained', onRegained);
    }
    const stage = STAGE_OF[state];
    if (stage) listener.stage?.(stage);
  });
  sortie.on('uploadProgress', (done, total) => listener.uploadProgress?.(done, total));
  sortie.on('checks', (checks) => listener.checks?.(checks));
  try {
    await sortie.launch();
    await sortie.follow();
    return sortie.end('landed');
  } finally {
    unwatch();
  }
}
