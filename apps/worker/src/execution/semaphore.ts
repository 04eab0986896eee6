/**
 * A counting semaphore with slots held back for priority holders: at most `limit` holders at once, of which ordinary
 * ones take at most `limit - reserved`. Waiters are served in order, priority ones first, so the chain's rounds never
 * queue behind hand-sent requests.
 */
export class Semaphore {
  private active = 0;
  private activeOrdinary = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly waitingPriority: Array<() => void> = [];

  constructor(
    readonly limit: number,
    /** Slots only priority holders may take (kept below `limit`). */
    readonly reserved = 0,
  ) {
    this.reserved = Math.max(0, Math.min(reserved, limit - 1));
  }

  /** Holders right now. */
  get inUse(): number {
    return this.active;
  }

  /** Holders plus waiters. */
  get load(): number {
    return this.active + this.waiting.length + this.waitingPriority.length;
  }

  private canTake(priority: boolean): boolean {
    if (this.active >= this.limit) return false;
    return priority || this.activeOrdinary < this.limit - this.reserved;
  }

  async acquire(priority = false): Promise<() => void> {
    if (!this.canTake(priority) || (!priority && this.waitingPriority.length > 0)) {
      await new Promise<void>((resolve) => (priority ? this.waitingPriority : this.waiting).push(resolve));
    } else {
      this.take(priority);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      if (!priority) this.activeOrdinary--;
      this.wake();
    };
  }

  private take(priority: boolean): void {
    this.active++;
    if (!priority) this.activeOrdinary++;
  }

  private wake(): void {
    for (;;) {
      if (this.waitingPriority.length > 0 && this.canTake(true)) {
        this.take(true);
        (this.waitingPriority.shift() as () => void)();
      } else if (this.waitingPriority.length === 0 && this.waiting.length > 0 && this.canTake(false)) {
        this.take(false);
        (this.waiting.shift() as () => void)();
      } else return;
    }
  }
}
