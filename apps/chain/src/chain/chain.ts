/**
 * The chain itself: state built from genesis and the block log, CheckTx into the mempool, block production
 * (txs, then the block's own round events), the commit to disk before anything becomes visible, and the queries
 * the RPC and REST faces answer from.
 */
import type { Logger } from "@allora/protocol";
import { fromBase64, toBase64 } from "@cosmjs/encoding";
import { ChainError } from "../errors.js";
import type { Genesis } from "../genesis/genesis.js";
import type { ChainParams } from "../genesis/params.js";
import { createMarket, type Market } from "../market/market.js";
import { runEndBlock } from "../rounds/end-block.js";
import type { RoundEvent } from "../rounds/round-events.js";
import { ChainState } from "../state/chain-state.js";
import type { BlockLog, BlockRecord, TxRecord } from "../store/block-log.js";
import { executeTx } from "../tx/execute-tx.js";
import { createPayloadSenders, type PayloadSenders } from "../tx/payload-senders.js";
import { type TxResult, txResultToJson } from "../tx/tx-result.js";
import { makeBlockRecord } from "./block-record.js";
import { Mempool } from "./mempool.js";
import { replayBlock } from "./replay.js";
import { type CheckTxResult, createTxAdmission } from "./tx-admission.js";
import { type IndexedTx, TxIndex } from "./tx-index.js";
import { TxWaiters } from "./tx-waiters.js";

/** A committed block as the faces see it. */
export interface BlockMeta {
  height: bigint;
  timeMs: number;
  /** Upper-case hex. */
  hash: string;
  appHash: string;
  prevHash: string;
  txHashes: string[];
  /** Bytes of the block's txs. */
  size: number;
  events: RoundEvent[];
}

/** Dependencies of {@link createChain}. */
export interface ChainDeps {
  genesis: Genesis;
  blockLog: BlockLog;
  logger: Logger;
  /** Who may send MsgInsertBulkWorkerPayload (checked at admission); default: genesis `payload_senders` only. */
  payloadSenders?: PayloadSenders;
  /** Wall clock in ms (tests may pin it). */
  now?: () => number;
}

/** The chain. */
export interface Chain {
  readonly chainId: string;
  readonly genesis: Genesis;
  readonly params: ChainParams;
  readonly state: ChainState;
  readonly market: Market;
  /** Height of the last committed block (0 before the first). */
  height(): bigint;
  latestBlock(): BlockMeta | undefined;
  block(height: bigint): BlockMeta | undefined;
  /** Block time of the last block, or genesis time. */
  latestTimeMs(): number;
  /** Checks a tx against the committed state and queues it for the next block. */
  checkTx(bytes: Uint8Array): Promise<CheckTxResult>;
  /** Runs a tx (signed or the unsigned Simulate form) against the committed state and throws the changes away. */
  simulate(bytes: Uint8Array): Promise<TxResult>;
  /** Makes, commits (fsync) and publishes the next block. */
  produceBlock(): BlockMeta;
  tx(hash: string): IndexedTx | undefined;
  readonly txs: TxIndex;
  /** Resolves once the tx is committed; `TX_COMMIT_TIMEOUT` after `timeoutMs`. */
  waitForTx(hash: string, timeoutMs: number): Promise<IndexedTx>;
  /** Sequence the next tx of `address` must carry (committed plus txs waiting in the mempool). */
  nextSequence(address: string): bigint;
  mempoolSize(): number;
  /** Calls `listener` after every committed block; returns an unsubscribe function. */
  onBlock(listener: (block: BlockMeta) => void): () => void;
  /** Rejects pending waits; the block log is closed by its owner. */
  close(): void;
}

function applyGenesis(state: ChainState, genesis: Genesis): void {
  for (const account of genesis.accounts) {
    for (const coin of account.coins) state.credit(account.address, coin.denom, coin.amount);
  }
  for (const topic of genesis.topics) state.addTopic(topic, topic.creator, 0n);
}

/** The committed blocks in memory, as the faces see them, and the tx index they fill. */
class BlockHistory {
  readonly blocks: BlockMeta[] = [];
  readonly txs = new TxIndex();

  height(): bigint {
    return BigInt(this.blocks.length);
  }

  latest(): BlockMeta | undefined {
    return this.blocks.at(-1);
  }

  at(h: bigint): BlockMeta | undefined {
    return h >= 1n && h <= this.height() ? this.blocks[Number(h) - 1] : undefined;
  }

  /** Adds a committed block and indexes its txs. */
  publish(record: BlockRecord, results: TxResult[]): BlockMeta {
    const h = BigInt(record.height);
    const meta: BlockMeta = {
      height: h,
      timeMs: record.time_ms,
      hash: record.hash,
      appHash: record.app_hash,
      prevHash: this.latest()?.hash ?? "",
      txHashes: record.txs.map((t) => t.hash),
      size: 0,
      events: record.events,
    };
    record.txs.forEach((t, index) => {
      const bytes = fromBase64(t.tx);
      meta.size += bytes.length;
      this.txs.add({ hash: t.hash, height: h, index, bytes, result: results[index]!, timeMs: record.time_ms });
    });
    this.blocks.push(meta);
    return meta;
  }
}

export function createChain(deps: ChainDeps): Chain {
  const { genesis, blockLog, logger } = deps;
  const now = deps.now ?? Date.now;
  const { params, chainId } = genesis;
  const state = new ChainState();
  const market = createMarket(genesis.marketSeed);
  const mempool = new Mempool();
  const history = new BlockHistory();
  const listeners = new Set<(block: BlockMeta) => void>();
  const waiters = new TxWaiters();
  let closed = false;

  applyGenesis(state, genesis);
  const height = () => history.height();
  const latestTimeMs = () => history.latest()?.timeMs ?? genesis.genesisTimeMs;
  const nextBlockTime = () => Math.max(now(), latestTimeMs() + 1);

  // Rebuild the acknowledged state from the log before anything else can look at it.
  for (const record of blockLog.blocks) history.publish(record, replayBlock(state, record, params, logger));
  if (blockLog.blocks.length > 0) {
    logger.info({ height: height().toString(), txs: history.txs.size }, "state rebuilt from the block log");
  }

  const admission = createTxAdmission({
    chainId,
    params,
    state,
    mempool,
    payloadSenders: deps.payloadSenders ?? createPayloadSenders({ genesis: genesis.payloadSenders, logger }),
    height,
    nextBlockTime,
    logger,
  });

  function notify(meta: BlockMeta): void {
    for (const hash of meta.txHashes) waiters.committed(hash, history.txs.get(hash)!);
    for (const listener of listeners) {
      try {
        listener(meta);
      } catch (err) {
        logger.error({ code: "INTERNAL", err }, "block listener failed");
      }
    }
  }

  function executeMempool(h: bigint, timeMs: number): { results: TxResult[]; txRecords: TxRecord[] } {
    const results: TxResult[] = [];
    const txRecords: TxRecord[] = [];
    for (const { tx, bundleErrors } of mempool.drain()) {
      const ctx = { height: h, timeMs, params, pendingFromSigner: 0, simulate: false, bundleErrors };
      const result = executeTx(state, tx, ctx);
      results.push(result);
      txRecords.push({ tx: toBase64(tx.bytes), hash: tx.hash, result: txResultToJson(result) });
    }
    return { results, txRecords };
  }

  function produceBlock(): BlockMeta {
    if (closed) throw new ChainError("INTERNAL", "the chain is closed");
    const h = height() + 1n;
    const timeMs = nextBlockTime();
    const { results, txRecords } = executeMempool(h, timeMs);
    const events = runEndBlock(state, { height: h, timeMs, params, market });
    const prev = history.latest();
    const record = makeBlockRecord({
      chainId,
      height: h,
      timeMs,
      prevHash: prev?.hash ?? "",
      prevAppHash: prev?.appHash ?? genesis.hash.toUpperCase(),
      txs: txRecords,
      events,
    });
    // Durable before visible: once anyone can see this block, a crash cannot take it back.
    blockLog.append(record);
    const meta = history.publish(record, results);
    notify(meta);
    return meta;
  }

  return {
    chainId,
    genesis,
    params,
    state,
    market,
    txs: history.txs,
    height,
    latestBlock: () => history.latest(),
    block: (h) => history.at(h),
    latestTimeMs,
    mempoolSize: () => mempool.size,
    checkTx: (bytes) => admission.checkTx(bytes),
    simulate: (bytes) => admission.simulate(bytes),
    produceBlock,
    tx: (hash) => history.txs.get(hash),
    waitForTx(hash, timeoutMs) {
      const found = history.txs.get(hash);
      if (found) return Promise.resolve(found);
      if (closed) return Promise.reject(new ChainError("TX_COMMIT_TIMEOUT", "the chain is stopping"));
      return waiters.wait(hash, timeoutMs);
    },
    nextSequence(address) {
      return (state.account(address)?.sequence ?? 0n) + BigInt(mempool.pendingFrom(address));
    },
    onBlock(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closed = true;
      listeners.clear();
      waiters.failAll("the chain stopped before the tx was committed");
    },
  };
}
