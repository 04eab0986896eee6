/**
 * Committed txs by hash and in commit order, for the `tx` and `tx_search` queries.
 */
import type { TxResult } from "../tx/tx-result.js";
import { type Condition, matchesTxQuery } from "./tx-query.js";

/** A committed tx. */
export interface IndexedTx {
  hash: string;
  height: bigint;
  /** Position in its block. */
  index: number;
  bytes: Uint8Array;
  result: TxResult;
  timeMs: number;
}

/** Largest page of tx_search. */
export const MAX_PER_PAGE = 100;
/** Page size when the caller gives none (CometBFT's default). */
export const DEFAULT_PER_PAGE = 30;

export class TxIndex {
  private readonly byHash = new Map<string, IndexedTx>();
  private readonly ordered: IndexedTx[] = [];

  get size(): number {
    return this.ordered.length;
  }

  add(tx: IndexedTx): void {
    this.byHash.set(tx.hash, tx);
    this.ordered.push(tx);
  }

  get(hash: string): IndexedTx | undefined {
    return this.byHash.get(hash.toUpperCase());
  }

  /** Matching txs, one page of them, oldest first unless `order` is desc. */
  search(
    conditions: readonly Condition[],
    options: { page: number; perPage: number; order: "asc" | "desc" },
  ): { total: number; txs: IndexedTx[] } {
    const hashCondition = conditions.find((c) => c.key === "tx.hash" && c.op === "=");
    const candidates = hashCondition
      ? [this.get(hashCondition.value)].filter((t): t is IndexedTx => t !== undefined)
      : this.ordered;
    const matches = candidates.filter((tx) =>
      matchesTxQuery({ hash: tx.hash, height: tx.height, events: tx.result.events }, conditions),
    );
    if (options.order === "desc") matches.reverse();
    const start = (options.page - 1) * options.perPage;
    return { total: matches.length, txs: matches.slice(start, start + options.perPage) };
  }
}
