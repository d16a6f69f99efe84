import { common } from 'node-mavlink';
import type { Clock, TimerHandle } from '../clock.js';
import { CancelledError, TimeoutError, UserError } from '../errors.js';
import { LINK_TIMING } from '../timing.js';
import type { MavLinkConnection } from './link.js';
import { isFromTarget, type Target } from './target.js';

export interface ParamInfo {
  name: string;
  /** The value as PARAM_VALUE carries it (a float32; integer parameters cast, as ArduPilot does). */
  value: number;
  /** MAV_PARAM_TYPE */
  type: number;
}

export interface ParamOptions {
  signal?: AbortSignal;
  /** Time and timers of the resends (default: the link's clock). */
  clock?: Clock;
}

export interface SetParamOptions extends ParamOptions {
  /** MAV_PARAM_TYPE to send; when left out the parameter is read first to learn it. */
  type?: number;
}

const PARAM_NAME_MAX_CHARS = 16;

function checkParamName(name: string): void {
  if (name.length === 0 || name.length > PARAM_NAME_MAX_CHARS) {
    throw new UserError(
      `parameter name '${name}' must be 1-${PARAM_NAME_MAX_CHARS} characters (has ${name.length})`,
    );
  }
  if (!/^[\x21-\x7e]+$/.test(name))
    throw new UserError(`parameter name '${name}' must be printable ASCII without spaces`);
}

interface ValueWait<T> {
  what: string;
  send: () => void;
  /** A PARAM_VALUE for the name arrived: the result, or undefined to keep waiting. */
  settle: (m: common.ParamValue) => T | undefined;
  /** Called on each timeout with the sends so far: an error ends the wait, undefined resends. */
  onTimeout: (sends: number) => Error | undefined;
}

function awaitParamValue<T>(
  link: MavLinkConnection,
  target: Target,
  name: string,
  { signal, clock = link.clock }: ParamOptions,
  { what, send, settle, onTimeout }: ValueWait<T>,
): Promise<T> {
  if (signal?.aborted) return Promise.reject(new CancelledError(what));
  return new Promise((resolve, reject) => {
    let sends = 0;
    let timer: TimerHandle | undefined;
    const finish = (err: Error | undefined, value?: T) => {
      clock.clearTimeout(timer);
      unsubscribe();
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(value as T);
    };
    const onAbort = () => finish(new CancelledError(what));
    const attempt = () => {
      sends++;
      send();
      timer = clock.setTimeout(() => {
        const err = onTimeout(sends);
        if (err) finish(err);
        else attempt();
      }, LINK_TIMING.paramTimeoutMs);
    };
    const unsubscribe = link.onMessage((rx) => {
      if (!(rx.message instanceof common.ParamValue) || rx.message.paramId !== name) return;
      if (!isFromTarget(rx, target, link)) return;
      const value = settle(rx.message);
      if (value !== undefined) finish(undefined, value);
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    attempt();
  });
}

const infoOf = (m: common.ParamValue): ParamInfo => ({
  name: m.paramId,
  value: m.paramValue,
  type: m.paramType,
});

/** Reads one parameter by name (PARAM_REQUEST_READ → PARAM_VALUE), with retries. */
export async function readParam(
  link: MavLinkConnection,
  target: Target,
  name: string,
  opts: ParamOptions = {},
): Promise<ParamInfo> {
  checkParamName(name);
  const what = `reading parameter ${name}`;
  return awaitParamValue(link, target, name, opts, {
    what,
    send: () => {
      const m = new common.ParamRequestRead();
      m.targetSystem = target.sysid;
      m.targetComponent = target.compid;
      m.paramId = name;
      m.paramIndex = -1;
      link.send(m);
    },
    settle: infoOf,
    onTimeout: (sends) =>
      sends > LINK_TIMING.paramRetries
        ? new TimeoutError(`${what}: no PARAM_VALUE after ${sends} requests (does the vehicle have it?)`)
        : undefined,
  });
}

/**
 * Sets one parameter (PARAM_SET) and resolves with the value the vehicle echoes in PARAM_VALUE.
 * Rejects when the vehicle keeps a different value (a cast integer, a clamped range).
 */
export async function setParam(
  link: MavLinkConnection,
  target: Target,
  name: string,
  value: number,
  opts: SetParamOptions = {},
): Promise<ParamInfo> {
  checkParamName(name);
  if (!Number.isFinite(value)) throw new UserError(`parameter ${name}: value ${value} is not a number`);
  const type = opts.type ?? (await readParam(link, target, name, opts)).type;
  const wanted = Math.fround(value);
  const what = `setting parameter ${name}`;
  // An echo of another value may be a late answer to an earlier request; only one seen after two
  // separate sends means the vehicle really keeps another value.
  let otherValue: number | undefined;
  let otherValueThisSend = false;
  let sendsWithOtherValue = 0;
  return awaitParamValue(link, target, name, opts, {
    what,
    send: () => {
      otherValueThisSend = false;
      const m = new common.ParamSet();
      m.targetSystem = target.sysid;
      m.targetComponent = target.compid;
      m.paramId = name;
      m.paramValue = value;
      m.paramType = type as common.MavParamType;
      link.send(m);
    },
    settle: (m) => {
      if (m.paramValue === wanted) return infoOf(m);
      otherValue = m.paramValue;
      otherValueThisSend = true;
      return undefined;
    },
    onTimeout: (sends) => {
      if (otherValueThisSend) sendsWithOtherValue++;
      const rejected = new UserError(`${what} to ${value}: the vehicle keeps ${otherValue}`);
      if (sendsWithOtherValue >= 2) return rejected;
      if (sends <= LINK_TIMING.paramRetries) return undefined;
      return otherValue !== undefined
        ? rejected
        : new TimeoutError(`${what}: no PARAM_VALUE after ${sends} tries`);
    },
  });
}
