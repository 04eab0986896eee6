/**
 * The worker's chain side: its account (from a mnemonic file), registration on each topic it serves (funded from
 * the dev faucet when the balance cannot pay the fee), and the signing of its inference bundles. Everything talks
 * to the chain through stock cosmjs clients and the Cosmos REST face.
 */

import {
  AlloraError,
  type ChainAccount,
  type ChainRound,
  createAlloraRegistry,
  DENOM,
  deriveChainAccount,
  errorMessage,
  type Logger,
  MsgRegister,
  signWorkerBundle,
  TypeUrls,
  WorkerDataBundle,
} from "@allora/protocol";
import { fundFromFaucet, getJson } from "@allora/service";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice, SigningStargateClient } from "@cosmjs/stargate";

/** Registration state of one topic. */
export interface Registration {
  state: "pending" | "registered" | "failed";
  reason?: string;
  code?: string;
  tx_hash?: string;
}

/** Options of {@link createWorkerChain}. */
export interface WorkerChainOptions {
  rpc: string;
  rest: string | undefined;
  chainId: string;
  mnemonic: string;
  gasPrice: string;
  faucetUrl: string | undefined;
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

/** The chain's code for "already registered on this topic". */
const ALREADY_REGISTERED = 102;

/** Creates the chain side; derives the account now so its address is known at once. */
/** Rounds remembered as signed (oldest forgotten first): far more than any submission window holds. */
const MAX_SIGNED_ROUNDS = 10_000;

export async function createWorkerChain(options: WorkerChainOptions): Promise<WorkerChain> {
  const signedRounds = new Set<string>();
  const { logger } = options;
  const account: ChainAccount = await deriveChainAccount(options.mnemonic);
  const registrations = new Map<string, Registration>(options.topics.map((t) => [t.toString(), { state: "pending" }]));
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;

  const rest = options.rest?.replace(/\/+$/, "");

  const isRegistered = async (topic: string): Promise<boolean> => {
    if (!rest) return false;
    const body = (await getJson(`${rest}/emissions/v1/worker_registered/${topic}/${account.address}`)) as {
      is_registered?: boolean;
    };
    return body.is_registered === true;
  };

  const registrationFee = async (): Promise<bigint> => {
    if (!rest) return 0n;
    const body = (await getJson(`${rest}/emissions/v1/params`)) as { params?: { registration_fee?: string } };
    return BigInt(body.params?.registration_fee ?? "0");
  };

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
    await fundFromFaucet({ faucetUrl: options.faucetUrl, address: account.address, needed, balance: readBalance });
  };

  const registerAll = async (): Promise<void> => {
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(options.mnemonic, { prefix: "allo" });
    const client = await SigningStargateClient.connectWithSigner(options.rpc, wallet, {
      registry: createAlloraRegistry(),
      gasPrice: GasPrice.fromString(options.gasPrice),
      broadcastPollIntervalMs: 300,
      broadcastTimeoutMs: 30_000,
    });
    try {
      for (const [topic, reg] of registrations) {
        if (stopped || reg.state === "registered") continue;
        if (await isRegistered(topic)) {
          registrations.set(topic, { state: "registered" });
          logger.info({ topic, address: account.address }, `already registered on topic ${topic}`);
          continue;
        }
        await fund(client, (await registrationFee()) + 1_000_000n);
        let result: Awaited<ReturnType<typeof client.signAndBroadcast>>;
        try {
          result = await client.signAndBroadcast(
            account.address,
            [
              {
                typeUrl: TypeUrls.MsgRegister,
                value: MsgRegister.fromPartial({
                  sender: account.address,
                  libP2pKey: options.libp2pKey,
                  multiAddress: options.multiAddress,
                  topicId: BigInt(topic),
                  owner: account.address,
                  isReputer: false,
                }),
              },
            ],
            "auto",
            "worker registration",
          );
        } catch (err) {
          // The chain refused the registration (in simulation or CheckTx): its code says why.
          const text = errorMessage(err);
          const code =
            (err as { code?: number }).code ?? Number(/Query failed with \((\d+)\)/.exec(text)?.[1] ?? Number.NaN);
          if (code === ALREADY_REGISTERED) {
            registrations.set(topic, { state: "registered" });
            logger.info({ topic, address: account.address }, `already registered on topic ${topic}`);
            continue;
          }
          if (Number.isNaN(code)) throw err;
          const reason = `the chain refused MsgRegister with code ${code}: ${text}`;
          registrations.set(topic, { state: "failed", code: "REGISTRATION_REJECTED", reason });
          logger.error({ code: "REGISTRATION_REJECTED", topic, chainCode: code }, `registration failed: ${reason}`);
          continue;
        }
        if (result.code !== 0) {
          const reason = `the chain rejected MsgRegister with code ${result.code}: ${result.rawLog ?? "no log"}`;
          registrations.set(topic, {
            state: "failed",
            code: "REGISTRATION_REJECTED",
            reason,
            tx_hash: result.transactionHash,
          });
          logger.error(
            { code: "REGISTRATION_REJECTED", topic, tx: result.transactionHash },
            `registration failed: ${reason}`,
          );
          continue;
        }
        registrations.set(topic, { state: "registered", tx_hash: result.transactionHash });
        logger.info({ topic, address: account.address, tx: result.transactionHash }, `registered on topic ${topic}`);
      }
    } finally {
      client.disconnect();
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
      if (signedRounds.has(key)) {
        throw new AlloraError(
          "BUNDLE_ALREADY_SIGNED",
          `this worker already signed its inference for topic ${round.topic_id} at nonce ${round.block_height}`,
        );
      }
      signedRounds.add(key);
      if (signedRounds.size > MAX_SIGNED_ROUNDS) signedRounds.delete(signedRounds.values().next().value as string);
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
