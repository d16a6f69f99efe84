import { EventEmitter } from 'node:events';
import { type Clock, systemClock, type TimerHandle } from '../clock.js';
import type { Transport } from '../mavlink/index.js';
import { seededRandom } from '../random.js';

/** Link faults the simulator can inject, each direction seen from the vehicle. */
export interface LinkFaults {
  /** Probability (0..1) that a packet the vehicle sends is lost. */
  lossOut: number;
  /** Probability (0..1) that a packet sent to the vehicle is lost. */
  lossIn: number;
  /** Probability (0..1) that a packet is delivered twice, each direction. */
  duplicate: number;
  /** Fixed added latency per packet, each direction. */
  latencyMs: number;
  /** Random extra latency 0..jitterMs per packet; with it packets arrive out of order. */
  jitterMs: number;
}

export const NO_FAULTS: LinkFaults = { lossOut: 0, lossIn: 0, duplicate: 0, latencyMs: 0, jitterMs: 0 };

/**
 * Wraps the vehicle's transport and applies loss, duplication, latency/reordering and outages
 * to whole packets in both directions. Stream transports deliver chunks; the simulator writes one
 * packet per write and its peers send one packet per datagram, so a chunk is a packet here.
 */
export class FaultyTransport extends EventEmitter implements Transport {
  private faults: LinkFaults;
  private outageUntilMs = 0;
  private readonly pending = new Set<TimerHandle>();

  /** `clock` times outages and latency (default: the system clock). */
  constructor(
    private readonly inner: Transport,
    faults: Partial<LinkFaults> = {},
    private readonly random: () => number = seededRandom(1),
    private readonly clock: Clock = systemClock,
  ) {
    super();
    this.faults = { ...NO_FAULTS, ...faults };
    inner.on('data', (chunk: Buffer) => this.deliver(chunk, this.faults.lossIn, (c) => this.emit('data', c)));
    inner.on('connected', () => this.emit('connected'));
    inner.on('disconnected', () => this.emit('disconnected'));
  }

  get url() {
    return this.inner.url;
  }

  setHeartbeatCheck(check: (frame: Buffer) => boolean): void {
    this.inner.setHeartbeatCheck?.(check);
  }

  setFaults(faults: Partial<LinkFaults>): void {
    this.faults = { ...this.faults, ...faults };
  }

  /** Nothing passes either way for `seconds` of the clock's time (wall time on the system clock). */
  startOutage(seconds: number): void {
    this.outageUntilMs = this.clock.nowMs() + seconds * 1000;
  }

  inOutage(): boolean {
    return this.clock.nowMs() < this.outageUntilMs;
  }

  write(bytes: Buffer): boolean {
    this.deliver(bytes, this.faults.lossOut, (b) => this.inner.write(b));
    return true;
  }

  async close(): Promise<void> {
    for (const t of this.pending) this.clock.clearTimeout(t);
    this.pending.clear();
    await this.inner.close();
  }

  private deliver(bytes: Buffer, loss: number, forward: (b: Buffer) => void): void {
    if (this.inOutage() || this.random() < loss) return;
    const copies = this.random() < this.faults.duplicate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const delayMs = this.faults.latencyMs + this.random() * this.faults.jitterMs;
      if (delayMs <= 0) {
        forward(bytes);
        continue;
      }
      const timer = this.clock.setTimeout(() => {
        this.pending.delete(timer);
        forward(bytes);
      }, delayMs);
      this.pending.add(timer);
    }
  }
}
