import { performance } from 'node:perf_hooks';
import { LINK_TIMING } from './timing.js';

/**
 * Drives one side of a step-by-step exchange (the mission protocol): sends the current step and resends
 * it until the next step starts. The wait starts at the smoothed round trip plus four deviations
 * (RFC 6298), at least LINK_TIMING.missionMinResendMs, and doubles per resend up to `maxWaitMs`. With no
 * progress for `maxWaitMs × (retries + 1)` it stops and calls `onGiveUp`, so it never gives up sooner
 * than fixed `maxWaitMs` timeouts with `retries` resends would.
 */
export class Resender {
  private srttMs: number | undefined;
  private rttVarMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private send: () => void = () => {};
  private stepAtMs = 0;
  private resends = 0;
  private sentAgain = false;
  private active = false;

  constructor(
    private readonly maxWaitMs: number,
    private readonly retries: number,
    private readonly onGiveUp: () => void,
  ) {}

  /** Starts a new step (the previous one counts as answered): `send` runs now and on every timeout. */
  step(send: () => void): void {
    const nowMs = performance.now();
    // Karn's rule: a step that went out more than once gives no clean round-trip sample.
    if (this.active && this.resends === 0 && !this.sentAgain) this.sample(nowMs - this.stepAtMs);
    this.active = true;
    this.send = send;
    this.stepAtMs = nowMs;
    this.resends = 0;
    this.sentAgain = false;
    send();
    this.arm();
  }

  /** The current step went out again because the peer asked for it again. */
  markSentAgain(): void {
    this.sentAgain = true;
  }

  stop(): void {
    this.active = false;
    clearTimeout(this.timer);
  }

  /** The longest a step can go without progress before the exchange gives up. */
  get giveUpAfterMs(): number {
    return this.maxWaitMs * (this.retries + 1);
  }

  private arm(): void {
    clearTimeout(this.timer);
    const waitMs = Math.min(this.maxWaitMs, this.baseWaitMs() * 2 ** this.resends);
    const leftMs = this.stepAtMs + this.giveUpAfterMs - performance.now();
    if (leftMs <= waitMs) {
      this.timer = setTimeout(() => {
        this.stop();
        this.onGiveUp();
      }, Math.max(0, leftMs));
      return;
    }
    this.timer = setTimeout(() => {
      this.resends++;
      this.send();
      this.arm();
    }, waitMs);
  }

  private baseWaitMs(): number {
    if (this.srttMs === undefined) return this.maxWaitMs;
    const rtoMs = this.srttMs + 4 * this.rttVarMs;
    return Math.min(this.maxWaitMs, Math.max(LINK_TIMING.missionMinResendMs, rtoMs));
  }

  private sample(rttMs: number): void {
    if (this.srttMs === undefined) {
      this.srttMs = rttMs;
      this.rttVarMs = rttMs / 2;
      return;
    }
    this.rttVarMs = 0.75 * this.rttVarMs + 0.25 * Math.abs(this.srttMs - rttMs);
    this.srttMs = 0.875 * this.srttMs + 0.125 * rttMs;
  }
}
