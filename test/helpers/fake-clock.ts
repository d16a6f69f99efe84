import type { Clock, TimerHandle } from '../../src/clock.js';

interface Timer {
  dueMs: number;
  /** Order of creation: timers due at the same time fire in the order they were set. */
  order: number;
  fn: () => void;
}

/** Lets callbacks queued by fired timers run: process.nextTick, promises, stream 'data' events. */
const settleIo = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Simulated time for tests (MAVSDK's FakeTime): time stands still until the test advances it, and
 * due timers fire one by one in time order, each at its own time, with pending I/O callbacks run
 * after each. Messages between links must travel on this clock too (see openSimulatedLinkPair).
 */
export class FakeClock implements Clock {
  private now: number;
  private nextOrder = 0;
  private readonly timers = new Map<TimerHandle, Timer>();

  constructor(startMs = 0) {
    this.now = startMs;
  }

  nowMs(): number {
    return this.now;
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    const handle = {} as TimerHandle;
    this.timers.set(handle, { dueMs: this.now + Math.max(0, delayMs), order: this.nextOrder++, fn });
    return handle;
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle) this.timers.delete(handle);
  }

  /** Timers set and not yet fired or cleared. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing every timer due on the way. */
  async advance(ms: number): Promise<void> {
    const untilMs = this.now + ms;
    await settleIo();
    while (this.fireNext(untilMs)) await settleIo();
    this.now = untilMs;
  }

  /**
   * Advances timer by timer until `promise` settles, and returns it (to await or assert on); fails
   * when no timer is left to move it or after `limitMs` of simulated time.
   */
  async run<T>(promise: Promise<T>, limitMs = 3_600_000): Promise<T> {
    let settled = false;
    promise.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    const untilMs = this.now + limitMs;
    await settleIo();
    while (!settled) {
      if (!this.fireNext(untilMs)) {
        throw new Error(
          `FakeClock.run: still pending at ${this.now} ms with ${this.timers.size} timers (limit ${untilMs} ms)`,
        );
      }
      await settleIo();
    }
    return promise;
  }

  /** Fires the earliest timer due by `untilMs`; false when there is none. */
  private fireNext(untilMs: number): boolean {
    let next: [TimerHandle, Timer] | undefined;
    for (const entry of this.timers) {
      const [, t] = entry;
      if (t.dueMs > untilMs) continue;
      if (!next || t.dueMs < next[1].dueMs || (t.dueMs === next[1].dueMs && t.order < next[1].order)) {
        next = entry;
      }
    }
    if (!next) return false;
    const [handle, timer] = next;
    this.timers.delete(handle);
    this.now = timer.dueMs;
    timer.fn();
    return true;
  }
}
