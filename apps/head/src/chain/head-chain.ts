/**
 * The head's chain side: after a chain round, the head submits every worker's signed bundle in one
 * `MsgInsertBulkWorkerPayload`, signed with its own key. Submissions run one at a time (so sequences never race).
 * Bundles that would make the chain refuse the whole transaction (bad signature, unregistered worker) are dropped
 * first, with the reason logged. A transaction is signed once and only its identical bytes are re-broadcast, so a
 * retry can never submit the round twice.
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

/** One submission as `/status` shows it. */
export interface Submission {
  topic_id: string;
  nonce: string;
  bundles: number;
  status: "queued" | "submitting" | "committed" | "failed" | "skipped";
  tx_hash?: string;
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
const MAX_ATTEMPTS = 4;

/** Creates the chain side; resolves once the key is loaded (the chain itself may come up later). */
export async function createHeadChain(options: HeadChainOptions): Promise<HeadChain> {
  const { logger } = options;
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(options.mnemonic, { prefix: "allo" });
  const [account] = await wallet.getAccounts();
  const address = (account as { address: string }).address;
  const gasPrice = GasPrice.fromString(options.gasPrice);
  const rest = options.rest?.replace(/\/+$/, "");
  const history: Submission[] = [];
  const queue: Array<{ round: RoundBundles; record: Submission }> = [];
  let client: SigningStargateClient | undefined;
  let working = false;
  let stopped = false;
  let sequence: { accountNumber: bigint; sequence: number } | undefined;
  const registered = new Map<string, number>();

  const connect = async (): Promise<SigningStargateClient> => {
    if (client) return client;
    client = await SigningStargateClient.connectWithSigner(options.rpc, wallet, {
      registry: createAlloraRegistry(),
      gasPrice,
      broadcastPollIntervalMs: 300,
      broadcastTimeoutMs: 20_000,
    });
    return client;
  };

  const ensureFunds = async (c: SigningStargateClient): Promise<void> => {
    const balance = async () => BigInt((await c.getBalance(address, DENOM)).amount);
    const now = await balance();
    if (now >= 1_000_000n || !options.faucetUrl) return;
    logger.info({ address, balance: now.toString() }, "asking the faucet for fee funds");
    await fundFromFaucet({ faucetUrl: options.faucetUrl, address, needed: 1_000_000n, balance });
  };

  const isRegistered = async (topic: string, worker: string): Promise<boolean> => {
    if (!rest) return true;
    const k = `${topic}/${worker}`;
    if ((registered.get(k) ?? 0) > Date.now()) return true;
    const body = (await getJson(`${rest}/emissions/v1/worker_registered/${topic}/${worker}`)) as {
      is_registered?: boolean;
    };
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

  const submitOne = async (round: RoundBundles, record: Submission): Promise<void> => {
    const c = await connect();
    await ensureFunds(c);
    let bundles = await admissible(round);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      if (bundles.length === 0) {
        record.bundles = 0;
        record.status = "skipped";
        record.error = "no admissible bundle (see the log for each one dropped)";
        return;
      }
      record.bundles = bundles.length;
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
      if (!sequence) {
        const acc = await c.getAccount(address);
        if (!acc) throw new Error(`account ${address} does not exist on chain yet (fund it)`);
        sequence = { accountNumber: BigInt(acc.accountNumber), sequence: Number(acc.sequence) };
      }
      let gas: number;
      try {
        gas = await c.simulate(address, messages, "round submission");
      } catch (err) {
        // The chain runs the messages in Simulate: a refused bundle names its worker; drop it and try again.
        const worker = /allo1[0-9a-z]{38}/.exec(errorMessage(err))?.[0];
        if (worker && worker !== address && bundles.some((b) => b.worker === worker)) {
          logger.warn({ code: "BUNDLE_REFUSED", worker }, `chain refused a bundle, dropping it: ${errorMessage(err)}`);
          bundles = bundles.filter((b) => b.worker !== worker);
          continue;
        }
        throw err;
      }
      const fee = calculateFee(Math.ceil(gas * 1.3), gasPrice);
      const signer = sequence;
      const raw = await c.sign(address, messages, fee, "round submission", { ...signer, chainId: options.chainId });
      const bytes = TxRaw.encode(raw).finish();
      let hash: string | undefined;
      // Re-broadcast only these exact bytes: the same hash can be committed at most once.
      for (let send = 0; send < 3 && !hash; send++) {
        try {
          hash = await c.broadcastTxSync(bytes);
        } catch (err) {
          const code = (err as { code?: number }).code;
          const log = (err as { log?: string }).log ?? errorMessage(err);
          if (code === 19) {
            // Already in the mempool: an earlier send of these very bytes got through.
            hash = toHex(sha256(bytes)).toUpperCase();
            break;
          }
          if (code === 32) {
            sequence = undefined; // someone else used our sequence: refresh and re-sign
            break;
          }
          if (typeof code === "number") {
            const worker = /allo1[0-9a-z]{38}/.exec(log)?.[0];
            if (worker && bundles.some((b) => b.worker === worker)) {
              logger.warn(
                { code: `CHAIN_${code}`, worker },
                `chain refused a bundle, dropping it and resubmitting: ${log}`,
              );
              bundles = bundles.filter((b) => b.worker !== worker);
              break;
            }
            throw Object.assign(new Error(`chain refused the submission (code ${code}): ${log}`), {
              code: `CHAIN_${code}`,
            });
          }
          logger.warn(
            { code: "CHAIN_UNREACHABLE", attempt: send + 1 },
            `broadcast failed, re-sending the same transaction: ${errorMessage(err)}`,
          );
          await new Promise((r) => setTimeout(r, 500 * (send + 1)));
        }
      }
      if (!hash) continue;
      record.tx_hash = hash;
      sequence = { accountNumber: signer.accountNumber, sequence: signer.sequence + 1 };
      const deadline = Date.now() + 20_000;
      for (;;) {
        const tx = await c.getTx(hash).catch(() => null);
        if (tx) {
          if (tx.code === 0) {
            record.status = "committed";
            logger.info(
              { topic: round.topicId.toString(), nonce: round.nonce.toString(), bundles: bundles.length, tx: hash },
              "round submitted",
            );
          } else {
            record.status = "failed";
            record.error = `transaction failed with code ${tx.code}: ${tx.rawLog ?? ""}`;
            logger.warn({ code: `CHAIN_${tx.code}`, tx: hash }, record.error);
          }
          return;
        }
        if (Date.now() > deadline)
          throw Object.assign(new Error(`transaction ${hash} was not committed within 20 s`), {
            code: "CHAIN_TX_TIMEOUT",
          });
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    throw Object.assign(new Error(`gave up after ${MAX_ATTEMPTS} attempts`), { code: "CHAIN_SUBMIT_FAILED" });
  };

  const drain = async (): Promise<void> => {
    if (working) return;
    working = true;
    try {
      for (let next = queue.shift(); next && !stopped; next = queue.shift()) {
        next.record.status = "submitting";
        try {
          await submitOne(next.round, next.record);
        } catch (err) {
          next.record.status = "failed";
          next.record.error = errorMessage(err);
          sequence = undefined;
          client?.disconnect();
          client = undefined;
          logger.warn(
            {
              code: (err as { code?: string }).code ?? "CHAIN_SUBMIT_FAILED",
              topic: next.round.topicId.toString(),
              nonce: next.round.nonce.toString(),
            },
            `round submission failed: ${errorMessage(err)}`,
          );
        }
      }
    } finally {
      working = false;
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
      client?.disconnect();
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
      void drain();
    },
    status: () => ({ address, rpc: options.rpc, submissions: [...history] }),
  };
}
