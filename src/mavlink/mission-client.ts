import { common } from 'node-mavlink';
import { systemClock } from '../clock.js';
import { CancelledError, TimeoutError, UserError } from '../errors.js';
import { LINK_TIMING } from '../timing.js';
import type { ReceivedMessage } from './codec.js';
import { CommandRejectedError, mavCmdName, sendCommand } from './command-client.js';
import type { MavLinkConnection } from './link.js';
import { type MissionItem, MissionType } from './mission-item.js';
import {
  decodeMissionItem,
  encodeMissionItem,
  firstDifference,
  isMissionType,
  MISSION_TYPE_NAMES,
  missionAckMessage,
  missionItemIntMessage,
  type WireItem,
  wireItemOf,
} from './mission-wire.js';
import { Resender, RoundTripEstimate } from './resend.js';
import { isFromTarget, type Target } from './target.js';

export interface MissionTransferOptions {
  /** Which list: mission (default), fence or rally. */
  missionType?: MissionType;
  signal?: AbortSignal;
  /** Items confirmed so far and the total (upload: received by the vehicle; download: received here). */
  onProgress?: (done: number, total: number) => void;
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

/** A mission read back after upload differs from what was sent. */
export class MissionVerifyError extends UserError {
  constructor(
    message: string,
    /** The first differing item, undefined when the counts differ. */
    readonly seq: number | undefined,
    /** The first differing field ('count' when the counts differ). */
    readonly field: string,
  ) {
    super(message);
    this.name = 'MissionVerifyError';
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

const queues = new WeakMap<MavLinkConnection, Promise<unknown>>();
const roundTrips = new WeakMap<MavLinkConnection, RoundTripEstimate>();

/** The link's round trip as earlier transfers measured it, so a new transfer starts with it. */
function roundTrip(link: MavLinkConnection): RoundTripEstimate {
  let estimate = roundTrips.get(link);
  if (!estimate) {
    estimate = new RoundTripEstimate();
    roundTrips.set(link, estimate);
  }
  return estimate;
}

/** Runs mission transfers on one link one after another: the protocol has one transfer in flight. */
function exclusive<T>(link: MavLinkConnection, run: () => Promise<T>): Promise<T> {
  const result = (queues.get(link) ?? Promise.resolve()).then(run, run);
  queues.set(
    link,
    result.catch(() => undefined),
  );
  return result;
}

function typeOf(opts: MissionTransferOptions): MissionType {
  const type = opts.missionType ?? MissionType.Mission;
  if (!isMissionType(type))
    throw new UserError(`mission type ${type} is not mission (0), fence (1) or rally (2)`);
  return type;
}

function encodeAll(items: MissionItem[], type: MissionType): WireItem[] {
  if (items.length > 0xffff)
    throw new UserError(`${MISSION_TYPE_NAMES[type]} has ${items.length} items, MAVLink allows 65535`);
  return items.map((item, seq) => encodeMissionItem(item, `${MISSION_TYPE_NAMES[type]} item ${seq}`));
}

/** Everything one transfer needs to finish: subscription, resends, cancellation. */
interface TransferHooks<T> {
  operation: string;
  /** Called with every message from the target addressed to us; `done` ends the transfer. */
  onMessage: (
    rx: ReceivedMessage,
    done: (err: Error | undefined, value?: T) => void,
    resender: Resender,
  ) => void;
  /** The first message, sent (and resent) when the transfer starts. */
  start: () => void;
  /** The error when the vehicle stops answering. */
  timeoutError: (afterMs: number) => Error;
  /** Tells the vehicle when we give up or are cancelled. */
  onAbandon?: () => void;
}

function runTransfer<T>(
  link: MavLinkConnection,
  target: Target,
  signal: AbortSignal | undefined,
  hooks: TransferHooks<T>,
): Promise<T> {
  if (signal?.aborted) return Promise.reject(new CancelledError(hooks.operation));
  return new Promise((resolve, reject) => {
    const done = (err: Error | undefined, value?: T) => {
      resender.stop();
      unsubscribe();
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(value as T);
    };
    const resender = new Resender(
      roundTrip(link),
      LINK_TIMING.missionItemTimeoutMs,
      LINK_TIMING.missionRetries,
      () => {
        hooks.onAbandon?.();
        done(hooks.timeoutError(resender.giveUpAfterMs));
      },
      systemClock,
    );
    const onAbort = () => {
      hooks.onAbandon?.();
      done(new CancelledError(hooks.operation));
    };
    const unsubscribe = link.onMessage((rx) => {
      if (isFromTarget(rx, target, link)) hooks.onMessage(rx, done, resender);
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    resender.step(hooks.start);
  });
}

function seconds(ms: number): string {
  return `${ms / 1000} s`;
}

function upload(
  link: MavLinkConnection,
  target: Target,
  wire: WireItem[],
  type: MissionType,
  opts: MissionTransferOptions,
): Promise<void> {
  const operation = `${MISSION_TYPE_NAMES[type]} upload`;
  const total = wire.length;
  let highestRequested = -1;
  const sendItem = (seq: number) => link.send(missionItemIntMessage(wire[seq], seq, type, target));
  return runTransfer<void>(link, target, opts.signal, {
    operation,
    start: () => {
      const m = new common.MissionCount();
      m.targetSystem = target.sysid;
      m.targetComponent = target.compid;
      m.count = total;
      m.missionType = type as number as common.MavMissionType;
      m.opaqueId = 0;
      link.send(m);
    },
    onMessage: (rx, done, resender) => {
      const m = rx.message;
      if (m instanceof common.MissionRequestInt || m instanceof common.MissionRequest) {
        if ((m.missionType as number) !== type || m.seq >= total) return;
        if (m.seq > highestRequested) {
          highestRequested = m.seq;
          resender.step(() => sendItem(m.seq));
          opts.onProgress?.(m.seq, total);
          return;
        }
        // A duplicate, late or repeated request (our item was lost): answer it again.
        sendItem(m.seq);
        if (m.seq === highestRequested) resender.markSentAgain();
      } else if (m instanceof common.MissionAck && (m.missionType as number) === type) {
        if (m.type === Result.ACCEPTED) {
          // An ACCEPTED before the last item went out is a stale ack from an earlier transfer.
          if (highestRequested !== total - 1) return;
          opts.onProgress?.(total, total);
          done(undefined);
        } else if (m.type !== Result.INVALID_SEQUENCE) {
          // ArduPilot sends INVALID_SEQUENCE for a duplicate item and carries on: noise, not failure.
          const reason = missionResultReason(m.type, total, highestRequested, wire[highestRequested]);
          done(new MissionTransferError(operation, m.type, reason));
        }
      }
    },
    onAbandon: () => link.send(missionAckMessage(target, type, Result.OPERATION_CANCELLED)),
    timeoutError: (afterMs) => {
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
    },
  });
}

function download(
  link: MavLinkConnection,
  target: Target,
  type: MissionType,
  opts: MissionTransferOptions,
): Promise<WireItem[]> {
  const operation = `${MISSION_TYPE_NAMES[type]} download`;
  const items: WireItem[] = [];
  let count = -1;
  const sendAck = (result: common.MavMissionResult) => link.send(missionAckMessage(target, type, result));
  const request = (seq: number) => {
    const m = new common.MissionRequestInt();
    m.targetSystem = target.sysid;
    m.targetComponent = target.compid;
    m.seq = seq;
    m.missionType = type as number as common.MavMissionType;
    link.send(m);
  };
  return runTransfer<WireItem[]>(link, target, opts.signal, {
    operation,
    start: () => {
      const m = new common.MissionRequestList();
      m.targetSystem = target.sysid;
      m.targetComponent = target.compid;
      m.missionType = type as number as common.MavMissionType;
      link.send(m);
    },
    onMessage: (rx, done, resender) => {
      const m = rx.message;
      if (m instanceof common.MissionCount && (m.missionType as number) === type) {
        if (count >= 0) return;
        count = m.count;
        if (count > 0) {
          resender.step(() => request(0));
          opts.onProgress?.(0, count);
          return;
        }
        sendAck(Result.ACCEPTED);
        done(undefined, items);
      } else if (m instanceof common.MissionItemInt && (m.missionType as number) === type) {
        // Duplicates and late answers to earlier requests carry another seq: ignore them.
        if (count < 0 || m.seq !== items.length) return;
        items.push(wireItemOf(m));
        if (items.length < count) {
          resender.step(() => request(items.length));
          opts.onProgress?.(items.length, count);
          return;
        }
        sendAck(Result.ACCEPTED);
        opts.onProgress?.(count, count);
        done(undefined, items);
      } else if (m instanceof common.MissionAck && (m.missionType as number) === type) {
        if (m.type === Result.ACCEPTED || m.type === Result.INVALID_SEQUENCE) return;
        const reason = missionResultReason(m.type, count, items.length, undefined);
        done(new MissionTransferError(operation, m.type, reason));
      }
    },
    onAbandon: () => sendAck(Result.OPERATION_CANCELLED),
    timeoutError: (afterMs) =>
      count < 0
        ? new TimeoutError(`${operation}: no MISSION_COUNT within ${seconds(afterMs)}`)
        : new TimeoutError(
            `${operation} stalled: no item ${items.length} of ${count} within ${seconds(afterMs)}`,
          ),
  });
}

/**
 * Uploads `items` as the vehicle's mission (or fence, or rally list), replacing what it holds.
 * For the mission type item 0 is home: ArduPilot overwrites it, the plan starts at seq 1.
 */
export async function uploadMission(
  link: MavLinkConnection,
  target: Target,
  items: MissionItem[],
  opts: MissionTransferOptions = {},
): Promise<void> {
  const type = typeOf(opts);
  const wire = encodeAll(items, type);
  return exclusive(link, () => upload(link, target, wire, type, opts));
}

/** Reads the vehicle's mission (or fence, or rally list). */
export async function downloadMission(
  link: MavLinkConnection,
  target: Target,
  opts: MissionTransferOptions = {},
): Promise<MissionItem[]> {
  const type = typeOf(opts);
  const wire = await exclusive(link, () => download(link, target, type, opts));
  return wire.map(decodeMissionItem);
}

/** Clears the vehicle's mission (or fence, or rally list) with MISSION_CLEAR_ALL. */
export async function clearMission(
  link: MavLinkConnection,
  target: Target,
  opts: Pick<MissionTransferOptions, 'missionType' | 'signal'> = {},
): Promise<void> {
  const type = typeOf(opts);
  const operation = `${MISSION_TYPE_NAMES[type]} clear`;
  return exclusive(link, () =>
    runTransfer<void>(link, target, opts.signal, {
      operation,
      start: () => {
        const m = new common.MissionClearAll();
        m.targetSystem = target.sysid;
        m.targetComponent = target.compid;
        m.missionType = type as number as common.MavMissionType;
        link.send(m);
      },
      onMessage: (rx, done) => {
        const m = rx.message;
        if (!(m instanceof common.MissionAck) || (m.missionType as number) !== type) return;
        if (m.type === Result.ACCEPTED) done(undefined);
        else if (m.type !== Result.INVALID_SEQUENCE) {
          done(new MissionTransferError(operation, m.type, missionResultReason(m.type, 0, -1, undefined)));
        }
      },
      timeoutError: (afterMs) => new TimeoutError(`${operation}: no MISSION_ACK within ${seconds(afterMs)}`),
    }),
  );
}

/**
 * The first difference between two item lists as the vehicle would hold them (lat/lon as degrees × 1e7,
 * params as float32), e.g. "seq 12, field param1: expected 5, vehicle has 0"; undefined when equal.
 * `skipHome` leaves out seq 0, which ArduPilot overwrites with its home.
 */
export function missionsDiffer(
  expected: MissionItem[],
  actual: MissionItem[],
  opts: { skipHome?: boolean } = {},
): string | undefined {
  const encode = (items: MissionItem[], whose: string) =>
    items.map((item, seq) => encodeMissionItem(item, `${whose} item ${seq}`));
  return firstDifference(encode(expected, 'expected'), encode(actual, 'vehicle'), opts.skipHome ?? false)
    ?.text;
}

/**
 * Uploads, reads back and compares as the values travel (lat/lon as degrees × 1e7, params as float32);
 * resolves with the list the vehicle holds (home included). Progress counts both passes.
 */
export async function uploadAndVerifyMission(
  link: MavLinkConnection,
  target: Target,
  items: MissionItem[],
  opts: MissionTransferOptions = {},
): Promise<MissionItem[]> {
  const type = typeOf(opts);
  const wire = encodeAll(items, type);
  const n = wire.length;
  const { onProgress } = opts;
  return exclusive(link, async () => {
    await upload(link, target, wire, type, {
      ...opts,
      onProgress: onProgress && ((done) => onProgress(done, 2 * n)),
    });
    const back = await download(link, target, type, {
      ...opts,
      onProgress: onProgress && ((done) => onProgress(n + done, 2 * n)),
    });
    // Item 0 of a mission is home, which ArduPilot overwrites with its own.
    const difference = firstDifference(wire, back, type === MissionType.Mission);
    if (difference) {
      const { seq, field, text } = difference;
      throw new MissionVerifyError(
        `${MISSION_TYPE_NAMES[type]} read back differs from what was sent: ${text}`,
        seq,
        field,
      );
    }
    return back.map(decodeMissionItem);
  });
}

/**
 * Makes `seq` the current mission item: MAV_CMD_DO_SET_MISSION_CURRENT, or for autopilots that do not
 * know it the MISSION_SET_CURRENT message, confirmed by MISSION_CURRENT.
 */
export async function setCurrentMissionItem(
  link: MavLinkConnection,
  target: Target,
  seq: number,
  opts: { signal?: AbortSignal } = {},
): Promise<void> {
  if (!Number.isInteger(seq) || seq < 0 || seq > 0xffff)
    throw new UserError(`mission item ${seq} is not a seq (0-65535)`);
  try {
    await sendCommand(link, target, common.MavCmd.DO_SET_MISSION_CURRENT, [seq], opts);
    return;
  } catch (err) {
    const unsupported = err instanceof CommandRejectedError && err.result === common.MavResult.UNSUPPORTED;
    if (!unsupported && !(err instanceof TimeoutError)) throw err;
  }
  const what = `setting the current mission item to ${seq}`;
  for (let attempt = 0; attempt <= LINK_TIMING.missionRetries; attempt++) {
    const m = new common.MissionSetCurrent();
    m.targetSystem = target.sysid;
    m.targetComponent = target.compid;
    m.seq = seq;
    link.send(m);
    try {
      await link.waitFor(
        common.MissionCurrent,
        (mc, rx) => mc.seq === seq && isFromTarget(rx, target, link),
        {
          timeoutMs: LINK_TIMING.missionItemTimeoutMs,
          signal: opts.signal,
          what,
        },
      );
      return;
    } catch (err) {
      if (!(err instanceof TimeoutError)) throw err;
    }
  }
  throw new TimeoutError(`${what}: no MISSION_CURRENT for it after ${LINK_TIMING.missionRetries + 1} tries`);
}
