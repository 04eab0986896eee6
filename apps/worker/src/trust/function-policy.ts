/**
 * Which functions this worker runs for a topic: the topic's own function as the chain states it (through the
 * network's aliases, so the guide's published CID stands for this repo's runner package), plus the operator's
 * `--allow-functions`. Without a chain, a topic's function is the network's runner package. A chain-round bundle is
 * signed only for a run of the topic's own function, never for an allow-listed extra.
 */

import { createChainRestClient, type Logger, resolveFunctionId } from "@allora/protocol";

/** The verdict on one function for one topic. */
export type FunctionVerdict =
  | { allowed: true /** True when it is the topic's own function (so a chain round may be signed). */; own: boolean }
  | { allowed: false; code: "FUNCTION_NOT_ALLOWED" | "TOPIC_FUNCTION_UNKNOWN"; message: string };

/** Options of {@link createFunctionPolicy}. */
export interface FunctionPolicyOptions {
  aliases: ReadonlyMap<string, string>;
  /** `--allow-functions`: extra function ids (CIDs or aliases) allowed on every topic. */
  allow: readonly string[];
  /** The runner package's CID: every topic's function when there is no chain. */
  runnerCid: string;
  /** The chain's REST URL, to read each topic's `inference_logic`; none = no chain. */
  chainRest?: string;
  logger: Logger;
}

/** The policy. */
export interface FunctionPolicy {
  check(topicId: bigint, functionId: string): Promise<FunctionVerdict>;
  /** The function ids allowed besides the topics' own, resolved (for `/status`). */
  extra(): string[];
}

/** How long a topic's function read from the chain is used before it is read again. */
const TOPIC_FUNCTION_TTL_MS = 60_000;

/** Creates the policy. */
export function createFunctionPolicy(options: FunctionPolicyOptions): FunctionPolicy {
  const { aliases, logger } = options;
  const extra = new Set(options.allow.map((id) => resolveFunctionId(id, aliases)));
  const topicFunctions = new Map<string, { cid: string; readAt: number }>();
  const chain = options.chainRest ? createChainRestClient(options.chainRest, { timeoutMs: 3000 }) : undefined;

  const topicFunction = async (topicId: bigint): Promise<string | undefined> => {
    if (!chain) return options.runnerCid;
    const key = topicId.toString();
    const cached = topicFunctions.get(key);
    if (cached && Date.now() - cached.readAt < TOPIC_FUNCTION_TTL_MS) return cached.cid;
    try {
      const logic = (await chain.topic(key))?.inference_logic;
      if (!logic) throw new Error("the topic has no inference_logic");
      const cid = resolveFunctionId(logic, aliases);
      topicFunctions.set(key, { cid, readAt: Date.now() });
      return cid;
    } catch (err) {
      // A chain that is briefly away does not stop the worker: the last value read stays in force.
      logger.warn(
        { code: "TOPIC_FUNCTION_UNKNOWN", topic: key },
        `cannot read topic ${key}'s function from the chain: ${(err as Error).message}`,
      );
      return cached?.cid;
    }
  };

  return {
    async check(topicId, functionId) {
      const cid = resolveFunctionId(functionId, aliases);
      const own = await topicFunction(topicId);
      if (own === cid) return { allowed: true, own: true };
      if (extra.has(cid)) return { allowed: true, own: false };
      if (own === undefined) {
        return {
          allowed: false,
          code: "TOPIC_FUNCTION_UNKNOWN",
          message: `this worker cannot read topic ${topicId}'s function from the chain yet, so it runs nothing for it`,
        };
      }
      return {
        allowed: false,
        code: "FUNCTION_NOT_ALLOWED",
        message: `function ${functionId} is not topic ${topicId}'s function (${own}); the worker's operator can allow it with --allow-functions`,
      };
    },
    extra: () => [...extra],
  };
}
