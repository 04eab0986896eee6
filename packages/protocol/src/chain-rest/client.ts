/**
 * A small client for the chain's REST face (paths in docs/CHAIN.md): topics, rounds, workers with scores, EMA and
 * rewards, registration, balances, accounts and the dev faucet. Every answer is checked against its schema in
 * `views.ts`; a refusal comes back as a {@link ChainRequestError} named by the chain's own code.
 */
import type { Static, TSchema } from "@sinclair/typebox";
import { DENOM } from "../chain/constants.js";
import { AlloraError, errorMessage, isAlloraError, isAlloraErrorCode } from "../errors.js";
import { httpCall } from "../http-client.js";
import { checkResponse } from "../rest/check-response.js";
import {
  AccountResponse,
  BalancesResponse,
  type ChainErrorBody,
  ChainHealthView,
  ChainRoundsView,
  type ChainRoundView,
  type ChainTopic,
  ChainTopicResponse,
  ChainTopicsView,
  type ChainTopicView,
  ChainTopicWorkersView,
  type ChainWorkerView,
  type Coin,
  FaucetGrant,
  FaucetInfo,
  InfererScoreEmaResponse,
  LatestInferencesResponse,
  WorkerRegisteredResponse,
} from "./views.js";

/**
 * A non-2xx answer of the chain's REST face: an {@link AlloraError} whose `code` is the chain's name of the refusal
 * (`TOPIC_NOT_FOUND`, `FAUCET_DISABLED`, …) or `HTTP_<status>` when the body was not the chain's error form.
 */
export class ChainRequestError extends AlloraError {
  override readonly name = "ChainRequestError";
  constructor(
    /** The HTTP status of the answer. */
    readonly status: number,
    /** The chain's error body, when it sent one. */
    readonly body: ChainErrorBody | undefined,
    what: string,
  ) {
    super(
      body !== undefined && isAlloraErrorCode(body.reason) ? body.reason : `HTTP_${status}`,
      `${what} answered HTTP ${status}${body ? ` ${body.reason}: ${body.message.slice(0, 500)}` : ""}`,
      { details: { status, ...(body ? { codespace: body.codespace, abci_code: body.code, log: body.log } : {}) } },
    );
  }
}

/** Options of {@link createChainRestClient}. */
export interface ChainRestClientOptions {
  /** Milliseconds before a call is abandoned (default 10 000; the faucet waits for a block, 60 000). */
  timeoutMs?: number;
}

/** A client for one chain's REST URL (`http://127.0.0.1:1317` on the dev network). */
export interface ChainRestClient {
  /** The REST URL without a trailing slash. */
  readonly url: string;
  /** Whether blocks keep coming; a stalled chain answers too (`status` `"stalled"`), with HTTP 503. */
  health(): Promise<ChainHealthView>;
  /** Every topic with its worker count, open rounds and scored rounds. */
  topics(): Promise<ChainTopicView[]>;
  /** One topic; `undefined` when the chain has no such topic. */
  topic(topicId: bigint | number | string): Promise<ChainTopic | undefined>;
  /** The topic's registered workers with scores, EMA, rewards and balance, best first. */
  topicWorkers(topicId: bigint | number | string): Promise<ChainWorkerView[]>;
  /** The topic's recent rounds, newest first (at most `limit`, the chain caps it). */
  rounds(topicId: bigint | number | string, options?: { limit?: number }): Promise<ChainRoundView[]>;
  /** Whether `address` is registered as a worker on the topic. */
  isRegistered(topicId: bigint | number | string, address: string): Promise<boolean>;
  /** The worker's EMA score on the topic and the round it is from (`"0"` and `"0"` before its first score). */
  scoreEma(topicId: bigint | number | string, address: string): Promise<InfererScoreEmaResponse["score"]>;
  /** The inferences of the topic's newest round that has any. */
  latestInferences(topicId: bigint | number | string): Promise<LatestInferencesResponse>;
  /** Every balance of `address` (empty for an account the chain has never seen). */
  balances(address: string): Promise<Coin[]>;
  /** The balance of `address` in `denom` (default `uallo`). */
  balance(address: string, denom?: string): Promise<bigint>;
  /** The account number and sequence of `address`, for signing; `undefined` before the account first gets funds. */
  account(address: string): Promise<AccountResponse["account"] | undefined>;
  /** The dev faucet's address, amounts and balance (`FAUCET_DISABLED` on a chain without one). */
  faucetInfo(): Promise<FaucetInfo>;
  /** Asks the chain's faucet for `amount` uallo (its default when left out); resolves once the transfer is in a block. */
  fund(address: string, amount?: bigint | string): Promise<FaucetGrant>;
}

/**
 * A client for the chain's REST face at `url`. Failures are {@link AlloraError}s: `CHAIN_UNREACHABLE` (with the HTTP
 * client's error as `cause`), {@link ChainRequestError} for a refusal, `CHAIN_RESPONSE_INVALID` for an answer of
 * another shape.
 *
 * @example
 * ```ts
 * const chain = createChainRestClient("http://127.0.0.1:1317")
 * for (const w of await chain.topicWorkers(1)) console.log(w.address, w.ema_score, w.cumulative_reward)
 * ```
 */
export function createChainRestClient(url: string, options: ChainRestClientOptions = {}): ChainRestClient {
  const base = url.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 10_000;

  const call = <S extends TSchema>(schema: S, path: string, init: CallInit = {}) =>
    request(schema, `${base}${path}`, base, { timeoutMs, ...init });
  /** A read that always answers a body (no 404 or 503 allowed). */
  const get = async <S extends TSchema>(schema: S, path: string) => (await call(schema, path)) as Static<S>;

  const id = (topicId: bigint | number | string) => encodeURIComponent(String(topicId));
  const addr = (address: string) => encodeURIComponent(address);
  const ofWorker = (topicId: bigint | number | string, address: string) => `${id(topicId)}/${addr(address)}`;
  const balances = async (address: string) =>
    (await get(BalancesResponse, `/cosmos/bank/v1beta1/balances/${addr(address)}`)).balances;

  return {
    url: base,
    health: async () =>
      (await call(ChainHealthView, "/allora/localnet/v1/health", { allow503: true })) as ChainHealthView,
    topics: async () => (await get(ChainTopicsView, "/allora/localnet/v1/topics")).topics,
    async topic(topicId) {
      try {
        const body = await call(ChainTopicResponse, `/emissions/v1/topics/${id(topicId)}`, { allow404: true });
        return body?.topic;
      } catch (err) {
        // The chain answers 400 for an id that is not a number: no such topic either.
        if (err instanceof ChainRequestError && err.status === 400) return undefined;
        throw err;
      }
    },
    topicWorkers: async (topicId) =>
      (await get(ChainTopicWorkersView, `/allora/localnet/v1/topics/${id(topicId)}/workers`)).workers,
    async rounds(topicId, opts = {}) {
      const query = opts.limit === undefined ? "" : `?limit=${Math.max(1, Math.trunc(opts.limit))}`;
      return (await get(ChainRoundsView, `/allora/localnet/v1/topics/${id(topicId)}/rounds${query}`)).rounds;
    },
    isRegistered: async (topicId, address) =>
      (await get(WorkerRegisteredResponse, `/emissions/v1/worker_registered/${ofWorker(topicId, address)}`))
        .is_registered,
    scoreEma: async (topicId, address) =>
      (await get(InfererScoreEmaResponse, `/emissions/v1/inferer_score_ema/${ofWorker(topicId, address)}`)).score,
    latestInferences: (topicId) => get(LatestInferencesResponse, `/emissions/v1/latest_inferences/${id(topicId)}`),
    balances,
    async balance(address, denom = DENOM) {
      return BigInt((await balances(address)).find((b) => b.denom === denom)?.amount ?? "0");
    },
    async account(address) {
      try {
        const body = await call(AccountResponse, `/cosmos/auth/v1beta1/accounts/${addr(address)}`, { allow404: true });
        return body?.account;
      } catch (err) {
        if (isAlloraError(err, "ACCOUNT_NOT_FOUND")) return undefined;
        throw err;
      }
    },
    faucetInfo: () => get(FaucetInfo, "/faucet"),
    fund: (address, amount) =>
      fundFromFaucet(`${base}/faucet`, address, {
        ...(amount === undefined ? {} : { amount }),
        timeoutMs: Math.max(timeoutMs, 60_000),
      }),
  };
}

/** How one call is made. */
interface CallInit {
  body?: unknown;
  allow404?: boolean;
  allow503?: boolean;
  timeoutMs?: number;
}

/** One call to the chain at `base`: the answer checked against `schema`, failures as coded errors. */
async function request<S extends TSchema>(schema: S, url: string, base: string, init: CallInit) {
  const method = init.body === undefined ? "GET" : "POST";
  const what = `${method} ${url}`;
  let res: Awaited<ReturnType<typeof httpCall>>;
  try {
    res = await httpCall(url, {
      method,
      headers: {
        accept: "application/json",
        ...(init.body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      timeoutMs: init.timeoutMs ?? 10_000,
      maxResponseBytes: 8 * 1024 * 1024,
    });
  } catch (err) {
    throw new AlloraError("CHAIN_UNREACHABLE", `the chain at ${base} did not answer: ${errorMessage(err)}`, {
      cause: err,
      details: { url: base, ...(isAlloraError(err) ? { http: err.code } : {}) },
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.text);
  } catch {
    parsed = undefined;
  }
  if (res.status === 404 && init.allow404) return undefined;
  if (res.status !== 200 && !(res.status === 503 && init.allow503)) {
    throw new ChainRequestError(res.status, asErrorBody(parsed), what);
  }
  if (parsed === undefined) {
    throw new AlloraError("CHAIN_RESPONSE_INVALID", `${what} did not answer JSON; is ${base} a chain's REST URL?`);
  }
  return checkResponse(schema, parsed, what, "CHAIN_RESPONSE_INVALID");
}

/** The chain's `{code, codespace, log, message, reason}` error body, when `value` is one. */
function asErrorBody(value: unknown): ChainErrorBody | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const b = value as Record<string, unknown>;
  if (typeof b.reason !== "string" || typeof b.code !== "number") return undefined;
  return {
    code: b.code,
    codespace: typeof b.codespace === "string" ? b.codespace : "",
    log: typeof b.log === "string" ? b.log : "",
    message: typeof b.message === "string" ? b.message : "",
    reason: b.reason.slice(0, 100),
  };
}

/**
 * Funds `address` from the dev faucet at `faucetUrl` (the chain's `POST /faucet`; `http://127.0.0.1:1317/faucet` on
 * the dev network) and resolves once the transfer is in a block. The same call as {@link ChainRestClient.fund}, for a
 * faucet at another URL (the answer is the same).
 *
 * @example
 * ```ts
 * const grant = await fundFromFaucet("http://127.0.0.1:1317/faucet", "allo1…")
 * console.log(grant.amount, grant.tx_hash)
 * ```
 */
export async function fundFromFaucet(
  faucetUrl: string,
  address: string,
  options: { amount?: bigint | string; timeoutMs?: number } = {},
): Promise<FaucetGrant> {
  const body = options.amount === undefined ? { address } : { address, amount: String(options.amount) };
  return (await request(FaucetGrant, faucetUrl, faucetUrl, {
    body,
    timeoutMs: options.timeoutMs ?? 60_000,
  })) as FaucetGrant;
}
