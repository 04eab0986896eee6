/**
 * The genesis file: chain id, start time, the market seed, funded accounts, initial topics and parameters.
 * Parsing checks everything and reports every problem at once, each naming its JSON path.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { AlloraError } from "@allora/protocol";
import { isAccountAddress } from "../state/address.js";
import { checkTopicFields, type TopicFields } from "../topics/topic-rules.js";
import { type ChainParams, DEFAULT_PARAMS } from "./params.js";

/** A coin balance. */
interface Coin {
  denom: string;
  amount: bigint;
}

/** An account funded at genesis. */
interface GenesisAccount {
  address: string;
  coins: Coin[];
}

/** A topic created at genesis (ids are assigned 1, 2, … in file order). */
interface GenesisTopic extends TopicFields {
  creator: string;
}

/** A parsed, checked genesis. */
export interface Genesis {
  chainId: string;
  /** RFC 3339, as in the file. */
  genesisTime: string;
  genesisTimeMs: number;
  marketSeed: string;
  accounts: GenesisAccount[];
  topics: GenesisTopic[];
  /** Accounts allowed to send MsgInsertBulkWorkerPayload (the network's heads), as upstream's whitelists. */
  payloadSenders: string[];
  params: ChainParams;
  /** sha256 (hex) of the normalised genesis: a data dir remembers it and refuses another genesis. */
  hash: string;
}

const DENOM_PATTERN = /^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/;
const CHAIN_ID_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,49}$/;
const UINT_PATTERN = /^(0|[1-9]\d*)$/;
const DECIMAL_PATTERN = /^-?(0|[1-9]\d*)(\.\d+)?$/;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

class Problems {
  readonly list: string[] = [];
  add(path: string, problem: string): void {
    this.list.push(`${path}: ${problem}`);
  }
  /** An optional array at `path`, each entry read by `item`; anything else is one problem and no entries. */
  array<T>(path: string, raw: unknown, expectation: string, item: (entry: unknown, itemPath: string) => T): T[] {
    if (raw === undefined) return [];
    if (!Array.isArray(raw)) {
      this.add(path, expectation);
      return [];
    }
    return raw.map((entry, i) => item(entry, `${path}[${i}]`));
  }
  unknownKeys(path: string, object: Json, known: readonly string[]): void {
    for (const key of Object.keys(object)) {
      if (!known.includes(key)) this.add(`${path}.${key}`, `unknown key (known: ${known.join(", ")})`);
    }
  }
  string(path: string, value: unknown, options: { required?: boolean; pattern?: RegExp; hint?: string } = {}) {
    if (value === undefined && !options.required) return "";
    if (typeof value !== "string") {
      this.add(path, value === undefined ? "is required" : "must be a string");
      return "";
    }
    if (options.pattern && !options.pattern.test(value)) this.add(path, `"${value}" is not ${options.hint ?? "valid"}`);
    return value;
  }
  /** A non-negative integer given as a string (or a safe integer number). */
  uint(path: string, value: unknown, required: boolean, fallback: bigint): bigint {
    if (value === undefined) {
      if (required) this.add(path, "is required");
      return fallback;
    }
    if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
    if (typeof value === "string" && UINT_PATTERN.test(value)) return BigInt(value);
    this.add(path, `${JSON.stringify(value)} is not a non-negative integer (write amounts as strings, e.g. "1000")`);
    return fallback;
  }
  decimal(path: string, value: unknown, fallback: number, check: (n: number) => string | undefined): number {
    if (value === undefined) return fallback;
    let n: number;
    if (typeof value === "number") n = value;
    else if (typeof value === "string" && DECIMAL_PATTERN.test(value)) n = Number(value);
    else {
      this.add(path, `${JSON.stringify(value)} is not a decimal`);
      return fallback;
    }
    const problem = Number.isFinite(n) ? check(n) : "must be finite";
    if (problem) {
      this.add(path, problem);
      return fallback;
    }
    return n;
  }
}

const positive = (n: number) => (n > 0 ? undefined : "must be > 0");
const unit = (n: number) => (n > 0 && n <= 1 ? undefined : "must be in (0, 1]");
const anyValue = () => undefined;

function parseParams(raw: unknown, problems: Problems): ChainParams {
  const d = DEFAULT_PARAMS;
  if (!isObject(raw)) {
    problems.add("params", "must be an object with at least registration_fee and reward_per_round");
    return { ...d, registrationFee: 0n, rewardPerRound: 0n };
  }
  problems.unknownKeys("params", raw, [
    "registration_fee",
    "tx_fee_min",
    "reward_per_round",
    "alpha_regret",
    "merit_sortition_alpha",
    "p_norm",
    "c_norm",
    "p_reward_inference",
    "c_reward_inference",
    "epsilon",
    "max_samples_to_scale_scores",
  ]);
  const samples = problems.uint("params.max_samples_to_scale_scores", raw.max_samples_to_scale_scores, false, 10n);
  if (samples < 1n || samples > 1000n) problems.add("params.max_samples_to_scale_scores", "must be 1 to 1000");
  return {
    registrationFee: problems.uint("params.registration_fee", raw.registration_fee, true, 0n),
    txFeeMin: problems.uint("params.tx_fee_min", raw.tx_fee_min, false, d.txFeeMin),
    rewardPerRound: problems.uint("params.reward_per_round", raw.reward_per_round, true, 0n),
    alphaRegret: problems.decimal("params.alpha_regret", raw.alpha_regret, d.alphaRegret, unit),
    meritSortitionAlpha: problems.decimal(
      "params.merit_sortition_alpha",
      raw.merit_sortition_alpha,
      d.meritSortitionAlpha,
      unit,
    ),
    pNorm: problems.decimal("params.p_norm", raw.p_norm, d.pNorm, positive),
    cNorm: problems.decimal("params.c_norm", raw.c_norm, d.cNorm, anyValue),
    pRewardInference: problems.decimal(
      "params.p_reward_inference",
      raw.p_reward_inference,
      d.pRewardInference,
      positive,
    ),
    cRewardInference: problems.decimal(
      "params.c_reward_inference",
      raw.c_reward_inference,
      d.cRewardInference,
      anyValue,
    ),
    epsilon: problems.decimal("params.epsilon", raw.epsilon, d.epsilon, positive),
    maxSamplesToScaleScores: Number(samples),
  };
}

function parseAccounts(raw: unknown, problems: Problems): GenesisAccount[] {
  const seen = new Set<string>();
  return problems.array("accounts", raw, "must be an array", (entry, path) => {
    if (!isObject(entry)) {
      problems.add(path, "must be an object {address, coins}");
      return { address: "", coins: [] };
    }
    problems.unknownKeys(path, entry, ["address", "coins"]);
    const address = problems.string(`${path}.address`, entry.address, { required: true });
    if (address && !isAccountAddress(address)) problems.add(`${path}.address`, `"${address}" is not an allo1… address`);
    if (seen.has(address)) problems.add(`${path}.address`, `${address} is listed twice`);
    seen.add(address);
    const coins: Coin[] = [];
    if (!Array.isArray(entry.coins)) problems.add(`${path}.coins`, "must be an array of {denom, amount}");
    else {
      const denoms = new Set<string>();
      entry.coins.forEach((coin, j) => {
        const cpath = `${path}.coins[${j}]`;
        if (!isObject(coin)) {
          problems.add(cpath, "must be an object {denom, amount}");
          return;
        }
        problems.unknownKeys(cpath, coin, ["denom", "amount"]);
        const denom = problems.string(`${cpath}.denom`, coin.denom, {
          required: true,
          pattern: DENOM_PATTERN,
          hint: "a denom like uallo",
        });
        if (denoms.has(denom)) problems.add(`${cpath}.denom`, `${denom} is listed twice`);
        denoms.add(denom);
        coins.push({ denom, amount: problems.uint(`${cpath}.amount`, coin.amount, true, 0n) });
      });
    }
    return { address, coins };
  });
}

function parseTopics(raw: unknown, problems: Problems): GenesisTopic[] {
  return problems.array("topics", raw, "must be an array", (entry, path) => {
    const empty: GenesisTopic = {
      creator: "",
      metadata: "",
      inferenceLogic: "",
      inferenceMethod: "",
      inferenceCadence: 0n,
      defaultArg: "",
      lossMethod: "",
      groundTruthLag: 0n,
      submissionWindow: 0n,
    };
    if (!isObject(entry)) {
      problems.add(path, "must be an object");
      return empty;
    }
    problems.unknownKeys(path, entry, [
      "creator",
      "metadata",
      "inference_logic",
      "inference_method",
      "inference_cadence",
      "default_arg",
      "loss_method",
      "ground_truth_lag",
      "submission_window",
    ]);
    const creator = problems.string(`${path}.creator`, entry.creator);
    if (creator && !isAccountAddress(creator)) problems.add(`${path}.creator`, `"${creator}" is not an allo1… address`);
    const topic: GenesisTopic = {
      creator,
      metadata: problems.string(`${path}.metadata`, entry.metadata),
      inferenceLogic: problems.string(`${path}.inference_logic`, entry.inference_logic, { required: true }),
      inferenceMethod: problems.string(`${path}.inference_method`, entry.inference_method, { required: true }),
      inferenceCadence: problems.uint(`${path}.inference_cadence`, entry.inference_cadence, true, 0n),
      defaultArg: problems.string(`${path}.default_arg`, entry.default_arg, { required: true }),
      lossMethod: problems.string(`${path}.loss_method`, entry.loss_method) || "mse",
      groundTruthLag: problems.uint(`${path}.ground_truth_lag`, entry.ground_truth_lag, true, 0n),
      submissionWindow: problems.uint(`${path}.submission_window`, entry.submission_window, true, 0n),
    };
    for (const problem of checkTopicFields(topic)) problems.add(path, problem);
    return topic;
  });
}

function parsePayloadSenders(raw: unknown, problems: Problems): string[] {
  return problems.array("payload_senders", raw, "must be an array of allo1… addresses", (entry, path) => {
    const address = problems.string(path, entry, { required: true });
    if (address && !isAccountAddress(address)) problems.add(path, `"${address}" is not an allo1… address`);
    return address;
  });
}

/** Checks a genesis document and returns it typed, or throws `GENESIS_INVALID` listing every problem. */
export function parseGenesis(raw: unknown): Genesis {
  const problems = new Problems();
  if (!isObject(raw)) throw new AlloraError("GENESIS_INVALID", "genesis must be a JSON object");
  problems.unknownKeys("genesis", raw, [
    "chain_id",
    "genesis_time",
    "market_seed",
    "accounts",
    "topics",
    "payload_senders",
    "params",
  ]);
  const chainId = problems.string("chain_id", raw.chain_id, {
    required: true,
    pattern: CHAIN_ID_PATTERN,
    hint: "a chain id of letters, digits, '-', '_' or '.' (at most 50)",
  });
  const genesisTime = problems.string("genesis_time", raw.genesis_time, { required: true });
  const genesisTimeMs = Date.parse(genesisTime);
  if (genesisTime && !Number.isFinite(genesisTimeMs)) {
    problems.add("genesis_time", `"${genesisTime}" is not an RFC 3339 time like 2026-01-01T00:00:00Z`);
  }
  const marketSeed = problems.string("market_seed", raw.market_seed, { required: true });
  if (typeof raw.market_seed === "string" && marketSeed.trim() === "") problems.add("market_seed", "must not be empty");
  const accounts = parseAccounts(raw.accounts, problems);
  const topics = parseTopics(raw.topics, problems);
  const payloadSenders = parsePayloadSenders(raw.payload_senders, problems);
  const params = parseParams(raw.params, problems);
  if (problems.list.length > 0) {
    throw new AlloraError("GENESIS_INVALID", `invalid genesis:\n${problems.list.map((p) => `  - ${p}`).join("\n")}`, {
      details: { problems: problems.list },
    });
  }
  // payload_senders is left out of the hash when empty, so a data dir made before the field existed still opens.
  const normalised = JSON.stringify(
    {
      chainId,
      genesisTime,
      marketSeed,
      accounts,
      topics,
      ...(payloadSenders.length > 0 ? { payloadSenders } : {}),
      params,
    },
    (_key, value) => (typeof value === "bigint" ? value.toString() : value),
  );
  const hash = createHash("sha256").update(normalised).digest("hex");
  return { chainId, genesisTime, genesisTimeMs, marketSeed, accounts, topics, payloadSenders, params, hash };
}

/** Reads and parses a genesis file; a missing file or bad JSON is a `GENESIS_INVALID` naming the path. */
export async function loadGenesisFile(path: string): Promise<Genesis> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new AlloraError("GENESIS_INVALID", `cannot read genesis file ${path}`, { cause, details: { path } });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new AlloraError("GENESIS_INVALID", `genesis file ${path} is not valid JSON: ${(cause as Error).message}`, {
      cause,
      details: { path },
    });
  }
  return parseGenesis(raw);
}
