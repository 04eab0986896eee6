/**
 * The chain queries the CLI needs, over the chain's REST face (paths in docs/CHAIN.md): registration, scores,
 * latest inferences, the topic's ranked workers, recent rounds, balances, params, and the dev faucet. Calls go
 * through `httpCall` (node:http, deadline, errors that name the URL); answers are read field by field, tolerating
 * fields a chain does not send.
 */
import { DENOM, errorMessage, httpCall } from "@allora/protocol";
import { CliError } from "../errors.js";

/** One worker of a topic as the chain ranks it (`/allora/localnet/v1/topics/{id}/workers`). */
export interface TopicWorker {
  address: string;
  lib_p2p_key?: string;
  latest_value?: string | null;
  latest_nonce?: string | null;
  latest_score?: string | null;
  ema_score?: string | null;
  rounds_scored?: string | number | null;
  cumulative_reward?: string | null;
  balance?: string | null;
}

/** One round (`/allora/localnet/v1/topics/{id}/rounds`). */
export interface TopicRound {
  topic_id: string;
  nonce: string;
  status: string;
  truth?: string | null;
  network_inference?: string | null;
  inferences?: Array<{ worker: string; value: string }>;
  workers?: Array<{ address: string; value?: string; score?: string | null; reward?: string | null }>;
}

/** A client for one chain's REST URL. */
export interface ChainClient {
  readonly url: string;
  health(): Promise<{ chain_id?: string; height?: string; status?: string }>;
  isRegistered(topic: number, address: string): Promise<boolean>;
  scoreEma(topic: number, address: string): Promise<{ score?: string; block_height?: string } | undefined>;
  latestInferences(
    topic: number,
  ): Promise<{ block_height: string; inferences: Array<{ inferer: string; value: string }> }>;
  topicWorkers(topic: number): Promise<TopicWorker[]>;
  rounds(topic: number, limit: number): Promise<TopicRound[]>;
  balance(address: string): Promise<bigint>;
  topicExists(topic: number): Promise<boolean | undefined>;
  /** Asks the faucet at `faucetUrl` for funds; returns its answer. */
  faucet(
    faucetUrl: string,
    address: string,
    amount?: string,
  ): Promise<{ tx_hash?: string; amount?: string; height?: string }>;
}

/** The REST error body of the chain, when it sent one. */
function chainErrorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: string; log?: string; reason?: string };
    return [body.reason, body.message ?? body.log].filter(Boolean).join(": ") || text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}

/** A chain REST client for `url`. */
export function createChainClient(url: string, options: { timeoutMs?: number } = {}): ChainClient {
  const base = url.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 10_000;
  const get = async (path: string, allow404 = false): Promise<unknown> => {
    let res: Awaited<ReturnType<typeof httpCall>>;
    try {
      res = await httpCall(`${base}${path}`, { timeoutMs, headers: { accept: "application/json" } });
    } catch (err) {
      throw new CliError("CHAIN_UNREACHABLE", `the chain at ${base} did not answer: ${errorMessage(err)}`, {
        hint: "is the network running? `allocmd run` starts the local one; `allocmd doctor` checks what is missing",
        cause: err,
      });
    }
    if (res.status === 404 && allow404) return undefined;
    if (res.status !== 200) {
      throw new CliError(
        "CHAIN_UNREACHABLE",
        `GET ${base}${path} answered HTTP ${res.status}: ${chainErrorMessage(res.text)}`,
      );
    }
    try {
      return JSON.parse(res.text);
    } catch {
      throw new CliError("CHAIN_UNREACHABLE", `GET ${base}${path} did not answer JSON; is ${base} a chain's REST URL?`);
    }
  };
  return {
    url: base,
    async health() {
      let res: Awaited<ReturnType<typeof httpCall>>;
      try {
        res = await httpCall(`${base}/allora/localnet/v1/health`, { timeoutMs });
      } catch (err) {
        throw new CliError("CHAIN_UNREACHABLE", `the chain at ${base} did not answer: ${errorMessage(err)}`, {
          hint: "is the network running? `allocmd run` starts the local one",
          cause: err,
        });
      }
      try {
        return JSON.parse(res.text) as { chain_id?: string; height?: string; status?: string };
      } catch {
        return { status: `HTTP ${res.status}` };
      }
    },
    async isRegistered(topic, address) {
      const body = (await get(`/emissions/v1/worker_registered/${topic}/${address}`)) as { is_registered?: boolean };
      return body.is_registered === true;
    },
    async scoreEma(topic, address) {
      const body = (await get(`/emissions/v1/inferer_score_ema/${topic}/${address}`, true)) as
        | { score?: { score?: string; block_height?: string } }
        | undefined;
      return body?.score;
    },
    async latestInferences(topic) {
      const body = (await get(`/emissions/v1/latest_inferences/${topic}`)) as {
        block_height?: string;
        inferences?: { inferences?: Array<{ inferer: string; value: string }> };
      };
      return { block_height: body.block_height ?? "0", inferences: body.inferences?.inferences ?? [] };
    },
    async topicWorkers(topic) {
      const body = (await get(`/allora/localnet/v1/topics/${topic}/workers`)) as { workers?: TopicWorker[] };
      return body.workers ?? [];
    },
    async rounds(topic, limit) {
      const body = (await get(`/allora/localnet/v1/topics/${topic}/rounds?limit=${limit}`)) as {
        rounds?: TopicRound[];
      };
      return body.rounds ?? [];
    },
    async balance(address) {
      const body = (await get(`/cosmos/bank/v1beta1/balances/${address}`)) as {
        balances?: Array<{ denom: string; amount: string }>;
      };
      return BigInt(body.balances?.find((b) => b.denom === DENOM)?.amount ?? "0");
    },
    async topicExists(topic) {
      try {
        const body = await get(`/emissions/v1/topics/${topic}`, true);
        return body !== undefined;
      } catch (err) {
        if (err instanceof CliError && /HTTP 4\d\d/.test(err.message)) return false;
        throw err;
      }
    },
    async faucet(faucetUrl, address, amount) {
      let res: Awaited<ReturnType<typeof httpCall>>;
      try {
        res = await httpCall(faucetUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(amount ? { address, amount } : { address }),
          timeoutMs: 60_000,
        });
      } catch (err) {
        throw new CliError("FAUCET_FAILED", `the faucet at ${faucetUrl} did not answer: ${errorMessage(err)}`, {
          hint: "is the network running? `allocmd run` starts the local one with a faucet",
          cause: err,
        });
      }
      if (res.status !== 200) {
        throw new CliError(
          "FAUCET_FAILED",
          `the faucet at ${faucetUrl} answered HTTP ${res.status}: ${chainErrorMessage(res.text)}`,
        );
      }
      try {
        return JSON.parse(res.text) as { tx_hash?: string; amount?: string; height?: string };
      } catch {
        return {};
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
