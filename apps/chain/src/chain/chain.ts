/**
 * The chain itself: state built from genesis and the block log, CheckTx into the mempool, block production
 * (txs, then the block's own round events), the commit to disk before anything becomes visible, and the queries
 * the RPC and REST faces answer from.
 */
import { type Logger, verifyTxSignature, verifyWorkerBundle } from "@allora/protocol";
import { sha256 } from "@cosmjs/crypto";
import { fromBase64, toBase64, toHex } from "@cosmjs/encoding";
import { ChainError } from "../errors.js";
import type { Genesis } from "../genesis/genesis.js";
import type { ChainParams } from "../genesis/params.js";
import { createMarket, type Market } from "../market/market.js";
import { runEndBlock } from "../rounds/end-block.js";
import { applyRoundEvent, type RoundEvent } from "../rounds/round-events.js";
import { ChainState } from "../state/chain-state.js";
import type { BlockLog, BlockRecord, TxRecord } from "../store/block-log.js";
import { checkSequence } from "../tx/ante.js";
import { type ChainTx, decodeChainTx, txHash } from "../tx/chain-tx.js";
import { executeTx } from "../tx/execute-tx.js";
import { createPayloadSenders, type PayloadSenders } from "../tx/payload-senders.js";
import { type TxResult, txResultFromJson, txResultToJson } from "../tx/tx-result.js";
import { MAX_MEMPOOL_TXS, Mempool } from "./mempool.js";
import { type IndexedTx, TxIndex } from "./tx-index.js";

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

/** The outcome of CheckTx (what broadcast_tx_sync returns). */
export interface CheckTxResult {
  hash: string;
  code: number;
  codespace: string;
  log: string;
  gasWanted: bigint;
  gasUsed: bigint;
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

function upperHex(bytes: Uint8Array): string {
  return toHex(bytes).toUpperCase();
}

function hashJson(value: unknown): string {
  return upperHex(sha256(new TextEncoder().encode(JSON.stringify(value))));
}

async function verifyBundles(tx: ChainTx): Promise<Map<number, Array<Error | undefined>>> {
  const out = new Map<number, Array<Error | undefined>>();
  for (const [i, m] of tx.messages.entries()) {
    if (m.typeUrl !== "/emissions.v1.MsgInsertBulkWorkerPayload") continue;
    out.set(
      i,
      await Promise.all(
        m.msg.workerDataBundles.map((b) =>
          verifyWorkerBundle(b).then(
            () => undefined,
            (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
          ),
        ),
      ),
    );
  }
  return out;
}

function applyGenesis(state: ChainState, genesis: Genesis): void {
  for (const account of genesis.accounts) {
    for (const coin of account.coins) state.credit(account.address, coin.denom, coin.amount);
  }
  for (const topic of genesis.topics) state.addTopic(topic, topic.creator, 0n);
}

export function createChain(deps: ChainDeps): Chain {
  const { genesis, blockLog } = deps;
  const logger = deps.logger;
  const now = deps.now ?? Date.now;
  const params = genesis.params;
  const payloadSenders =
    deps.payloadSenders ?? createPayloadSenders({ genesis: genesis.payloadSenders, logger: deps.logger });
  const chainId = genesis.chainId;
  const state = new ChainState();
  const market = createMarket(genesis.marketSeed);
  const mempool = new Mempool();
  const txs = new TxIndex();
  const blocks: BlockMeta[] = [];
  const listeners = new Set<(block: BlockMeta) => void>();
  const waiters = new Map<string, Set<{ done: (tx: IndexedTx) => void; fail: (err: Error) => void }>>();
  let closed = false;

  applyGenesis(state, genesis);

  const height = () => BigInt(blocks.length);
  const latest = () => blocks.at(-1);
  const latestTimeMs = () => latest()?.timeMs ?? genesis.genesisTimeMs;
  const nextBlockTime = () => Math.max(now(), latestTimeMs() + 1);

  function publish(record: BlockRecord, results: TxResult[]): BlockMeta {
    const h = BigInt(record.height);
    const meta: BlockMeta = {
      height: h,
      timeMs: record.time_ms,
      hash: record.hash,
      appHash: record.app_hash,
      prevHash: latest()?.hash ?? "",
      txHashes: record.txs.map((t) => t.hash),
      size: 0,
      events: record.events,
    };
    record.txs.forEach((t, index) => {
      const bytes = fromBase64(t.tx);
      meta.size += bytes.length;
      txs.add({ hash: t.hash, height: h, index, bytes, result: results[index]!, timeMs: record.time_ms });
    });
    blocks.push(meta);
    return meta;
  }

  function notify(meta: BlockMeta): void {
    for (const hash of meta.txHashes) {
      const set = waiters.get(hash);
      if (!set) continue;
      waiters.delete(hash);
      const indexed = txs.get(hash)!;
      for (const waiter of set) waiter.done(indexed);
    }
    for (const listener of listeners) {
      try {
        listener(meta);
      } catch (err) {
        logger.error({ code: "INTERNAL", err }, "block listener failed");
      }
    }
  }

  function sealBlock(h: bigint, timeMs: number, txRecords: TxRecord[], events: RoundEvent[]): BlockRecord {
    const prevHash = latest()?.hash ?? "";
    const prevAppHash = latest()?.appHash ?? genesis.hash.toUpperCase();
    const hash = hashJson({ chainId, height: h.toString(), timeMs, prevHash, txs: txRecords.map((t) => t.hash) });
    const appHash = hashJson({ prevAppHash, results: txRecords.map((t) => t.result), events });
    return {
      type: "block",
      height: h.toString(),
      time: new Date(timeMs).toISOString(),
      time_ms: timeMs,
      hash,
      app_hash: appHash,
      txs: txRecords,
      events,
    };
  }

  // Rebuild the acknowledged state from the log before anything else can look at it.
  for (const record of blockLog.blocks) {
    const h = BigInt(record.height);
    const results: TxResult[] = [];
    for (const t of record.txs) {
      const recorded = txResultFromJson(t.result);
      results.push(recorded);
      let tx: ChainTx;
      try {
        tx = decodeChainTx(fromBase64(t.tx), { replay: true });
      } catch (err) {
        logger.error(
          { code: "CHAIN_REPLAY_MISMATCH", height: record.height, tx: t.hash, err },
          "logged tx no longer decodes",
        );
        continue;
      }
      const replayed = executeTx(state, tx, {
        height: h,
        timeMs: record.time_ms,
        params,
        pendingFromSigner: 0,
        simulate: false,
        bundleErrors: undefined,
        anteOnly: recorded.code !== 0,
        replay: true,
      });
      if ((replayed.code === 0) !== (recorded.code === 0)) {
        logger.error(
          {
            code: "CHAIN_REPLAY_MISMATCH",
            height: record.height,
            tx: t.hash,
            recorded: recorded.code,
            replayed: replayed.code,
          },
          "replaying a logged tx gave another outcome",
        );
      }
    }
    for (const event of record.events) applyRoundEvent(state, event, h, params.maxSamplesToScaleScores);
    publish(record, results);
  }
  if (blockLog.blocks.length > 0) {
    logger.info({ height: height().toString(), txs: txs.size }, "state rebuilt from the block log");
  }

  let checkQueue: Promise<unknown> = Promise.resolve();

  /** Only whitelisted accounts send worker payloads; checked on admission and simulation, never on replay. */
  async function assertPayloadSenders(tx: ChainTx): Promise<void> {
    for (const m of tx.messages) {
      if (m.typeUrl === "/emissions.v1.MsgInsertBulkWorkerPayload" && !(await payloadSenders.allows(m.msg.sender))) {
        throw new ChainError(
          "SENDER_NOT_WHITELISTED",
          `${m.msg.sender} may not submit worker payloads; only the network's heads may (genesis payload_senders, --payload-senders-file or --payload-senders-from-head)`,
        );
      }
    }
  }

  async function checkTxNow(bytes: Uint8Array): Promise<CheckTxResult> {
    const hash = txHash(bytes);
    const reject = (err: unknown): CheckTxResult => {
      const e =
        err instanceof ChainError
          ? err
          : new ChainError("INTERNAL", err instanceof Error ? err.message : String(err), { cause: err });
      if (e.code === "INTERNAL") logger.error({ code: "INTERNAL", err }, "CheckTx failed unexpectedly");
      return { hash, ...e.toAbci(), gasWanted: 0n, gasUsed: 0n };
    };
    let tx: ChainTx;
    try {
      tx = decodeChainTx(bytes);
      if (mempool.has(hash)) throw new ChainError("TX_IN_MEMPOOL", `tx ${hash}`);
      if (mempool.size >= MAX_MEMPOOL_TXS) throw new ChainError("MEMPOOL_FULL", `${mempool.size} txs are waiting`);
      const anteContext = () => ({
        height: height() + 1n,
        params,
        pendingFromSigner: mempool.pendingFrom(tx.decoded.signer),
        simulate: false,
      });
      await assertPayloadSenders(tx);
      const account = checkSequence(state, tx, anteContext());
      if (!(await verifyTxSignature(tx.decoded, chainId, account.accountNumber))) {
        throw new ChainError(
          "TX_SIGNATURE_INVALID",
          `signature verification failed; please verify account number (${account.accountNumber}) and chain-id (${chainId})`,
        );
      }
      const bundleErrors = await verifyBundles(tx);
      // A block may have been made while the signatures were checked: run everything on the state as it is now.
      const result = state.journal.dryRun(() =>
        executeTx(state, tx, { ...anteContext(), timeMs: nextBlockTime(), bundleErrors }),
      );
      if (result.code !== 0) {
        return {
          hash,
          code: result.code,
          codespace: result.codespace,
          log: result.log,
          gasWanted: result.gasWanted,
          gasUsed: result.gasUsed,
        };
      }
      mempool.add({ tx, bundleErrors });
      return { hash, code: 0, codespace: "", log: "", gasWanted: result.gasWanted, gasUsed: result.gasUsed };
    } catch (err) {
      return reject(err);
    }
  }

  const chain: Chain = {
    chainId,
    genesis,
    params,
    state,
    market,
    txs,
    height,
    latestBlock: latest,
    block: (h) => (h >= 1n && h <= height() ? blocks[Number(h) - 1] : undefined),
    latestTimeMs,
    mempoolSize: () => mempool.size,

    checkTx(bytes) {
      // One CheckTx at a time, as CometBFT does: a signer's next tx sees the previous one in the mempool.
      const result = checkQueue.then(() => checkTxNow(bytes));
      checkQueue = result.then(
        () => undefined,
        () => undefined,
      );
      return result;
    },

    async simulate(bytes) {
      const tx = decodeChainTx(bytes, { simulate: true });
      await assertPayloadSenders(tx);
      const bundleErrors = await verifyBundles(tx);
      return state.journal.dryRun(() =>
        executeTx(state, tx, {
          height: height() + 1n,
          timeMs: nextBlockTime(),
          params,
          pendingFromSigner: 0,
          simulate: true,
          bundleErrors,
        }),
      );
    },

    produceBlock() {
      if (closed) throw new ChainError("INTERNAL", "the chain is closed");
      const h = height() + 1n;
      const timeMs = nextBlockTime();
      const results: TxResult[] = [];
      const txRecords: TxRecord[] = [];
      for (const { tx, bundleErrors } of mempool.drain()) {
        const result = executeTx(state, tx, {
          height: h,
          timeMs,
          params,
          pendingFromSigner: 0,
          simulate: false,
          bundleErrors,
        });
        results.push(result);
        txRecords.push({ tx: toBase64(tx.bytes), hash: tx.hash, result: txResultToJson(result) });
      }
      const events = runEndBlock(state, { height: h, timeMs, params, market });
      const record = sealBlock(h, timeMs, txRecords, events);
      // Durable before visible: once anyone can see this block, a crash cannot take it back.
      blockLog.append(record);
      const meta = publish(record, results);
      notify(meta);
      return meta;
    },

    tx: (hash) => txs.get(hash),

    waitForTx(hash, timeoutMs) {
      const found = txs.get(hash);
      if (found) return Promise.resolve(found);
      const key = hash.toUpperCase();
      if (closed) return Promise.reject(new ChainError("TX_COMMIT_TIMEOUT", "the chain is stopping"));
      return new Promise<IndexedTx>((resolve, reject) => {
        const set = waiters.get(key) ?? new Set();
        waiters.set(key, set);
        const waiter = {
          done: (tx: IndexedTx) => {
            clearTimeout(timer);
            resolve(tx);
          },
          fail: (err: Error) => {
            clearTimeout(timer);
            set.delete(waiter);
            if (set.size === 0) waiters.delete(key);
            reject(err);
          },
        };
        const timer = setTimeout(
          () => waiter.fail(new ChainError("TX_COMMIT_TIMEOUT", `tx ${key} not committed within ${timeoutMs} ms`)),
          timeoutMs,
        );
        set.add(waiter);
      });
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
      for (const set of [...waiters.values()]) {
        for (const waiter of [...set])
          waiter.fail(new ChainError("TX_COMMIT_TIMEOUT", "the chain stopped before the tx was committed"));
      }
    },
  };
  return chain;
}
