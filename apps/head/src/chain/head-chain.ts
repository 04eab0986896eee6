/**
 * The head's chain side: after a chain round, the head submits every worker's signed bundle in one
 * `MsgInsertBulkWorkerPayload`, signed with its own key. Bundles that would make the chain refuse the whole
 * transaction (bad signature, unregistered worker) are dropped first, with the reason logged.
 *
 * Rounds survive a chain that stalls, restarts or loses its mempool:
 * - submissions run side by side (up to `maxConcurrent`), each with its own sequence from one allocator, so a round
 *   stuck on an unreachable chain never holds back the next one;
 * - a transaction is signed once and, while the head polls for it, the very same bytes are broadcast again every
 *   `rebroadcastMs`: a restarted chain (its mempool gone) gets it back, and one already waiting or committed is
 *   never duplicated (the same bytes have the same hash and sequence);
 * - a round is re-signed only when the chain says its sequence was consumed by something else or left a hole (the
 *   earlier transaction was refused); the chain's duplicate check (one inference per worker per round) makes even a
 *   re-signed round safe to land once only;
 * - a submission gives up when the chain says the round is over (its window closed, or the nonce is unknown), or
 *   after `deadlineMs`.
 */

import {
  AlloraError,
  createAlloraRegistry,
  createChainRestClient,
  DENOM,
  errorMessage,
  fundFromFaucet,
  type Logger,
} from "@allora/protocol";
import type { ChainAccountOptions } from "@allora/service";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice, SigningStargateClient } from "@cosmjs/stargate";
import type { RoundBundles } from "../execution/collect.js";
import { admissibleBundles, createRegistrationCheck } from "./bundle-admission.js";
import { type Submission, type SubmissionContext, submitRound } from "./round-submission.js";
import { createSequenceAllocator } from "./sequence-allocator.js";

export type { Submission } from "./round-submission.js";

/** Options of {@link createHeadChain}. */
export interface HeadChainOptions extends ChainAccountOptions {
  logger: Logger;
  /** Rounds submitted at once; more wait in a queue of `maxQueued` (default 8). */
  maxConcurrent?: number;
  /** Rounds waiting to be submitted; past it the oldest waiting one is dropped (default 256). */
  maxQueued?: number;
  /** How often the same signed bytes are broadcast again while the head polls for them (default 2000 ms). */
  rebroadcastMs?: number;
  /** How long the head tries to land one round (default 120 s). */
  deadlineMs?: number;
}

/** The head's chain side. */
export interface HeadChain {
  readonly address: string;
  start(): void;
  stop(): void;
  submit(round: RoundBundles): void;
  status(): { address: string; rpc: string; submissions: Submission[] };
}

const HISTORY = 50;
const POLL_MS = 300;
/** The balance below which the head asks the faucet for fee funds. */
const FEE_FUNDS = 1_000_000n;

/** Creates the chain side; resolves once the key is loaded (the chain itself may come up later). */
export async function createHeadChain(options: HeadChainOptions): Promise<HeadChain> {
  const { logger } = options;
  const maxConcurrent = options.maxConcurrent ?? 8;
  const maxQueued = options.maxQueued ?? 256;
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(options.mnemonic, { prefix: "allo" });
  const [account] = await wallet.getAccounts();
  const address = (account as { address: string }).address;
  const gasPrice = GasPrice.fromString(options.gasPrice);
  const history: Submission[] = [];
  const queue: Array<{ round: RoundBundles; record: Submission }> = [];
  let active = 0;
  let client: Promise<SigningStargateClient> | undefined;
  let stopped = false;
  let funded: Promise<void> | undefined;
  const isRegistered = createRegistrationCheck(
    options.rest ? createChainRestClient(options.rest, { timeoutMs: 5000 }) : undefined,
  );

  const connect = (): Promise<SigningStargateClient> => {
    client ??= SigningStargateClient.connectWithSigner(options.rpc, wallet, {
      registry: createAlloraRegistry(),
      gasPrice,
      broadcastPollIntervalMs: POLL_MS,
      broadcastTimeoutMs: 20_000,
    }).catch((err) => {
      client = undefined;
      throw err;
    });
    return client;
  };

  const sequences = createSequenceAllocator(async () => {
    const acc = await (await connect()).getAccount(address);
    if (!acc)
      throw new AlloraError("CHAIN_ACCOUNT_UNFUNDED", `account ${address} does not exist on chain yet (fund it)`);
    return { accountNumber: BigInt(acc.accountNumber), sequence: acc.sequence };
  });

  const ensureFunds = (c: SigningStargateClient): Promise<void> => {
    // One funding at a time, whatever the number of submissions asking.
    funded ??= (async () => {
      const balance = BigInt((await c.getBalance(address, DENOM)).amount);
      if (balance >= FEE_FUNDS || !options.faucetUrl) return;
      logger.info({ address, balance: balance.toString() }, "asking the faucet for fee funds");
      // The faucet answers once its transfer is in a block.
      await fundFromFaucet(options.faucetUrl, address, { timeoutMs: 30_000 });
    })().finally(() => {
      funded = undefined;
    });
    return funded;
  };

  const context: SubmissionContext = {
    address,
    chainId: options.chainId,
    gasPrice,
    connect,
    ensureFunds,
    leaseSequence: () => sequences.lease(),
    rebroadcastMs: options.rebroadcastMs ?? 2000,
    deadlineMs: options.deadlineMs ?? 120_000,
    pollMs: POLL_MS,
    retryMs: 1000,
    isStopped: () => stopped,
    logger,
  };

  const submitOne = async (round: RoundBundles, record: Submission): Promise<void> =>
    submitRound(context, round, await admissibleBundles(round, isRegistered, logger), record);

  const runNext = (): void => {
    while (active < maxConcurrent && !stopped) {
      const next = queue.shift();
      if (!next) return;
      active++;
      next.record.status = "submitting";
      void submitOne(next.round, next.record)
        .catch((err) => {
          next.record.status = "failed";
          next.record.error = errorMessage(err);
          logger.warn(
            {
              code: (err as { code?: string }).code ?? "CHAIN_SUBMIT_FAILED",
              topic: next.round.topicId.toString(),
              nonce: next.round.nonce.toString(),
            },
            `round submission failed: ${errorMessage(err)}`,
          );
        })
        .finally(() => {
          active--;
          runNext();
        });
    }
  };

  return {
    address,
    start() {
      logger.info({ address, rpc: options.rpc }, "chain account loaded; submitting rounds to the chain");
      void connect()
        .then((c) => ensureFunds(c))
        .catch((err) => logger.warn({ code: "CHAIN_UNREACHABLE" }, `chain not reachable yet: ${errorMessage(err)}`));
    },
    stop() {
      stopped = true;
      void client?.then((c) => c.disconnect()).catch(() => undefined);
    },
    submit(round) {
      const record: Submission = {
        topic_id: round.topicId.toString(),
        nonce: round.nonce.toString(),
        bundles: round.bundles.length,
        status: "queued",
      };
      history.unshift(record);
      history.length = Math.min(history.length, HISTORY);
      queue.push({ round, record });
      if (queue.length > maxQueued) {
        const dropped = queue.shift() as (typeof queue)[number];
        dropped.record.status = "failed";
        dropped.record.error = `dropped: more than ${maxQueued} rounds were waiting for the chain`;
        logger.warn(
          { code: "CHAIN_SUBMIT_QUEUE_FULL", topic: dropped.record.topic_id, nonce: dropped.record.nonce },
          dropped.record.error,
        );
      }
      runNext();
    },
    status: () => ({ address, rpc: options.rpc, submissions: [...history] }),
  };
}
