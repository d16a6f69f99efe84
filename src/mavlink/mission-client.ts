import { common } from 'node-mavlink';
import { TimeoutError, UserError } from '../errors.js';
import { LINK_TIMING } from '../timing.js';
import { CommandRejectedError, sendCommand } from './command-client.js';
import type { MavLinkConnection } from './link.js';
import { type MissionItem, MissionType } from './mission-item.js';
import type { MissionTransferOptions } from './mission-transfer.js';
import {
  decodeMissionItem,
  encodeMissionItem,
  firstDifference,
  isMissionType,
  MISSION_TYPE_NAMES,
  missionSetCurrentMessage,
  type WireItem,
} from './mission-wire.js';
import { isFromTarget, type Target } from './target.js';

// The transfer's error and options belong to the state machine; callers know them from here.
export { MissionTransferError, type MissionTransferOptions } from './mission-transfer.js';

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
  const transfers = link.missionTransfers;
  return transfers.exclusive(() => transfers.upload(target, type, wire, opts));
}

/** Reads the vehicle's mission (or fence, or rally list). */
export async function downloadMission(
  link: MavLinkConnection,
  target: Target,
  opts: MissionTransferOptions = {},
): Promise<MissionItem[]> {
  const type = typeOf(opts);
  const transfers = link.missionTransfers;
  const wire = await transfers.exclusive(() => transfers.download(target, type, opts));
  return wire.map(decodeMissionItem);
}

/** Clears the vehicle's mission (or fence, or rally list) with MISSION_CLEAR_ALL. */
export async function clearMission(
  link: MavLinkConnection,
  target: Target,
  opts: Pick<MissionTransferOptions, 'missionType' | 'signal' | 'onStateChange' | 'clock'> = {},
): Promise<void> {
  const type = typeOf(opts);
  const transfers = link.missionTransfers;
  return transfers.exclusive(() => transfers.clear(target, type, opts));
}

/**
 * The first difference between a planned item list and the vehicle's as the vehicle would hold them
 * (lat/lon as degrees × 1e7, params as float32), e.g. "seq 12, field param1: expected 5, vehicle has 0";
 * undefined when equal. A NaN (unused) param in the plan matches whatever the vehicle holds, and so does
 * an item planned in MAV_FRAME_MISSION (no position): ArduPilot reads both back as 0. `skipHome` leaves
 * out seq 0, which ArduPilot overwrites with its home.
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
  const transfers = link.missionTransfers;
  return transfers.exclusive(async () => {
    await transfers.upload(target, type, wire, {
      ...opts,
      onProgress: onProgress && ((done) => onProgress(done, 2 * n)),
    });
    const back = await transfers.download(target, type, {
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
  opts: Pick<MissionTransferOptions, 'signal' | 'clock'> = {},
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
    link.send(missionSetCurrentMessage(target, seq));
    try {
      await link.waitFor(
        common.MissionCurrent,
        (mc, rx) => mc.seq === seq && isFromTarget(rx, target, link),
        {
          timeoutMs: LINK_TIMING.missionItemTimeoutMs,
          signal: opts.signal,
          what,
          clock: opts.clock ?? link.clock,
        },
      );
      return;
    } catch (err) {
      if (!(err instanceof TimeoutError)) throw err;
    }
  }
  throw new TimeoutError(`${what}: no MISSION_CURRENT for it after ${LINK_TIMING.missionRetries + 1} tries`);
}
