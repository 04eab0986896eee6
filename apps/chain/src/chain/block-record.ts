/**
 * How a block is sealed: its hash covers the chain id, height, time, previous hash and tx hashes; its app hash
 * chains the previous app hash with the tx results and the block's round events, so two nodes that replayed the
 * same log agree on both.
 */
import { sha256 } from "@cosmjs/crypto";
import { toHex } from "@cosmjs/encoding";
import type { RoundEvent } from "../rounds/round-events.js";
import type { BlockRecord, TxRecord } from "../store/block-log.js";

function hashJson(value: unknown): string {
  return toHex(sha256(new TextEncoder().encode(JSON.stringify(value)))).toUpperCase();
}

/** What {@link makeBlockRecord} seals. */
export interface BlockContents {
  chainId: string;
  height: bigint;
  timeMs: number;
  /** Hash of the previous block ("" for the first). */
  prevHash: string;
  /** App hash of the previous block (the genesis hash for the first). */
  prevAppHash: string;
  txs: TxRecord[];
  events: RoundEvent[];
}

/** The block log record of a block, with its hash and app hash. */
export function makeBlockRecord(block: BlockContents): BlockRecord {
  const { chainId, height, timeMs, prevHash, prevAppHash, txs, events } = block;
  const hash = hashJson({ chainId, height: height.toString(), timeMs, prevHash, txs: txs.map((t) => t.hash) });
  const appHash = hashJson({ prevAppHash, results: txs.map((t) => t.result), events });
  return {
    type: "block",
    height: height.toString(),
    time: new Date(timeMs).toISOString(),
    time_ms: timeMs,
    hash,
    app_hash: appHash,
    txs,
    events,
  };
}
