/**
 * The chain queries the CLI needs: `@allora/protocol`'s chain REST client (typed, answers checked against the
 * chain's schemas), with its failures turned into {@link CliError}s that say what to do. A chain that is not this
 * network's (a production chain without the `/allora/localnet/v1` views) still answers `health` as reachable.
 */
import {
  AlloraError,
  type ChainHealthView,
  ChainRequestError,
  type ChainRoundView,
  type ChainWorkerView,
  createChainRestClient,
  DENOM,
  type FaucetGrant,
  fundFromFaucet,
  type InfererScoreEmaResponse,
  type LatestInferencesResponse,
} from "@allora/protocol";
import { CliError } from "../errors.js";

/** One worker of a topic as the chain ranks it (`/allora/localnet/v1/topics/{id}/workers`). */
export type TopicWorker = ChainWorkerView;

/** A client for one chain's REST URL. */
export interface ChainClient {
  readonly url: string;
  /** The chain's health; `{status: "HTTP <n>"}` when it answers without this network's health view. */
  health(): Promise<Partial<ChainHealthView> & { status: string }>;
  isRegistered(topic: number, address: string): Promise<boolean>;
  scoreEma(topic: number, address: string): Promise<InfererScoreEmaResponse["score"] | undefined>;
  latestInferences(topic: number): Promise<LatestInferencesResponse["inferences"] & { block_height: string }>;
  topicWorkers(topic: number): Promise<TopicWorker[]>;
  rounds(topic: number, limit: number): Promise<ChainRoundView[]>;
  balance(address: string): Promise<bigint>;
  /** False when the chain has no such topic. */
  topicExists(topic: number): Promise<boolean>;
  /** Asks the faucet at `faucetUrl` for funds; returns its answer once the transfer is in a block. */
  faucet(faucetUrl: string, address: string, amount?: string): Promise<FaucetGrant>;
}

const RUN_HINT = "is the network running? `allocmd run` starts the local one; `allocmd doctor` checks what is missing";

/** A chain REST client for `url`. */
export function createChainClient(url: string, options: { timeoutMs?: number } = {}): ChainClient {
  const chain = createChainRestClient(url, { timeoutMs: options.timeoutMs ?? 10_000 });
  const base = chain.url;
  const asCli = (err: unknown): never => {
    if (err instanceof ChainRequestError) throw new CliError("CHAIN_UNREACHABLE", err.message, { cause: err });
    if (err instanceof AlloraError && err.code === "CHAIN_UNREACHABLE") {
      throw new CliError("CHAIN_UNREACHABLE", err.message, { hint: RUN_HINT, cause: err });
    }
    if (err instanceof AlloraError) {
      throw new CliError("CHAIN_UNREACHABLE", `${err.message}; is ${base} a chain's REST URL?`, { cause: err });
    }
    throw err;
  };
  return {
    url: base,
    async health() {
      try {
        return await chain.health();
      } catch (err) {
        if (err instanceof ChainRequestError) return { status: `HTTP ${err.status}` };
        return asCli(err);
      }
    },
    isRegistered: (topic, address) => chain.isRegistered(topic, address).catch(asCli),
    async scoreEma(topic, address) {
      try {
        return await chain.scoreEma(topic, address);
      } catch (err) {
        if (err instanceof ChainRequestError && err.status === 404) return undefined;
        return asCli(err);
      }
    },
    async latestInferences(topic) {
      const latest = await chain.latestInferences(topic).catch(asCli);
      return { block_height: latest.block_height, inferences: latest.inferences.inferences };
    },
    topicWorkers: (topic) => chain.topicWorkers(topic).catch(asCli),
    rounds: (topic, limit) => chain.rounds(topic, { limit }).catch(asCli),
    balance: (address) => chain.balance(address).catch(asCli),
    async topicExists(topic) {
      return (await chain.topic(topic).catch(asCli)) !== undefined;
    },
    async faucet(faucetUrl, address, amount) {
      try {
        return await fundFromFaucet(faucetUrl, address, amount === undefined ? {} : { amount });
      } catch (err) {
        throw new CliError("FAUCET_FAILED", `the faucet at ${faucetUrl} failed: ${(err as Error).message}`, {
          hint: "is the network running? `allocmd run` starts the local one with a faucet",
          cause: err,
        });
      }
    },
  };
}

/** An amount of uallo as people read it: `100000000uallo (100 ALLO)`. */
export function formatAmount(amount: bigint): string {
  const whole = amount / 1_000_000n;
  const frac = (amount % 1_000_000n).toString().padStart(6, "0").replace(/0+$/, "");
  return `${amount}${DENOM} (${whole}${frac ? `.${frac}` : ""} ALLO)`;
}
