/**
 * Undo journal: state changes made inside a frame can be rolled back. A tx is atomic (any failing message undoes
 * all of its messages), and CheckTx runs a tx against the committed state and then throws the changes away.
 * Frames nest: committing an inner frame hands its undo steps to the outer one.
 */
export class Journal {
  private readonly frames: Array<Array<() => void>> = [];

  /** Records how to undo a change just made (a no-op outside any frame). */
  record(undo: () => void): void {
    this.frames.at(-1)?.push(undo);
  }

  /** Runs `fn` in a frame: its changes stay when it returns, and are undone when it throws. */
  atomic<T>(fn: () => T): T {
    this.frames.push([]);
    let result: T;
    try {
      result = fn();
    } catch (err) {
      this.undoTop();
      throw err;
    }
    const frame = this.frames.pop() ?? [];
    const parent = this.frames.at(-1);
    if (parent) for (const undo of frame) parent.push(undo);
    return result;
  }

  /** Runs `fn` in a frame and always undoes its changes (a dry run). */
  dryRun<T>(fn: () => T): T {
    this.frames.push([]);
    try {
      return fn();
    } finally {
      this.undoTop();
    }
  }

  private undoTop(): void {
    const frame = this.frames.pop() ?? [];
    for (let i = frame.length - 1; i >= 0; i--) frame[i]!();
  }
}
