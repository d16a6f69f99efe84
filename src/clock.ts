import { performance } from 'node:perf_hooks';

declare const timerBrand: unique symbol;
/** What `Clock.setTimeout` returns; only its own clock's `clearTimeout` understands it. */
export type TimerHandle = { readonly [timerBrand]: true };

/**
 * Where protocol code reads the time and sets its timers, so that tests run retries and timeouts in
 * simulated time (a fake clock) while the daemon runs on the system clock.
 */
export interface Clock {
  /** Milliseconds on a monotonic clock; only differences mean anything. */
  nowMs(): number;
  /** Calls `fn` once, `delayMs` from now. */
  setTimeout(fn: () => void, delayMs: number): TimerHandle;
  /** Cancels a timer that has not fired; undefined and fired timers are ignored. */
  clearTimeout(handle: TimerHandle | undefined): void;
}

/** The wall clock: performance.now and Node's timers. */
export const systemClock: Clock = {
  nowMs: () => performance.now(),
  setTimeout: (fn, delayMs) => setTimeout(fn, delayMs) as unknown as TimerHandle,
  clearTimeout: (handle) => clearTimeout(handle as unknown as NodeJS.Timeout | undefined),
};

/**
 * Calls `fn` every `periodMs` on `clock`, as setInterval does (the next call is set before this one
 * runs, so a throwing `fn` does not stop it); returns the function that stops it.
 */
export function setRepeating(clock: Clock, fn: () => void, periodMs: number): () => void {
  let handle: TimerHandle | undefined;
  let stopped = false;
  const schedule = (): void => {
    handle = clock.setTimeout(() => {
      if (stopped) return;
      schedule();
      fn();
    }, periodMs);
  };
  schedule();
  return () => {
    stopped = true;
    clock.clearTimeout(handle);
  };
}

/** Resolves `delayMs` from now on `clock`, or at once when `signal` aborts. */
export function sleep(clock: Clock, delayMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clock.clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = clock.setTimeout(done, delayMs);
    signal?.addEventListener('abort', done, { once: true });
  });
}
