/**
 * Admission of txs: CheckTx (decode, mempool room, payload-sender whitelist, sequence, signature, bundle
 * signatures, then a dry run on the committed state) and Simulate (the same without the signature, changes thrown
 * away). CheckTx runs one at a time, as CometBFT does, so a signer's next tx sees the previous one in the mempool.
 */
import { type Logger, verifyTxSignature, verifyWorkerBundle } from "@allora/protocol";
import { ChainError } from "../errors.js";
import type { ChainParams } from "../genesis/params.js";
import type { ChainState } from "../state/chain-state.js";
import { checkSequence } from "../tx/ante.js";
import { type ChainTx, decodeChainTx, txHash } from "../tx/chain-tx.js";
import { executeTx } from "../tx/execute-tx.js";
import type { PayloadSenders } from "../tx/payload-senders.js";
import type { TxResult } from "../tx/tx-result.js";
import { MAX_MEMPOOL_TXS, type Mempool } from "./mempool.js";

/** The outcome of CheckTx (what broadcast_tx_sync returns). */
export interface CheckTxResult {
  hash: string;
  code: number;
  codespace: string;
  log: string;
  gasWanted: bigint;
  gasUsed: bigint;
}

/** What admission reads: the committed state and where the next block stands. */
export interface TxAdmissionDeps {
  chainId: string;
  params: ChainParams;
  state: ChainState;
  mempool: Mempool;
  payloadSenders: PayloadSenders;
  /** Height of the last committed block. */
  height: () => bigint;
  /** Time the next block will carry. */
  nextBlockTime: () => number;
  logger: Logger;
}

/** CheckTx and Simulate over one chain's state. */
export interface TxAdmission {
  checkTx(bytes: Uint8Array): Promise<CheckTxResult>;
  simulate(bytes: Uint8Array): Promise<TxResult>;
}

type BundleErrors = Map<number, Array<Error | undefined>>;

async function verifyBundles(tx: ChainTx): Promise<BundleErrors> {
  const out: BundleErrors = new Map();
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

/** Only whitelisted accounts send worker payloads; checked on admission and simulation, never on replay. */
async function assertPayloadSenders(tx: ChainTx, payloadSenders: PayloadSenders): Promise<void> {
  for (const m of tx.messages) {
    if (m.typeUrl === "/emissions.v1.MsgInsertBulkWorkerPayload" && !(await payloadSenders.allows(m.msg.sender))) {
      throw new ChainError(
        "SENDER_NOT_WHITELISTED",
        `${m.msg.sender} may not submit worker payloads; only the network's heads may (genesis payload_senders, --payload-senders-file or --payload-senders-from-head)`,
      );
    }
  }
}

function rejection(hash: string, err: unknown, logger: Logger): CheckTxResult {
  const e =
    err instanceof ChainError
      ? err
      : new ChainError("INTERNAL", err instanceof Error ? err.message : String(err), { cause: err });
  if (e.code === "INTERNAL") logger.error({ code: "INTERNAL", err }, "CheckTx failed unexpectedly");
  return { hash, ...e.toAbci(), gasWanted: 0n, gasUsed: 0n };
}

export function createTxAdmission(deps: TxAdmissionDeps): TxAdmission {
  const { chainId, params, state, mempool, payloadSenders } = deps;
  let checkQueue: Promise<unknown> = Promise.resolve();

  async function admit(tx: ChainTx): Promise<CheckTxResult> {
    const { hash } = tx;
    if (mempool.has(hash)) throw new ChainError("TX_IN_MEMPOOL", `tx ${hash}`);
    if (mempool.size >= MAX_MEMPOOL_TXS) throw new ChainError("MEMPOOL_FULL", `${mempool.size} txs are waiting`);
    const anteContext = () => ({
      height: deps.height() + 1n,
      params,
      pendingFromSigner: mempool.pendingFrom(tx.decoded.signer),
      simulate: false,
    });
    await assertPayloadSenders(tx, payloadSenders);
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
      executeTx(state, tx, { ...anteContext(), timeMs: deps.nextBlockTime(), bundleErrors }),
    );
    const { code, codespace, log, gasWanted, gasUsed } = result;
    if (code !== 0) return { hash, code, codespace, log, gasWanted, gasUsed };
    mempool.add({ tx, bundleErrors });
    return { hash, code: 0, codespace: "", log: "", gasWanted, gasUsed };
  }

  async function checkTxNow(bytes: Uint8Array): Promise<CheckTxResult> {
    try {
      return await admit(decodeChainTx(bytes));
    } catch (err) {
      return rejection(txHash(bytes), err, deps.logger);
    }
  }

  return {
    checkTx(bytes) {
      const result = checkQueue.then(() => checkTxNow(bytes));
      checkQueue = result.then(
        () => undefined,
        () => undefined,
      );
      return result;
    },

    async simulate(bytes) {
      const tx = decodeChainTx(bytes, { simulate: true });
      await assertPayloadSenders(tx, payloadSenders);
      const bundleErrors = await verifyBundles(tx);
      return state.journal.dryRun(() =>
        executeTx(state, tx, {
          height: deps.height() + 1n,
          timeMs: deps.nextBlockTime(),
          params,
          pendingFromSigner: 0,
          simulate: true,
          bundleErrors,
        }),
      );
    },
  };
}
