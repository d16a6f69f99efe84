import { ardupilotmega, common } from 'node-mavlink';
import type { Clock, TimerHandle } from '../clock.js';
import { CancelledError, TimeoutError, UserError } from '../errors.js';
import { LINK_TIMING } from '../timing.js';
import type { MavLinkConnection } from './link.js';
import { encodeXY } from './mission-wire.js';
import { isFromTarget, type Target } from './target.js';

export interface CommandOptions {
  signal?: AbortSignal;
  /** MAV_FRAME of a COMMAND_INT (default MAV_FRAME_GLOBAL_RELATIVE_ALT); giving one implies COMMAND_INT. */
  frame?: number;
  /** Send COMMAND_INT: params 5 and 6 are latitude/longitude in degrees (sent as degrees × 1e7). */
  useInt?: boolean;
  /** Progress in percent while the vehicle reports MAV_RESULT_IN_PROGRESS. */
  onProgress?: (pct: number) => void;
  /** Time and timers of the resends and waits (default: the link's clock). */
  clock?: Clock;
}

const MAV_FRAME_GLOBAL_RELATIVE_ALT = 3;
/** COMMAND_ACK.progress when the vehicle does not know how far along it is. */
const PROGRESS_UNKNOWN = 255;

const R = common.MavResult;

/** "MAV_CMD_NAV_TAKEOFF", or "command 31999" when neither the common nor the ArduPilot dialect names it. */
export function mavCmdName(command: number): string {
  const name =
    (common.MavCmd as Record<number, string>)[command] ??
    (ardupilotmega.MavCmd as Record<number, string>)[command];
  return name ? `MAV_CMD_${name}` : `command ${command}`;
}

function resultMeaning(result: number, frame: number | undefined): string {
  switch (result) {
    case R.TEMPORARILY_REJECTED:
      return 'was temporarily rejected: the vehicle cannot do it right now, try again shortly';
    case R.DENIED:
      return 'was denied: the vehicle will not do it with these parameters, retrying will not help';
    case R.UNSUPPORTED:
      return 'is not supported by this vehicle';
    case R.FAILED:
      return 'failed: the vehicle could not carry it out (check its pre-arm and EKF status)';
    case R.CANCELLED:
      return 'was cancelled before it finished';
    case R.COMMAND_LONG_ONLY:
      return 'is accepted only as COMMAND_LONG';
    case R.COMMAND_INT_ONLY:
      return 'is accepted only as COMMAND_INT';
    case R.COMMAND_UNSUPPORTED_MAV_FRAME:
      return `does not support frame ${frame ?? 'none'}`;
    default:
      return `was answered with unknown result ${result}`;
  }
}

/** The vehicle answered a command with a MAV_RESULT other than ACCEPTED or IN_PROGRESS. */
export class CommandRejectedError extends UserError {
  /** MAV_RESULT name, e.g. 'DENIED'. */
  readonly resultName: string;

  constructor(
    readonly command: number,
    readonly result: number,
    frame?: number,
  ) {
    const resultName = (R as Record<number, string>)[result] ?? String(result);
    super(`${mavCmdName(command)} ${resultMeaning(result, frame)} (MAV_RESULT_${resultName})`);
    this.name = 'CommandRejectedError';
    this.resultName = resultName;
  }
}

function commandMessage(
  target: Target,
  command: number,
  params: number[],
  confirmation: number,
  int: { frame: number; x: number; y: number } | undefined,
): common.CommandLong | common.CommandInt {
  const m = int ? new common.CommandInt() : new common.CommandLong();
  m.targetSystem = target.sysid;
  m.targetComponent = target.compid;
  m.command = command as common.MavCmd;
  m._param1 = params[0];
  m._param2 = params[1];
  m._param3 = params[2];
  m._param4 = params[3];
  m._param7 = params[6];
  if (m instanceof common.CommandInt && int) {
    m.frame = int.frame as common.MavFrame;
    m.current = 0;
    m.autocontinue = 0;
    m._param5 = int.x;
    m._param6 = int.y;
  } else if (m instanceof common.CommandLong) {
    m.confirmation = confirmation;
    m._param5 = params[4];
    m._param6 = params[5];
  }
  return m;
}

/**
 * Sends a MAV_CMD as COMMAND_LONG (or COMMAND_INT) and resolves on its COMMAND_ACK ACCEPTED from `target`.
 * Resends with the confirmation counted up until acked; IN_PROGRESS stops the resends and waits for the
 * final ack; any other result rejects with a CommandRejectedError.
 */
export async function sendCommand(
  link: MavLinkConnection,
  target: Target,
  command: number,
  params: number[] = [],
  opts: CommandOptions = {},
): Promise<void> {
  const name = mavCmdName(command);
  if (params.length > 7)
    throw new UserError(`${name}: ${params.length} params given, a command has at most 7`);
  const padded = [...params, 0, 0, 0, 0, 0, 0, 0].slice(0, 7);
  const useInt = opts.useInt ?? opts.frame !== undefined;
  const frame = useInt ? (opts.frame ?? MAV_FRAME_GLOBAL_RELATIVE_ALT) : undefined;
  const int =
    frame === undefined
      ? undefined
      : { frame, x: encodeXY(frame, padded[4], 'x', name), y: encodeXY(frame, padded[5], 'y', name) };
  const { signal, onProgress, clock = link.clock } = opts;
  if (signal?.aborted) throw new CancelledError(name);

  return new Promise((resolve, reject) => {
    let confirmation = 0;
    let inProgress = false;
    let timer: TimerHandle | undefined;
    const finish = (err?: Error) => {
      clock.clearTimeout(timer);
      unsubscribe();
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    const onAbort = () => finish(new CancelledError(name));
    const send = () => {
      link.send(commandMessage(target, command, padded, confirmation, int));
      wait(LINK_TIMING.commandAckTimeoutMs);
    };
    const wait = (timeoutMs: number) => {
      clock.clearTimeout(timer);
      timer = clock.setTimeout(onTimeout, timeoutMs);
    };
    const onTimeout = () => {
      if (inProgress) {
        const seconds = LINK_TIMING.commandInProgressTimeoutMs / 1000;
        finish(new TimeoutError(`${name}: no final COMMAND_ACK within ${seconds} s of the last IN_PROGRESS`));
        return;
      }
      if (confirmation >= LINK_TIMING.commandRetries) {
        const tries = confirmation + 1;
        finish(
          new TimeoutError(
            `${name}: no COMMAND_ACK from ${target.sysid}/${target.compid} after ${tries} tries`,
          ),
        );
        return;
      }
      confirmation++;
      send();
    };
    const unsubscribe = link.onMessage((rx) => {
      if (!(rx.message instanceof common.CommandAck) || rx.message.command !== command) return;
      if (!isFromTarget(rx, target, link)) return;
      const { result, progress } = rx.message;
      if (result === R.ACCEPTED) {
        finish();
      } else if (result === R.IN_PROGRESS) {
        inProgress = true;
        if (progress !== PROGRESS_UNKNOWN) onProgress?.(progress);
        wait(LINK_TIMING.commandInProgressTimeoutMs);
      } else {
        finish(new CommandRejectedError(command, result, frame));
      }
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    send();
  });
}
