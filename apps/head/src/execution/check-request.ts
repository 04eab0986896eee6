/**
 * Step 1 of an execute, check: reads a REST request once into the plan every later step works from, refusing a
 * request the head must not run (no topic, reserved env vars, a function it neither serves nor installed, an unknown
 * method, a chain round with a bad height) with a named code before any worker hears of it.
 */
import {
  AlloraError,
  type ChainRound,
  type EnvVar,
  type ExecuteRequest,
  isReservedEnvName,
  parseTopicId,
  workerTopicName,
} from "@allora/protocol";
import type { FunctionCatalog } from "../functions/function-catalog.js";

/** What a checked request asks for, read once. */
export interface ExecutePlan {
  readonly topicId: bigint;
  /** The topic's gossip topic name. */
  readonly topic: string;
  readonly cid: string;
  readonly method: string;
  /** The caller's env vars, less `TOPIC_ID` (the head sets it from the topic). */
  readonly envVars: readonly EnvVar[];
  readonly parameters: readonly string[];
  readonly stdin: string | undefined;
  readonly chainRound: ChainRound | undefined;
  /** How long the roll call waits for answers. */
  readonly rollCallMs: number;
  /** How many workers to choose; -1 is every worker that accepts. */
  readonly wanted: number;
  /** The share of chosen workers that must return a result for a 200. */
  readonly threshold: number;
  /** The caller's `execution_timeout`, in ms, when it set one. */
  readonly requestedMs: number | undefined;
}

/** What the check needs to know about the head. */
export interface RequestCheckContext {
  catalog: FunctionCatalog;
  /** Whether the head may ask workers to run a function: it serves it or installed it. */
  isExecutable: (cid: string) => boolean;
  /** The roll-call window when a request sets no `config.timeout`. */
  defaultRollCallMs: number;
}

const DEFAULT_THRESHOLD = 0.6;
const HEIGHT_ENV = "ALLORA_BLOCK_HEIGHT_CURRENT";

/** Checks `request` and reads it into an {@link ExecutePlan}; throws a coded {@link AlloraError} when it is refused. */
export function checkExecuteRequest(request: ExecuteRequest, context: RequestCheckContext): ExecutePlan {
  if (request.topic === undefined || request.topic === "") {
    throw new AlloraError(
      "TOPIC_INVALID",
      'topic is required: the id of the topic whose workers run the function, e.g. "1"',
    );
  }
  const topicId = parseTopicId(request.topic);
  const config = request.config ?? {};
  const envVars = (config.env_vars ?? []).filter((e) => e.name !== "TOPIC_ID");
  assertNoReservedEnv(envVars);
  const cid = checkFunction(request, context);
  return {
    topicId,
    topic: workerTopicName(topicId),
    cid,
    method: request.method,
    envVars,
    parameters: (request.parameters ?? []).map((p) => p.value).filter((v) => v !== ""),
    stdin: typeof config.stdin === "string" ? config.stdin : undefined,
    chainRound: chainRoundOf(topicId, envVars),
    rollCallMs: config.timeout !== undefined && config.timeout > 0 ? config.timeout * 1000 : context.defaultRollCallMs,
    wanted: config.number_of_nodes !== undefined && config.number_of_nodes >= 1 ? config.number_of_nodes : -1,
    threshold: config.threshold ?? DEFAULT_THRESHOLD,
    requestedMs:
      config.execution_timeout !== undefined ? Math.max(1, Math.round(config.execution_timeout * 1000)) : undefined,
  };
}

/**
 * The chain round a request names in its env vars, if any, read leniently before the request is checked (the
 * admission lane uses it to let the chain's rounds through first; {@link checkExecuteRequest} validates it later).
 */
export function claimedRound(request: ExecuteRequest): { topic: string; nonce: string } | undefined {
  const nonce = request.config?.env_vars?.find((e) => e.name === HEIGHT_ENV)?.value;
  if (nonce === undefined || !/^[0-9]{1,19}$/.test(nonce) || !/^[0-9]{1,20}$/.test(request.topic ?? "")) return;
  return { topic: BigInt(request.topic as string).toString(), nonce: BigInt(nonce).toString() };
}

function assertNoReservedEnv(envVars: readonly EnvVar[]): void {
  const reserved = envVars.filter((e) => isReservedEnvName(e.name)).map((e) => e.name);
  if (reserved.length > 0) {
    throw new AlloraError(
      "ENV_VAR_RESERVED",
      `env vars ${reserved.join(", ")} are reserved for the runtime; remove them from config.env_vars`,
    );
  }
}

/** The CID of the request's function, once the head may run it with the request's method. */
function checkFunction(request: ExecuteRequest, context: RequestCheckContext): string {
  const cid = context.catalog.resolve(request.function_id);
  if (!context.isExecutable(cid)) {
    throw new AlloraError(
      "FUNCTION_NOT_SERVED",
      `function ${request.function_id} is neither served by this head nor installed through it, so no worker is asked to run it: install it first (POST /api/v1/functions/install) or use a function the head serves (GET /api/v1/status lists them)`,
    );
  }
  const served = context.catalog.get(cid);
  if (served && !served.methods.includes(request.method)) {
    throw new AlloraError(
      "FUNCTION_METHOD_UNKNOWN",
      `method "${request.method}" is not one of function ${served.name}'s methods: ${served.methods.join(", ")}`,
    );
  }
  return cid;
}

/** The chain round of a request sent by the chain (its env carries the block height), validated. */
function chainRoundOf(topicId: bigint, env: readonly EnvVar[]): ChainRound | undefined {
  const height = env.find((e) => e.name === HEIGHT_ENV)?.value;
  if (height === undefined || height === "") return undefined;
  if (!/^[0-9]{1,19}$/.test(height) || BigInt(height) === 0n) {
    throw new AlloraError("REQUEST_INVALID", `${HEIGHT_ENV} "${height}" is not a positive block height`);
  }
  return { topic_id: topicId.toString(), block_height: height };
}
