import { UserError } from '../errors.js';

/**
 * A sortie's state machine (after MAVSDK's WorkItem and its Step enum): named states, one transition
 * function over one table, and the pilot's commands checked against the state. Pure: no vehicle, no
 * timers, so tests drive it directly.
 *
 * Launch, in order: 'uploading' (fence, rally, mission) → 'waitingReady' (GPS 3D fix, EKF position,
 * home) → 'checks' (pre-flight checks) → 'arming' (GUIDED, arm) → 'takingOff' (NAV_TAKEOFF to the
 * mission's altitude) → 'startingMission' (AUTO). Or 'adopting': following a flight already in the air
 * (a daemon restarted mid-flight). In the air the state follows the vehicle's mode: 'flying', 'paused'
 * (a hold mode), 'returning', 'landing'. Final: 'landed', 'aborted' (the pilot stopped it), 'failed'
 * (an error ended it), 'detached' (the caller stopped following; the vehicle flies on).
 */
export type SortieState =
  | 'idle'
  | 'adopting'
  | 'uploading'
  | 'waitingReady'
  | 'checks'
  | 'arming'
  | 'takingOff'
  | 'startingMission'
  | AirState
  | FinalState;

export type AirState = 'flying' | 'paused' | 'returning' | 'landing';
export type FinalState = 'landed' | 'aborted' | 'failed' | 'detached';

const AIR: readonly AirState[] = ['flying', 'paused', 'returning', 'landing'];
/** Any running state may end in an error or be let go by its caller. */
const STOPPED: readonly SortieState[] = ['failed', 'detached'];

/**
 * Every legal transition. A launch step is cut short by the pilot's abort or a failsafe: before arming
 * the sortie ends 'aborted'; once armed it goes to the air state the vehicle's mode says and is
 * followed down. In the air the state follows the mode both ways (a pilot on the RC may switch back
 * to AUTO), until the vehicle disarms.
 */
const TRANSITIONS: Readonly<Record<SortieState, readonly SortieState[]>> = {
  idle: ['uploading', 'adopting', ...STOPPED],
  adopting: [...AIR, ...STOPPED],
  uploading: ['waitingReady', 'aborted', ...STOPPED],
  waitingReady: ['checks', 'aborted', ...STOPPED],
  checks: ['arming', 'aborted', ...STOPPED],
  arming: ['takingOff', ...AIR, 'aborted', ...STOPPED],
  takingOff: ['startingMission', ...AIR, 'aborted', ...STOPPED],
  startingMission: [...AIR, 'aborted', ...STOPPED],
  flying: [...AIR, 'landed', 'aborted', ...STOPPED],
  paused: [...AIR, 'landed', 'aborted', ...STOPPED],
  returning: [...AIR, 'landed', 'aborted', ...STOPPED],
  landing: [...AIR, 'landed', 'aborted', ...STOPPED],
  landed: [],
  aborted: [],
  failed: [],
  detached: [],
};

const LAUNCH: ReadonlySet<SortieState> = new Set([
  'idle',
  'adopting',
  'uploading',
  'waitingReady',
  'checks',
  'arming',
  'takingOff',
  'startingMission',
]);

export function isAirState(state: SortieState): state is AirState {
  return (AIR as readonly SortieState[]).includes(state);
}

export function isFinalState(state: SortieState): state is FinalState {
  return TRANSITIONS[state].length === 0;
}

/** A transition the table does not have: a bug in the runner, never the pilot's doing. */
export class IllegalTransitionError extends Error {
  constructor(
    readonly from: SortieState,
    readonly to: SortieState,
  ) {
    super(
      `sortie: no transition from '${from}' to '${to}' (legal: ${TRANSITIONS[from].join(', ') || 'none'})`,
    );
    this.name = 'IllegalTransitionError';
  }
}

/** Holds a sortie's state and the states it went through; `to` is its one transition function. */
export class SortieMachine {
  private current: SortieState = 'idle';
  private readonly visitedStates = new Set<SortieState>(['idle']);

  get state(): SortieState {
    return this.current;
  }

  /** Moves to `next` (staying put is no transition); throws IllegalTransitionError off the table. */
  to(next: SortieState): boolean {
    if (next === this.current) return false;
    if (!TRANSITIONS[this.current].includes(next)) throw new IllegalTransitionError(this.current, next);
    this.current = next;
    this.visitedStates.add(next);
    return true;
  }

  visited(state: SortieState): boolean {
    return this.visitedStates.has(state);
  }
}

export type PilotCommand = 'pause' | 'resume' | 'abort';

/** What a pilot command is judged on besides the state. */
export interface CommandContext {
  state: SortieState;
  /** The state as the pilot reads it (PatrolStatus). */
  status: string;
  /** Why the mission is ending early, once it is (the pilot's abort, a failsafe, the vehicle). */
  endingText: string | null;
  linkLost: boolean;
  airborne: boolean;
  modeName: string;
  /** The pilot command still in progress, if any (abort never waits for one). */
  busy: PilotCommand | null;
}

/**
 * Refuses a pilot command the state does not take, with the sentence the pilot reads: pause takes
 * 'flying', resume 'paused', abort any running state but 'returning' and 'landing'; none of them once
 * the mission is ending early or while the link is lost (abort on the ground excepted), and pause and
 * resume one at a time.
 */
export function checkPilotCommand(command: PilotCommand, ctx: CommandContext): void {
  const reason = refusal(command, ctx);
  if (reason) throw new UserError(`cannot ${command}${reason}`);
}

function refusal(command: PilotCommand, ctx: CommandContext): string | null {
  const { state, status, endingText } = ctx;
  if (isFinalState(state)) return `: the patrol is over (${status})`;
  if (command === 'abort' && state === 'idle') return ': the patrol has not started';
  if (command === 'pause' && LAUNCH.has(state)) return ` while ${status}: the mission has not started yet`;
  if (command === 'resume' && state !== 'paused') return `: the patrol is not paused (it is ${status})`;
  if (endingText) {
    if (command === 'pause') return `: the vehicle is going home (${endingText})`;
    if (command === 'resume') return `: the mission was ended (${endingText})`;
    return `: the vehicle is already going home (${endingText})`;
  }
  if (state === 'returning' || state === 'landing') {
    return command === 'abort'
      ? `: the vehicle is already ${status} (mode ${ctx.modeName})`
      : `: the vehicle is ${status} (the mission's end)`;
  }
  if (ctx.linkLost && (command !== 'abort' || ctx.airborne))
    return ': no link to the vehicle (it follows its own failsafe)';
  if (command === 'pause' && state === 'paused') return ': the patrol is already paused';
  if (command !== 'abort' && ctx.busy) return `: ${ctx.busy} is still in progress`;
  return null;
}
