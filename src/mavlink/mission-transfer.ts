import { common } from 'node-mavlink';
import type { Clock } from '../clock.js';
import { CancelledError, TimeoutError, UserError } from '../errors.js';
import { LINK_TIMING } from '../timing.js';
import type { ReceivedMessage } from './codec.js';
import { mavCmdName } from './command-client.js';
import type { MavLinkConnection } from './link.js';
import type { MissionType } from './mission-item.js';
import {
  MISSION_TYPE_NAMES,
  missionAckMessage,
  missionClearAllMessage,
  missionCountMessage,
  missionItemIntMessage,
  missionRequestIntMessage,
  missionRequestListMessage,
  type WireItem,
  wireItemOf,
} from './mission-wire.js';
import { Resender, RoundTripEstimate } from './resend.js';
import { isFromTarget, type Target } from './target.js';

/**
 * Where one mission transfer stands (MAVSDK's WorkItem Step). Upload: sendingCount (MISSION_COUNT out,
 * no request yet) → sendingItems (answering MISSION_REQUEST(_INT)s) → awaitingAck (the last item was
 * requested) → done. Download: requestingList (MISSION_REQUEST_LIST out) → requestingItem (one
 * MISSION_REQUEST_INT per item) → done. Clear: clearing (MISSION_CLEAR_ALL out) → done. Any active
 * state ends in failed (a refusal, or no progress for (retries + 1) × timeout) or cancelled.
 */
export type MissionTransferState =
  | 'idle'
  | 'sendingCount'
  | 'sendingItems'
  | 'awaitingAck'
  | 'requestingList'
  | 'requestingItem'
  | 'clearing'
  | 'done'
  | 'failed'
  | 'cancelled';

const ENDED = ['failed', 'cancelled'] as const;

/** Every legal transition; a state moving to itself is the next step of the same kind (the next item). */
const TRANSITIONS: Record<MissionTransferState, readonly MissionTransferState[]> = {
  idle: ['sendingCount', 'requestingList', 'clearing', 'cancelled'],
  // An empty list is accepted straight after MISSION_COUNT.
  sendingCount: ['sendingItems', 'awaitingAck', 'done', ...ENDED],
  sendingItems: ['sendingItems', 'awaitingAck', ...ENDED],
  awaitingAck: ['done', ...ENDED],
  // A vehicle with an empty list answers MISSION_COUNT 0.
  requestingList: ['requestingItem', 'done', ...ENDED],
  requestingItem: ['requestingItem', 'done', ...ENDED],
  clearing: ['done', ...ENDED],
  done: [],
  failed: [],
  cancelled: [],
};

/** A bug in the transfer code: a step taken from a state that does not allow it. */
export class IllegalTransitionError extends Error {
  constructor(from: MissionTransferState, to: MissionTransferState) {
    super(`mission transfer: illegal transition ${from} → ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

/** The one transition function: `to` when the table allows it from `from`, else IllegalTransitionError. */
export function missionTransferTransition(
  from: MissionTransferState,
  to: MissionTransferState,
): MissionTransferState {
  if (!TRANSITIONS[from].includes(to)) throw new IllegalTransitionError(from, to);
  return to;
}

export interface MissionTransferOptions {
  /** Which list: mission (default), fence or rally. */
  missionType?: MissionType;
  signal?: AbortSignal;
  /** Items confirmed so far and the total (upload: received by the vehicle; download: received here). */
  onProgress?: (done: number, total: number) => void;
  /** Called with each new state of each transfer, from its first step to done, failed or cancelled. */
  onStateChange?: (state: MissionTransferState) => void;
  /** Time and timers of the resends and give-ups (default: the link's clock). */
  clock?: Clock;
}

const Result = common.MavMissionResult;

/** The vehicle refused a mission transfer with a MAV_MISSION_RESULT. */
export class MissionTransferError extends UserError {
  /** MAV_MISSION_RESULT name, e.g. 'NO_SPACE'. */
  readonly resultName: string;

  constructor(
    operation: string,
    readonly result: number,
    reason: string,
  ) {
    const resultName = (Result as Record<number, string>)[result] ?? String(result);
    super(`${operation} failed: ${reason} (MAV_MISSION_${resultName})`);
    this.name = 'MissionTransferError';
    this.resultName = resultName;
  }
}

function describeItem(seq: number, item: WireItem | undefined): string {
  return item ? `item ${seq} (${mavCmdName(item.command)}, frame ${item.frame})` : `item ${seq}`;
}

function missionResultReason(result: number, count: number, seq: number, item: WireItem | undefined): string {
  const at = seq >= 0 ? describeItem(seq, item) : 'an item';
  switch (result) {
    case Result.ERROR:
      return 'the vehicle is not accepting mission commands right now';
    case Result.UNSUPPORTED_FRAME:
      return `${at}: the vehicle does not support its coordinate frame`;
    case Result.UNSUPPORTED:
      return `${at}: the vehicle does not support its command (or this mission type)`;
    case Result.NO_SPACE:
      return `vehicle has no space for ${count} items`;
    case Result.INVALID:
      return `${at} has a parameter the vehicle calls invalid`;
    case Result.INVALID_PARAM1:
    case Result.INVALID_PARAM2:
    case Result.INVALID_PARAM3:
    case Result.INVALID_PARAM4:
      return `${at}: param${result - Result.INVALID_PARAM1 + 1} has an invalid value`;
    case Result.INVALID_PARAM5_X:
      return `${at}: x (param5, latitude) has an invalid value`;
    case Result.INVALID_PARAM6_Y:
      return `${at}: y (param6, longitude) has an invalid value`;
    case Result.INVALID_PARAM7:
      return `${at}: z (param7, altitude) has an invalid value`;
    case Result.INVALID_SEQUENCE:
      return 'the vehicle received items out of sequence';
    case Result.DENIED:
      return 'the vehicle is not accepting mission commands from this ground station';
    case Result.OPERATION_CANCELLED:
      return 'the vehicle cancelled the transfer';
    default:
      return `the vehicle answered with unknown result ${result}`;
  }
}

function seconds(ms: number): string {
  return `${ms / 1000} s`;
}

/**
 * One transfer (MAVSDK's WorkItem): its state, the subscription to the target's messages, the resends
 * and the give-up, cancellation. Subclasses say what each message does in each state; every state
 * change goes through `transition`.
 */
abstract class MissionTransfer<T> {
  private current: MissionTransferState = 'idle';
  private readonly resender: Resender;
  private settle: ((err: Error | undefined, value?: T) => void) | undefined;
  protected readonly operation: string;

  constructor(
    protected readonly link: MavLinkConnection,
    protected readonly target: Target,
    protected readonly type: MissionType,
    roundTrip: RoundTripEstimate,
    protected readonly options: MissionTransferOptions,
    what: string,
  ) {
    this.operation = `${MISSION_TYPE_NAMES[type]} ${what}`;
    this.resender = new Resender(
      roundTrip,
      LINK_TIMING.missionItemTimeoutMs,
      LINK_TIMING.missionRetries,
      () => {
        const err = this.timeoutError(this.resender.giveUpAfterMs);
        this.abandon();
        this.end('failed', err);
      },
      options.clock ?? link.clock,
    );
  }

  get state(): MissionTransferState {
    return this.current;
  }

  /** Sends the first message and resolves when the transfer is done, or rejects when it failed or was cancelled. */
  run(): Promise<T> {
    const { signal } = this.options;
    if (signal?.aborted) {
      this.transition('cancelled');
      return Promise.reject(new CancelledError(this.operation));
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        this.abandon();
        this.end('cancelled', new CancelledError(this.operation));
      };
      const unsubscribe = this.link.onMessage((rx) => {
        if (isFromTarget(rx, this.target, this.link)) this.onMessage(rx);
      });
      this.settle = (err, value) => {
        this.resender.stop();
        unsubscribe();
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(value as T);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.begin();
    });
  }

  /** Moves to `to` (refusing what the table does not allow) and tells onStateChange when it changed. */
  protected transition(to: MissionTransferState): void {
    const from = this.current;
    this.current = missionTransferTransition(from, to);
    if (to !== from) this.options.onStateChange?.(to);
  }

  /** Moves to `to` and makes `send` the step that goes out now and on every resend. */
  protected step(to: MissionTransferState, send: () => void): void {
    this.transition(to);
    this.resender.step(send);
  }

  /** The step in flight went out again because the vehicle asked for it again. */
  protected markSentAgain(): void {
    this.resender.markSentAgain();
  }

  protected succeed(value: T): void {
    this.transition('done');
    this.settle?.(undefined, value);
  }

  protected end(to: 'failed' | 'cancelled', err: Error): void {
    this.transition(to);
    this.settle?.(err);
  }

  /** Is `m` for this transfer's list? */
  protected ours(m: { missionType: number }): boolean {
    return m.missionType === this.type;
  }

  protected abstract begin(): void;
  protected abstract onMessage(rx: ReceivedMessage): void;
  /** The error when the vehicle stops answering, after `afterMs` without progress. */
  protected abstract timeoutError(afterMs: number): Error;
  /** Tells the vehicle that we gave up or were cancelled. */
  protected abstract abandon(): void;
}

class UploadTransfer extends MissionTransfer<void> {
  private highestRequested = -1;

  constructor(
    link: MavLinkConnection,
    target: Target,
    type: MissionType,
    roundTrip: RoundTripEstimate,
    options: MissionTransferOptions,
    private readonly wire: WireItem[],
  ) {
    super(link, target, type, roundTrip, options, 'upload');
  }

  protected begin(): void {
    this.step('sendingCount', () =>
      this.link.send(missionCountMessage(this.target, this.type, this.wire.length)),
    );
  }

  private sendItem(seq: number): void {
    this.link.send(missionItemIntMessage(this.wire[seq], seq, this.type, this.target));
  }

  protected onMessage(rx: ReceivedMessage): void {
    const m = rx.message;
    const total = this.wire.length;
    if (m instanceof common.MissionRequestInt || m instanceof common.MissionRequest) {
      if (!this.ours(m) || m.seq >= total) return;
      if (m.seq > this.highestRequested) {
        this.highestRequested = m.seq;
        this.step(m.seq === total - 1 ? 'awaitingAck' : 'sendingItems', () => this.sendItem(m.seq));
        this.options.onProgress?.(m.seq, total);
        return;
      }
      // A duplicate, late or repeated request (our item was lost): answer it again.
      this.sendItem(m.seq);
      if (m.seq === this.highestRequested) this.markSentAgain();
    } else if (m instanceof common.MissionAck && this.ours(m)) {
      if (m.type === Result.ACCEPTED) {
        // An ACCEPTED before the last item went out is a stale ack from an earlier transfer.
        if (this.highestRequested !== total - 1) return;
        this.options.onProgress?.(total, total);
        this.succeed(undefined);
      } else if (m.type !== Result.INVALID_SEQUENCE) {
        // ArduPilot sends INVALID_SEQUENCE for a duplicate item and carries on: noise, not failure.
        const seq = this.highestRequested;
        const reason = missionResultReason(m.type, total, seq, this.wire[seq]);
        this.end('failed', new MissionTransferError(this.operation, m.type, reason));
      }
    }
  }

  protected abandon(): void {
    this.link.send(missionAckMessage(this.target, this.type, Result.OPERATION_CANCELLED));
  }

  protected timeoutError(afterMs: number): Error {
    const { operation, highestRequested } = this;
    const total = this.wire.length;
    if (highestRequested < 0) {
      return new TimeoutError(
        `${operation}: the vehicle did not answer MISSION_COUNT within ${seconds(afterMs)}`,
      );
    }
    if (highestRequested === total - 1) {
      return new TimeoutError(`${operation}: no MISSION_ACK within ${seconds(afterMs)} of the last item`);
    }
    return new TimeoutError(
      `${operation} stalled: the vehicle did not request item ${highestRequested + 1} of ${total} within ${seconds(afterMs)}`,
    );
  }
}

class DownloadTransfer extends MissionTransfer<WireItem[]> {
  private readonly items: WireItem[] = [];
  private count = -1;

  constructor(
    link: MavLinkConnection,
    target: Target,
    type: MissionType,
    roundTrip: RoundTripEstimate,
    options: MissionTransferOptions,
  ) {
    super(link, target, type, roundTrip, options, 'download');
  }

  protected begin(): void {
    this.step('requestingList', () => this.link.send(missionRequestListMessage(this.target, this.type)));
  }

  private requestItem(seq: number): void {
    this.step('requestingItem', () => this.link.send(missionRequestIntMessage(this.target, this.type, seq)));
  }

  private sendAck(result: common.MavMissionResult): void {
    this.link.send(missionAckMessage(this.target, this.type, result));
  }

  protected onMessage(rx: ReceivedMessage): void {
    const m = rx.message;
    const { items } = this;
    if (m instanceof common.MissionCount && this.ours(m)) {
      if (this.state !== 'requestingList') return;
      this.count = m.count;
      if (m.count > 0) {
        this.requestItem(0);
        this.options.onProgress?.(0, m.count);
        return;
      }
      this.sendAck(Result.ACCEPTED);
      this.succeed(items);
    } else if (m instanceof common.MissionItemInt && this.ours(m)) {
      // Duplicates and late answers to earlier requests carry another seq: ignore them.
      if (this.state !== 'requestingItem' || m.seq !== items.length) return;
      items.push(wireItemOf(m));
      if (items.length < this.count) {
        this.requestItem(items.length);
        this.options.onProgress?.(items.length, this.count);
        return;
      }
      this.sendAck(Result.ACCEPTED);
      this.options.onProgress?.(this.count, this.count);
      this.succeed(items);
    } else if (m instanceof common.MissionAck && this.ours(m)) {
      if (m.type === Result.ACCEPTED || m.type === Result.INVALID_SEQUENCE) return;
      const reason = missionResultReason(m.type, this.count, items.length, undefined);
      this.end('failed', new MissionTransferError(this.operation, m.type, reason));
    }
  }

  protected abandon(): void {
    this.sendAck(Result.OPERATION_CANCELLED);
  }

  protected timeoutError(afterMs: number): Error {
    const { operation, count } = this;
    return count < 0
      ? new TimeoutError(`${operation}: no MISSION_COUNT within ${seconds(afterMs)}`)
      : new TimeoutError(
          `${operation} stalled: no item ${this.items.length} of ${count} within ${seconds(afterMs)}`,
        );
  }
}

class ClearTransfer extends MissionTransfer<void> {
  constructor(
    link: MavLinkConnection,
    target: Target,
    type: MissionType,
    roundTrip: RoundTripEstimate,
    options: MissionTransferOptions,
  ) {
    super(link, target, type, roundTrip, options, 'clear');
  }

  protected begin(): void {
    this.step('clearing', () => this.link.send(missionClearAllMessage(this.target, this.type)));
  }

  protected onMessage(rx: ReceivedMessage): void {
    const m = rx.message;
    if (!(m instanceof common.MissionAck) || !this.ours(m)) return;
    if (m.type === Result.ACCEPTED) this.succeed(undefined);
    else if (m.type !== Result.INVALID_SEQUENCE) {
      const reason = missionResultReason(m.type, 0, -1, undefined);
      this.end('failed', new MissionTransferError(this.operation, m.type, reason));
    }
  }

  // MISSION_CLEAR_ALL has no transfer on the vehicle's side to cancel.
  protected abandon(): void {}

  protected timeoutError(afterMs: number): Error {
    return new TimeoutError(`${this.operation}: no MISSION_ACK within ${seconds(afterMs)}`);
  }
}

/**
 * A link's mission transfers (MAVSDK's MavlinkMissionTransferClient): one in flight at a time, as the
 * protocol allows, the others queued behind it; the link's round trip as earlier transfers measured
 * it, so that a new transfer starts with it; and the transfer in flight, whose state says what it
 * waits for. The link owns one (MavLinkConnection.missionTransfers).
 */
export class MissionTransferClient {
  private readonly roundTrip = new RoundTripEstimate();
  private queue: Promise<unknown> = Promise.resolve();
  private active: { readonly state: MissionTransferState } | undefined;

  constructor(private readonly link: MavLinkConnection) {}

  /** The state of the transfer in flight; 'idle' when there is none. */
  get state(): MissionTransferState {
    return this.active?.state ?? 'idle';
  }

  /** Runs `work` after the work queued before it has ended; `work` runs its transfers one by one. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  // upload, download and clear start a transfer at once: call them from work given to `exclusive`.

  upload(
    target: Target,
    type: MissionType,
    wire: WireItem[],
    options: MissionTransferOptions,
  ): Promise<void> {
    return this.run(new UploadTransfer(this.link, target, type, this.roundTrip, options, wire));
  }

  download(target: Target, type: MissionType, options: MissionTransferOptions): Promise<WireItem[]> {
    return this.run(new DownloadTransfer(this.link, target, type, this.roundTrip, options));
  }

  clear(target: Target, type: MissionType, options: MissionTransferOptions): Promise<void> {
    return this.run(new ClearTransfer(this.link, target, type, this.roundTrip, options));
  }

  private async run<T>(transfer: MissionTransfer<T>): Promise<T> {
    this.active = transfer;
    try {
      return await transfer.run();
    } finally {
      if (this.active === transfer) this.active = undefined;
    }
  }
}
