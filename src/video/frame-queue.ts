/**
 * Frames between a producer (ffmpeg) and one async reader. Holds at most `capacity` items; what
 * happens when full is the producer's choice (`isFull` to pause it, or `dropOldest` for live video).
 */
export class FrameQueue<T> {
  private readonly items: T[] = [];
  private waiter: (() => void) | undefined;
  private done = false;
  private error: Error | undefined;

  constructor(
    private readonly capacity: number,
    /** Called when the reader took an item and there is room again. */
    private readonly onRoom: () => void = () => {},
  ) {}

  get isFull(): boolean {
    return this.items.length >= this.capacity;
  }

  push(item: T): void {
    this.items.push(item);
    this.wake();
  }

  /** Drops the oldest item when full; returns whether one was dropped. */
  dropOldest(): boolean {
    if (!this.isFull) return false;
    this.items.shift();
    return true;
  }

  /** No more items; the reader gets `error` after the queued ones, if given. */
  end(error?: Error): void {
    if (this.done) return;
    this.done = true;
    this.error = error;
    this.wake();
  }

  /** Ends at once, discarding what is queued. */
  clear(): void {
    this.items.length = 0;
    this.error = undefined;
    this.done = true;
    this.wake();
  }

  async next(): Promise<IteratorResult<T, undefined>> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        if (!this.isFull) this.onRoom();
        return { value: item, done: false };
      }
      if (this.done) {
        if (this.error) {
          const error = this.error;
          this.error = undefined;
          throw error;
        }
        return { value: undefined, done: true };
      }
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}
