/**
 * The worker's chain side: its account (from a mnemonic file), registration on each topic it serves (funded from
 * the dev faucet when the balance cannot pay the fee), and the signing of its inference bundles. Everything talks
 * to the chain through stock cosmjs clients and the Cosmos REST face.
 */

import {
  AlloraError,
  type ChainAccount,
  type ChainRound,
  chainRefusal,
  createAlloraRegistry,
  createChainRestClient,
  DENOM,
  deriveChainAccount,
  errorMessage,
  fundFromFaucet,
  isAlloraError,
  type Logger,
  MsgRegister,
  readEmissionsParams,
  signWorkerBundle,
  TypeUrls,
  WorkerDataBundle,
} from "@allora/protocol";
import type { ChainAccountOptions } from "@allora/service";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice, SigningStargateClient } from "@cosmjs/stargate";
import { BoundedSet } from "../bounded-set.js";

/** Registration state of one topic. */
interface Registration {
  state: "pending" | "registered" | "failed";
  reason?: string;
  code?: string;
  tx_hash?: string;
}

/** Options of {@link createWorkerChain}. */
export interface WorkerChainOptions extends ChainAccountOptions {
  topics: readonly bigint[];
  libp2pKey: string;
  multiAddress: string;
  logger: Logger;
}

/** The worker's chain side. */
export interface WorkerChain {
  readonly address: string;
  /** Starts registering in the background (retrying until every topic is registered). */
  start(): void;
  stop(): void;
  /** Signs this worker's inference for a round; returns the `WorkerDataBundle` as base64 protobuf. */
  signBundle(round: ChainRound, value: string): Promise<string>;
  status(): { address: string; registrations: Record<string, Registration> };
}

/** Rounds remembered as signed (oldest forgotten first): far more than any submission window holds. */
const MAX_SIGNED_ROUNDS = 10_000;
/** Balance kept beyond the registration fee, for the transaction's gas. */
const GAS_ALLOWANCE = 1_000_000n;

/** Creates the chain side; derives the account now so its address is known at once. */
export async function createWorkerChain(options: WorkerChainOptions): Promise<WorkerChain> {
  const signedRounds = new BoundedSet(MAX_SIGNED_ROUNDS);
  const { logger } = options;
  const account: ChainAccount = await deriveChainAccount(options.mnemonic);
  const registrations = new Map<string, Registration>(options.topics.map((t) => [t.toString(), { state: "pending" }]));
  const rest = options.rest === undefined ? undefined : createChainRestClient(options.rest);
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;

  const registerAll = async (): Promise<void> => {
    const client = await connectSigner(options);
    try {
      for (const [topic, reg] of registrations) {
        if (stopped || reg.state === "registered") continue;
        const outcome = await registerOn(topic, client);
        registrations.set(topic, outcome);
        logRegistration(topic, outcome);
      }
    } finally {
      client.disconnect();
    }
  };

  /** Registers on `topic` unless the chain says it is already, paying the fee from the faucet when needed. */
  const registerOn = async (topic: string, client: SigningStargateClient): Promise<Registration> => {
    if (rest && (await rest.isRegistered(topic, account.address))) return { state: "registered" };
    const fee = options.rest ? BigInt((await readEmissionsParams(options.rest)).registration_fee) : 0n;
    await fund(client, fee + GAS_ALLOWANCE);
    const message = makeRegisterMessage(account.address, topic, options);
    let result: Awaited<ReturnType<typeof client.signAndBroadcast>>;
    try {
      result = await client.signAndBroadcast(account.address, [message], "auto", "worker registration");
    } catch (err) {
      // The chain refused the registration (in simulation or CheckTx): its code says why.
      const refusal = chainRefusal(err);
      if (refusal === undefined) throw err;
      if (refusal.code === "ALREADY_REGISTERED") return { state: "registered" };
      const reason = `the chain refused MsgRegister with code ${refusal.details?.code}: ${errorMessage(err)}`;
      return { state: "failed", code: "REGISTRATION_REJECTED", reason };
    }
    if (result.code !== 0) {
      const reason = `the chain rejected MsgRegister with code ${result.code}: ${result.rawLog ?? "no log"}`;
      return { state: "failed", code: "REGISTRATION_REJECTED", reason, tx_hash: result.transactionHash };
    }
    return { state: "registered", tx_hash: result.transactionHash };
  };

  const logRegistration = (topic: string, outcome: Registration) => {
    if (outcome.state === "failed") {
      logger.error({ code: outcome.code, topic, tx: outcome.tx_hash }, `registration failed: ${outcome.reason}`);
    } else if (outcome.tx_hash === undefined) {
      logger.info({ topic, address: account.address }, `already registered on topic ${topic}`);
    } else {
      logger.info({ topic, address: account.address, tx: outcome.tx_hash }, `registered on topic ${topic}`);
    }
  };

  /** Makes sure the balance reaches `needed`, asking the dev faucet when there is one. */
  const fund = async (client: SigningStargateClient, needed: bigint): Promise<void> => {
    const readBalance = async () => BigInt((await client.getBalance(account.address, DENOM)).amount);
    const balance = await readBalance();
    if (balance >= needed) return;
    if (!options.faucetUrl) {
      throw Object.assign(
        new Error(
          `balance ${balance}${DENOM} cannot pay registration (${needed}${DENOM} needed); send funds to ${account.address}`,
        ),
        { code: "REGISTRATION_UNFUNDED" },
      );
    }
    logger.info(
      { address: account.address, balance: balance.toString(), needed: needed.toString() },
      "asking the faucet for funds",
    );
    await askFaucet(options.faucetUrl, account.address);
    const funded = await readBalance();
    if (funded < needed) {
      throw new AlloraError(
        "FAUCET_FAILED",
        `the faucet's funds leave the balance at ${funded}${DENOM}, ${needed}${DENOM} needed`,
      );
    }
  };

  const loop = async (): Promise<void> => {
    if (stopped) return;
    try {
      await registerAll();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      const reason = errorMessage(err);
      for (const [topic, reg] of registrations) {
        if (reg.state !== "registered")
          registrations.set(topic, {
            state: "failed",
            code: typeof code === "string" ? code : "CHAIN_UNREACHABLE",
            reason,
          });
      }
      logger.warn(
        { code: typeof code === "string" ? code : "CHAIN_UNREACHABLE", attempt },
        `registration failed, will retry: ${reason}`,
      );
    }
    if (stopped || [...registrations.values()].every((r) => r.state === "registered")) return;
    attempt++;
    timer = setTimeout(() => void loop(), Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5)));
    timer.unref();
  };

  return {
    address: account.address,
    start() {
      logger.info(
        { address: account.address, topics: options.topics.map(String) },
        "chain account loaded; registering",
      );
      void loop();
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
    async signBundle(round, value) {
      // One signature per (topic, nonce): a second request for the same round gets nothing to submit.
      const key = `${round.topic_id}/${round.block_height}`;
      if (!signedRounds.addFirst(key)) {
        throw new AlloraError(
          "BUNDLE_ALREADY_SIGNED",
          `this worker already signed its inference for topic ${round.topic_id} at nonce ${round.block_height}`,
        );
      }
      const bundle = await signWorkerBundle(account, {
        topicId: BigInt(round.topic_id),
        blockHeight: BigInt(round.block_height),
        value,
      });
      return Buffer.from(WorkerDataBundle.encode(bundle).finish()).toString("base64");
    },
    status() {
      return { address: account.address, registrations: Object.fromEntries(registrations) };
    },
  };
}

/** A signing client on the chain's RPC with the worker's key. */
async function connectSigner(options: WorkerChainOptions): Promise<SigningStargateClient> {
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(options.mnemonic, { prefix: "allo" });
  return SigningStargateClient.connectWithSigner(options.rpc, wallet, {
    registry: createAlloraRegistry(),
    gasPrice: GasPrice.fromString(options.gasPrice),
    broadcastPollIntervalMs: 300,
    broadcastTimeoutMs: 30_000,
  });
}

/** The worker's `MsgRegister` on `topic`, with the libp2p key and address heads reach it at. */
function makeRegisterMessage(address: string, topic: string, options: WorkerChainOptions) {
  return {
    typeUrl: TypeUrls.MsgRegister,
    value: MsgRegister.fromPartial({
      sender: address,
      libP2pKey: options.libp2pKey,
      multiAddress: options.multiAddress,
      topicId: BigInt(topic),
      owner: address,
      isReputer: false,
    }),
  };
}

/** Asks the dev faucet at `faucetUrl` for funds; resolves once the transfer is in a block. */
async function askFaucet(faucetUrl: string, address: string): Promise<void> {
  try {
    await fundFromFaucet(faucetUrl, address, { timeoutMs: 30_000 });
  } catch (err) {
    if (isAlloraError(err, "CHAIN_UNREACHABLE")) throw err;
    throw new AlloraError("FAUCET_FAILED", `the faucet did not fund ${address}: ${errorMessage(err)}`, { cause: err });
  }
}
