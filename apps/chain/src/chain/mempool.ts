/**
 * Txs that passed CheckTx and wait for the next block, in arrival order.
 */
import type { ChainTx } from "../tx/chain-tx.js";

/** Most txs waiting at once. */
export const MAX_MEMPOOL_TXS = 5000;

/** A checked tx waiting for a block, with its bundle verification results. */
export interface PendingTx {
  tx: ChainTx;
  bundleErrors: ReadonlyMap<number, ReadonlyArray<Error | undefined>>;
}

export class Mempool {
  private readonly byHash = new Map<string, PendingTx>();

  get size(): number {
    return this.byHash.size;
  }

  has(hash: string): boolean {
    return this.byHash.has(hash);
  }

  add(pending: PendingTx): void {
    this.byHash.set(pending.tx.hash, pending);
  }

  /** Txs of `signer` waiting: CheckTx expects the next tx of that signer to come after them. */
  pendingFrom(signer: string): number {
    let n = 0;
    for (const p of this.byHash.values()) if (p.tx.decoded.signer === signer) n++;
    return n;
  }

  /** Takes every waiting tx for the next block. */
  drain(): PendingTx[] {
    const all = [...this.byHash.values()];
    this.byHash.clear();
    return all;
  }
}
