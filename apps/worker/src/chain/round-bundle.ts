/**
 * Whether a run earns a signed inference bundle for the chain's round it was sent for, and the bundle (or the
 * reason there is none). A bundle is signed only for the topic's own function, for the round of the roll call's
 * topic, by a worker with a chain account, for a run that succeeded with a valid inference on stdout.
 */
import { type AlloraError, errorMessage, type MsgExecute, type MsgExecuteResponse } from "@allora/protocol";
import type { ExecutionResult } from "../execution/launcher-protocol.js";
import { topicIdOf } from "../topics.js";
import { readInference } from "./inference-output.js";
import type { WorkerChain } from "./worker-chain.js";

/** The bundle fields of an execute's answer. */
export type RoundBundle = Pick<MsgExecuteResponse, "bundle" | "bundle_error">;

/** What {@link makeRoundBundle} needs to know about the request. */
export interface RoundBundleInput {
  message: MsgExecute & { chain_round: NonNullable<MsgExecute["chain_round"]> };
  /** The topic of the roll call the execute follows. */
  topicId: bigint;
  /** Whether the function is the topic's own. */
  own: boolean;
  result: ExecutionResult;
  /** The worker's chain side; undefined without `--chain-rpc`. */
  chain: Pick<WorkerChain, "signBundle"> | undefined;
}

/** The signed bundle, or the coded reason nothing is signed. */
export async function makeRoundBundle(input: RoundBundleInput): Promise<RoundBundle> {
  const { message, result, chain } = input;
  const roundTopic = topicIdOf(message.chain_round.topic_id);
  if (!input.own) {
    return refused(
      "BUNDLE_REFUSED",
      `function ${message.function_id} is not topic ${roundTopic}'s own function; nothing is signed for it`,
    );
  }
  if (roundTopic !== input.topicId) {
    return refused(
      "BUNDLE_REFUSED",
      `the chain round is for topic ${roundTopic}, the roll call for ${message.topic}; nothing is signed`,
    );
  }
  if (!chain) return refused("CHAIN_DISABLED", "this worker has no chain account (--chain-rpc unset)");
  try {
    return { bundle: await chain.signBundle(message.chain_round, readInference(result)) };
  } catch (err) {
    return refused((err as AlloraError).code ?? "BUNDLE_SIGN_FAILED", errorMessage(err));
  }
}

function refused(code: string, message: string): RoundBundle {
  return { bundle_error: { code, message } };
}
