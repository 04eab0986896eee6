/**
 * Callers waiting for a tx to be committed (broadcast_tx_commit, the faucet): each waits with its own deadline,
 * all waiters of a hash are released by the block that holds it, and stopping the chain fails every one.
 */
import { ChainError } from "../errors.js";
import type { IndexedTx } from "./tx-index.js";

interface Waiter {
  done(tx: IndexedTx): void;
  fail(err: Error): void;
}

export class TxWaiters {
  private readonly byHash = new Map<string, Set<Waiter>>();

  /** Resolves with the tx once {@link committed} is called for it; `TX_COMMIT_TIMEOUT` after `timeoutMs`. */
  wait(hash: string, timeoutMs: number): Promise<IndexedTx> {
    const key = hash.toUpperCase();
    return new Promise<IndexedTx>((resolve, reject) => {
      const set = this.byHash.get(key) ?? new Set();
      this.byHash.set(key, set);
      const waiter: Waiter = {
        done: (tx) => {
          clearTimeout(timer);
          resolve(tx);
        },
        fail: (err) => {
          clearTimeout(timer);
          set.delete(waiter);
          if (set.size === 0) this.byHash.delete(key);
          reject(err);
        },
      };
      const timer = setTimeout(
        () => waiter.fail(new ChainError("TX_COMMIT_TIMEOUT", `tx ${key} not committed within ${timeoutMs} ms`)),
        timeoutMs,
      );
      set.add(waiter);
    });
  }

  /** Releases the waiters of `hash` (upper-case hex, as blocks name their txs). */
  committed(hash: string, tx: IndexedTx): void {
    const set = this.byHash.get(hash);
    if (!set) return;
    this.byHash.delete(hash);
    for (const waiter of set) waiter.done(tx);
  }

  /** Fails every waiter with `TX_COMMIT_TIMEOUT`: the chain is stopping. */
  failAll(reason: string): void {
    for (const set of [...this.byHash.values()]) {
      for (const waiter of [...set]) waiter.fail(new ChainError("TX_COMMIT_TIMEOUT", reason));
    }
  }
}
