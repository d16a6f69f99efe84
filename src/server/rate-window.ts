/** Counts events in a sliding time window: `hit()` says whether this one is still within the limit. */
export class RateWindow {
  private readonly times: number[] = [];

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    /** Monotonic by default: a wall clock set back must not keep old events in the window. */
    private readonly now: () => number = () => performance.now(),
  ) {}

  hit(): boolean {
    const t = this.now();
    while (this.times.length > 0 && (this.times[0] as number) <= t - this.windowMs) this.times.shift();
    if (this.times.length >= this.max) return false;
    this.times.push(t);
    return true;
  }
}
