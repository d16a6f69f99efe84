/**
 * Samples sorted by (boot, time on that boot's clock); `boot` −1 marks samples stamped with absolute
 * (arrival) time. Inserts keep the order for packets that arrive out of order; a sample with the same
 * key replaces the earlier one.
 */
export interface Stamped {
  boot: number;
  bootUs: number;
}

export class SampleSeries<T extends Stamped> {
  private samples: T[] = [];

  /** `unixUs` maps a sample to Unix µs; it must grow with the sort key. */
  constructor(private readonly unixUs: (sample: T) => number) {}

  get length(): number {
    return this.samples.length;
  }

  insert(sample: T): void {
    const list = this.samples;
    const last = list.at(-1);
    if (!last || compare(last, sample) < 0) {
      list.push(sample);
      return;
    }
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(list[mid], sample) < 0) lo = mid + 1;
      else hi = mid;
    }
    if (compare(list[lo], sample) === 0) list[lo] = sample;
    else list.splice(lo, 0, sample);
  }

  timeOf(sample: T): number {
    return this.unixUs(sample);
  }

  first(): T | undefined {
    return this.samples[0];
  }

  last(): T | undefined {
    return this.samples.at(-1);
  }

  /** The last sample at or before `timeUs` and the first at or after it (the same one on an exact hit). */
  bracket(timeUs: number): { before?: T; after?: T } {
    const index = this.firstAtOrAfter(timeUs);
    const after = this.samples[index];
    if (after && this.unixUs(after) === timeUs) return { before: after, after };
    return { before: this.samples[index - 1], after };
  }

  /** The samples that cover [fromUs, toUs]: from the last at or before fromUs to the first at or after toUs. */
  covering(fromUs: number, toUs: number): T[] {
    const start = Math.max(0, this.firstAtOrAfter(fromUs) - 1);
    const end = this.firstAtOrAfter(toUs);
    return this.samples.slice(start, end + 1);
  }

  /** Drops samples older than `timeUs`, keeping the last one before it for interpolation. */
  forgetBefore(timeUs: number): void {
    const index = this.firstAtOrAfter(timeUs) - 1;
    if (index > 0) this.samples = this.samples.slice(index);
  }

  private firstAtOrAfter(timeUs: number): number {
    const list = this.samples;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.unixUs(list[mid]) < timeUs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function compare(a: Stamped, b: Stamped): number {
  return a.boot - b.boot || a.bootUs - b.bootUs;
}
