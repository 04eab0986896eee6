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
  createAlloraRegistry,
  DENOM,
  errorMessage,
  type Logger,
  MsgInsertBulkWorkerPayload,
  TypeUrls,
  verifyWorkerBundle,
  WorkerDataBundle,
} from "@allora/protocol";
import { fundFromFaucet, getJson } from "@allora/service";
import { sha256 } from "@cosmjs/crypto";
import { toHex } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { calculateFee, GasPrice, SigningStargateClient } from "@cosmjs/stargate";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import type { RoundBundles } from "../execution/execute-service.js";
import { createSequenceAllocator } from "./sequence-allocator.js";

/** One submission as `/status` shows it. */
export interface Submission {
  topic_id: string;
  nonce: string;
  bundles: number;
  status: "queued" | "submitting" | "committed" | "failed" | "skipped";
  tx_hash?: string;
  /** Broadcasts of the signed bytes so far (re-broadcasts included). */
  broadcasts?: number;
  error?: string;
}

/** Options of {@link createHeadChain}. */
export interface HeadChainOptions {
  rpc: string;
  rest: string | undefined;
  chainId: string;
  mnemonic: string;
  gasPrice: string;
  faucetUrl: string | undefined;
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
/** ABCI codes the head acts on. */
const TX_IN_MEMPOOL = 19;
const SEQUENCE_MISMATCH = 32;
/** The chain says the round is over: its window closed (67), or no round was opened at that nonce (75). */
const ROUND_OVER = new Set([67, 75]);

class SubmitError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Creates the chain side; resolves once the key is loaded (the chain itself may come up later). */
export async function createHeadChain(options: HeadChainOptions): Promise<HeadChain> {
  const { logger } = options;
  const maxConcurrent = options.maxConcurrent ?? 8;
  const maxQueued = options.maxQueued ?? 256;
  const rebroadcastMs = options.rebroadcastMs ?? 2000;
  const deadlineMs = options.deadlineMs ?? 120_000;
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(options.mnemonic, { prefix: "allo" });
  const [account] = await wallet.getAccounts();
  const address = (account as { address: string }).address;
  const gasPrice = GasPrice.fromString(options.gasPrice);
  const rest = options.rest?.replace(/\/+$/, "");
  const history: Submission[] = [];
  const queue: Array<{ round: RoundBundles; record: Submission }> = [];
  let active = 0;
  let client: Promise<SigningStargateClient> | undefined;
  let stopped = false;
  const registered = new Map<string, number>();
  let funded: Promise<void> | undefined;

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
      throw new SubmitError("CHAIN_ACCOUNT_UNFUNDED", `account ${address} does not exist on chain yet (fund it)`);
    return { accountNumber: BigInt(acc.accountNumber), sequence: acc.sequence };
  });

  const ensureFunds = (c: SigningStargateClient): Promise<void> => {
    // One funding at a time, whatever the number of submissions asking.
    funded ??= (async () => {
      const balance = async () => BigInt((await c.getBalance(address, DENOM)).amount);
      const now = await balance();
      if (now >= 1_000_000n || !options.faucetUrl) return;
      logger.info({ address, balance: now.toString() }, "asking the faucet for fee funds");
      await fundFromFaucet({ faucetUrl: options.faucetUrl, address, needed: 1_000_000n, balance });
    })().finally(() => {
      funded = undefined;
    });
    return funded;
  };

  const isRegistered = async (topic: string, worker: string): Promise<boolean> => {
    if (!rest) return true;
    const k = `${topic}/${worker}`;
    if ((registered.get(k) ?? 0) > Date.now()) return true;
    let body: { is_registered?: boolean };
    try {
      body = (await getJson(`${rest}/emissions/v1/worker_registered/${topic}/${worker}`)) as typeof body;
    } catch {
      return true; // the chain's REST face is down: let the chain itself judge the bundle
    }
    if (body.is_registered) registered.set(k, Date.now() + 60_000);
    return body.is_registered === true;
  };

  const admissible = async (round: RoundBundles): Promise<WorkerDataBundle[]> => {
    const out: WorkerDataBundle[] = [];
    for (const { peer, bundle } of round.bundles) {
      let decoded: WorkerDataBundle;
      try {
        decoded = WorkerDataBundle.decode(Buffer.from(bundle, "base64"));
        await verifyWorkerBundle(decoded);
      } catch (err) {
        logger.warn(
          { code: (err as { code?: string }).code ?? "BUNDLE_INVALID", peer },
          `dropping bundle: ${errorMessage(err)}`,
        );
        continue;
      }
      if (decoded.topicId !== round.topicId || decoded.nonce?.blockHeight !== round.nonce) {
        logger.warn({ code: "BUNDLE_FIELD_MISMATCH", peer }, "dropping bundle for another round");
        continue;
      }
      if (!(await isRegistered(round.topicId.toString(), decoded.worker))) {
        logger.warn(
          { code: "WORKER_NOT_REGISTERED", peer, worker: decoded.worker },
          "dropping bundle of a worker not registered on the topic",
        );
        continue;
      }
      out.push(decoded);
    }
    return out;
  };

  /** The worker a refusal names, when it is one of the round's bundles. */
  const refusedWorker = (text: string, bundles: readonly WorkerDataBundle[]): string | undefined => {
    const worker = /allo1[0-9a-z]{38}/.exec(text)?.[0];
    return worker && worker !== address && bundles.some((b) => b.worker === worker) ? worker : undefined;
  };

  const submitOne = async (round: RoundBundles, record: Submission): Promise<void> => {
    const deadline = Date.now() + deadlineMs;
    const log = logger.child({ topic: round.topicId.toString(), nonce: round.nonce.toString() });
    const beforeDeadline = (what: string) => {
      if (stopped) throw new SubmitError("HEAD_STOPPING", "the head is stopping");
      if (Date.now() > deadline) {
        throw new SubmitError(
          "CHAIN_TX_TIMEOUT",
          `${what} within ${Math.round(deadlineMs / 1000)} s${record.tx_hash ? ` (last tx ${record.tx_hash})` : ""}`,
        );
      }
    };
    let bundles = await admissible(round);
    // Each pass signs the round once; a pass ends committed, or with a reason to sign again.
    for (;;) {
      if (bundles.length === 0) {
        record.bundles = 0;
        record.status = "skipped";
        record.error = "no admissible bundle (see the log for each one dropped)";
        return;
      }
      record.bundles = bundles.length;
      beforeDeadline("the chain did not take the round");
      const messages = [
        {
          typeUrl: TypeUrls.MsgInsertBulkWorkerPayload,
          value: MsgInsertBulkWorkerPayload.fromPartial({
            sender: address,
            nonce: { blockHeight: round.nonce },
            topicId: round.topicId,
            workerDataBundles: bundles,
          }),
        },
      ];
      let c: SigningStargateClient;
      let gas: number;
      try {
        c = await connect();
        await ensureFunds(c);
        gas = await c.simulate(address, messages, "round submission");
      } catch (err) {
        const text = errorMessage(err);
        const code = Number(/Query failed with \((\d+)\)/.exec(text)?.[1] ?? Number.NaN);
        if (ROUND_OVER.has(code)) throw new SubmitError(`CHAIN_${code}`, `the chain refused the round: ${text}`);
        // The chain runs the messages in Simulate: a refused bundle names its worker; drop it and try again.
        const worker = Number.isNaN(code) ? undefined : refusedWorker(text, bundles);
        if (worker) {
          log.warn({ code: "BUNDLE_REFUSED", worker }, `chain refused a bundle, dropping it: ${text}`);
          bundles = bundles.filter((b) => b.worker !== worker);
          continue;
        }
        if (!Number.isNaN(code)) throw new SubmitError(`CHAIN_${code}`, `the chain refused the round: ${text}`);
        if (err instanceof SubmitError) throw err;
        log.warn({ code: "CHAIN_UNREACHABLE" }, `cannot prepare the round's tx yet, retrying: ${text}`);
        await sleep(1000);
        continue;
      }
      const fee = calculateFee(Math.ceil(gas * 1.3), gasPrice);
      let lease: Awaited<ReturnType<typeof sequences.lease>>;
      try {
        lease = await sequences.lease();
      } catch (err) {
        if (err instanceof SubmitError) throw err;
        log.warn({ code: "CHAIN_UNREACHABLE" }, `cannot read the account's sequence, retrying: ${errorMessage(err)}`);
        await sleep(1000);
        continue;
      }
      const raw = await c.sign(address, messages, fee, "round submission", {
        accountNumber: lease.accountNumber,
        sequence: lease.sequence,
        chainId: options.chainId,
      });
      const bytes = TxRaw.encode(raw).finish();
      const hash = toHex(sha256(bytes)).toUpperCase();
      record.tx_hash = hash;
      // Broadcast, then poll; the same bytes go out again every rebroadcastMs until the tx is found in a block.
      let resign: string | undefined;
      let lastSend = 0;
      while (!resign) {
        beforeDeadline(`transaction ${hash} was not committed`);
        const tx = await c.getTx(hash).catch(() => null);
        if (tx) {
          lease.consumed();
          if (tx.code === 0) {
            record.status = "committed";
            log.info({ bundles: bundles.length, tx: hash, broadcasts: record.broadcasts }, "round submitted");
            return;
          }
          if (ROUND_OVER.has(tx.code)) {
            throw new SubmitError(`CHAIN_${tx.code}`, `transaction ${hash} failed in its block: ${tx.rawLog ?? ""}`);
          }
          // In the block but failed (e.g. a worker registered away meanwhile): the chain's code says what to drop.
          const worker = refusedWorker(tx.rawLog ?? "", bundles);
          if (!worker) {
            throw new SubmitError(
              `CHAIN_${tx.code}`,
              `transaction ${hash} failed with code ${tx.code}: ${tx.rawLog ?? ""}`,
            );
          }
          bundles = bundles.filter((b) => b.worker !== worker);
          resign = `its block refused worker ${worker}`;
          break;
        }
        if (Date.now() - lastSend >= rebroadcastMs) {
          lastSend = Date.now();
          record.broadcasts = (record.broadcasts ?? 0) + 1;
          try {
            await c.broadcastTxSync(bytes);
          } catch (err) {
            const code = (err as { code?: number }).code;
            const text = (err as { log?: string }).log ?? errorMessage(err);
            if (code === TX_IN_MEMPOOL) {
              // Waiting for its block: an earlier send of these very bytes got through.
            } else if (code === SEQUENCE_MISMATCH) {
              const expected = Number(/expected (\d+)/.exec(text)?.[1] ?? Number.NaN);
              const verdict = Number.isNaN(expected) ? "used" : lease.mismatch(expected);
              if (verdict === "used") {
                // Our sequence is behind the chain's: committed (look once more) or taken by another tx.
                if (await c.getTx(hash).catch(() => null)) continue;
                lease.consumed();
                resign = `its sequence ${lease.sequence} was used by another transaction`;
              } else if (verdict === "hole") {
                resign = `sequence ${expected} before it will never be filled`;
              }
              // "wait": an earlier submission of ours holds the missing sequence; re-broadcast until it lands.
            } else if (typeof code === "number") {
              lease.release();
              if (ROUND_OVER.has(code)) throw new SubmitError(`CHAIN_${code}`, `the chain refused the round: ${text}`);
              const worker = refusedWorker(text, bundles);
              if (!worker) {
                throw new SubmitError(`CHAIN_${code}`, `chain refused the submission (code ${code}): ${text}`);
              }
              log.warn(
                { code: `CHAIN_${code}`, worker },
                `chain refused a bundle, dropping it and resubmitting: ${text}`,
              );
              bundles = bundles.filter((b) => b.worker !== worker);
              resign = `the chain refused worker ${worker}`;
            } else {
              // The chain is not answering (crashed, restarting): try again soon, so a chain that is back gets the
              // tx within half a second rather than a whole re-broadcast interval.
              lastSend = Date.now() - rebroadcastMs + Math.min(rebroadcastMs, 500);
              if (record.broadcasts === 1 || (record.broadcasts ?? 0) % 10 === 0) {
                log.warn(
                  { code: "CHAIN_UNREACHABLE", tx: hash, broadcasts: record.broadcasts },
                  `broadcast failed, sending the same transaction again: ${text}`,
                );
              }
            }
          }
          if (resign) break;
        }
        await sleep(POLL_MS);
      }
      log.info({ tx: hash }, `signing the round again: ${resign}`);
    }
  };

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
