import { common } from 'node-mavlink';
import type { MissionItem } from '../mavlink/index.js';
import { isMissionMode } from './flight-modes.js';
import type { FlightSummary } from './flight-stages.js';
import type { AirState, SortieState } from './sortie-state.js';
import type { VehicleState } from './state.js';

/**
 * Where a patrol stands, as the pilot, the daemon's status and the patrol records say it: its sortie's
 * state (SortieState) in fewer words. Before the mission: 'idle' → 'uploading' → 'checks' (ready to arm
 * and pre-flight checks) → 'arming' → 'taking off'. In the air it follows the vehicle's mode ('flying',
 * 'paused', 'returning', 'landing'). At the end: 'landed' (whatever sent it home), 'aborted' (the pilot
 * aborted), 'failed' (an error ended the patrol) or 'detached' (the caller stopped following; the
 * vehicle flies on and can be adopted).
 */
export type PatrolStatus =
  | 'idle'
  | 'uploading'
  | 'checks'
  | 'arming'
  | 'taking off'
  | 'flying'
  | 'paused'
  | 'returning'
  | 'landing'
  | 'landed'
  | 'aborted'
  | 'failed'
  | 'detached';

const STATUS_OF: Readonly<Record<SortieState, PatrolStatus>> = {
  idle: 'idle',
  // Adopting waits for a first heartbeat before it knows what it follows.
  adopting: 'idle',
  uploading: 'uploading',
  waitingReady: 'checks',
  checks: 'checks',
  arming: 'arming',
  takingOff: 'taking off',
  startingMission: 'taking off',
  flying: 'flying',
  paused: 'paused',
  returning: 'returning',
  landing: 'landing',
  landed: 'landed',
  aborted: 'aborted',
  failed: 'failed',
  detached: 'detached',
};

export function patrolStatus(state: SortieState): PatrolStatus {
  return STATUS_OF[state];
}

/** The failsafes a patrol watches and acts on itself (RTL). */
export type PatrolFailsafe = 'battery-reserve' | 'geofence';

/**
 * How a patrol's mission ended: ran to its end, aborted by the pilot, one of the patrol's failsafes,
 * or 'vehicle' when the vehicle left the mission on its own (its own failsafe, a pilot on the RC).
 */
export type PatrolEnding = 'completed' | 'aborted' | PatrolFailsafe | 'vehicle';

export type PatrolNoticeKind =
  | PatrolFailsafe
  | 'vehicle'
  | 'link-lost'
  | 'link-warning'
  | 'link-regained'
  | 'paused'
  | 'resumed'
  | 'aborted';

/** Something the pilot should read, as one short sentence. */
export interface PatrolNotice {
  kind: PatrolNoticeKind;
  message: string;
  /** The link's clock (µs since the Unix epoch). */
  timeUs: number;
}

/** A patrol's state for a pilot or a daemon: readable at any time, emitted on change. */
export interface PatrolProgress {
  status: PatrolStatus;
  modeName: string;
  /** The last MISSION_ITEM_REACHED seq (or the one known when adopting); null before any. */
  lastReachedSeq: number | null;
  /** MISSION_CURRENT: the item being flown (k of k/n); null until the vehicle reports it. */
  currentSeq: number | null;
  /** The mission's last seq, home at 0 not counted (n of k/n). */
  totalItems: number;
  /** Why the mission stopped early once it did; null while it is on plan. */
  ending: PatrolEnding | null;
  linkLost: boolean;
}

export interface PatrolResult extends FlightSummary {
  lastReachedSeq: number | null;
  ending: PatrolEnding;
  /** One sentence on how it ended. */
  endingText: string;
  notices: PatrolNotice[];
  /** True when the patrol followed a flight already in the air instead of starting it. */
  adopted: boolean;
}

const HOLD_MODES: ReadonlySet<string> = new Set(['LOITER', 'BRAKE', 'POSHOLD', 'AUTO.LOITER']);
const RETURN_MODES: ReadonlySet<string> = new Set(['RTL', 'SMART_RTL', 'AUTO_RTL', 'AUTO.RTL']);
const LANDING_MODES: ReadonlySet<string> = new Set(['LAND', 'AUTO.LAND', 'AUTO.PRECLAND']);

/** The in-air state for a reported mode; in AUTO the mission's own RTL or LAND item counts too. */
export function airState(state: VehicleState, items: MissionItem[]): AirState {
  const mode = state.modeName;
  if (HOLD_MODES.has(mode)) return 'paused';
  if (RETURN_MODES.has(mode)) return 'returning';
  if (LANDING_MODES.has(mode)) return 'landing';
  const command = state.missionCurrentSeq === null ? undefined : items[state.missionCurrentSeq]?.command;
  if (isMissionMode(mode) && command === common.MavCmd.NAV_RETURN_TO_LAUNCH) return 'returning';
  if (isMissionMode(mode) && command === common.MavCmd.NAV_LAND) return 'landing';
  return 'flying';
}

/** A mode that takes the vehicle home or down, outside the mission. */
export function isLeavingMode(modeName: string): boolean {
  return RETURN_MODES.has(modeName) || LANDING_MODES.has(modeName);
}

/** Off the ground (m): with no landed state reported, higher than this above home is in the air. */
const AIRBORNE_ALT_REL_M = 1;
const { IN_AIR, TAKEOFF, LANDING } = common.MavLandedState;

export function isAirborne(state: VehicleState): boolean {
  if (!state.armed) return false;
  const landed = state.landedState;
  if (landed === IN_AIR || landed === TAKEOFF || landed === LANDING) return true;
  return (state.position?.altRelM ?? 0) > AIRBORNE_ALT_REL_M;
}
