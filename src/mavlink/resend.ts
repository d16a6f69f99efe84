import type { Clock, TimerHandle } from '../clock.js';
import { LINK_TIMING } from '../timing.js';

/** Doublings of the wait are capped here; the wait itself is capped by the exchange's maxWaitMs. */
const MAX_BACKOFF = 8;

/**
 * One link's round trip, kept across exchanges: smoothed round trip and deviation (RFC 6298), and
 * Karn's backoff: a doubled wait is kept until an answer shows the link is not slower than estimated.
 */
export class RoundTripEstimate {
  private srttMs: number | undefined;
  private rttVarMs = 0;
  private backoff = 0;

  sample(rttMs: number): void {
    this.backoff = 0;
    if (this.srttMs === undefined) {
      this.srttMs = rttMs;
      this.rttVarMs = rttMs / 2;
      return;
    }
    this.rttVarMs = 0.75 * this.rttVarMs + 0.25 * Math.abs(this.srttMs - rttMs);
    this.srttMs = 0.875 * this.srttMs + 0.125 * rttMs;
  }

  /**
   * A step that went out more than once was answered: no sample (Karn). An answer within one round trip
   * of the last send means a packet was lost, not late, so the backoff ends; a later one keeps it.
   */
  resentAnswered(sinceLastSendMs: number): void {
    if (this.srttMs !== undefined && sinceLastSendMs <= this.rtoMs(this.srttMs)) this.backoff = 0;
  }

  backOff(): void {
    this.backoff = Math.min(MAX_BACKOFF, this.backoff + 1);
  }

  /** How long to wait for an answer before resending: maxWaitMs until the first sample. */
  waitMs(maxWaitMs: number): number {
    if (this.srttMs === undefined) return maxWaitMs;
    return Math.min(maxWaitMs, this.rtoMs(this.srttMs) * 2 ** this.backoff);
  }

  private rtoMs(srttMs: number): number {
    return Math.max(LINK_TIMING.missionMinResendMs, srttMs + 4 * this.rttVarMs);
  }
}

/**
 * Drives one side of a step-by-step exchange (the mission protocol): sends the current step and resends
 * it until the next step starts, waiting as `estimate` says (at least LINK_TIMING.missionMinResendMs, at
 * most `maxWaitMs`). With no progress for `maxWaitMs × (retries + 1)` it stops and calls `onGiveUp`, so
 * it never gives up sooner than fixed `maxWaitMs` timeouts with `retries` resends would. Time and
 * timers come from `clock`.
 */
export class Resender {
  private timer: TimerHandle | undefined;
  private send: () => void = () => {};
  private stepAtMs = 0;
  private lastSendAtMs = 0;
  private resent = false;
  private started = false;
  private stopped = false;

  constructor(
    private readonly estimate: RoundTripEstimate,
    private readonly maxWaitMs: number,
    private readonly retries: number,
    private readonly onGiveUp: () => void,
    private readonly clock: Clock,
  ) {}

  /** Starts a new step (the previous one counts as answered): `send` runs now and on every timeout. */
  step(send: () => void): void {
    if (this.stopped) return;
    const nowMs = this.clock.nowMs();
    if (this.started && !this.resent) this.estimate.sample(nowMs - this.stepAtMs);
    else if (this.started) this.estimate.resentAnswered(nowMs - this.lastSendAtMs);
    this.started = true;
    this.send = send;
    this.stepAtMs = nowMs;
    this.lastSendAtMs = nowMs;
    this.resent = false;
    send();
    this.arm();
  }

  /** The current step went out again because the peer asked for it again. */
  markSentAgain(): void {
    this.resent = true;
    this.lastSendAtMs = this.clock.nowMs();
  }

  /** Ends the exchange for good: later steps send nothing. */
  stop(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
  }

  /** The longest a step can go without progress before the exchange gives up. */
  get giveUpAfterMs(): number {
    return this.maxWaitMs * (this.retries + 1);
  }

  private arm(): void {
    this.clock.clearTimeout(this.timer);
    const waitMs = this.estimate.waitMs(this.maxWaitMs);
    const leftMs = this.stepAtMs + this.giveUpAfterMs - this.clock.nowMs();
    if (leftMs <= waitMs) {
      this.timer = this.clock.setTimeout(
        () => {
          this.stop();
          this.onGiveUp();
        },
        Math.max(0, leftMs),
      );
      return;
    }
    this.timer = this.clock.setTimeout(() => {
      this.resent = true;
      this.lastSendAtMs = this.clock.nowMs();
      this.estimate.backOff();
      this.send();
      this.arm();
    }, waitMs);
  }
}
