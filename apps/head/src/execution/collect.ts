/**
 * Step 4 of an execute, collect: sorts the chosen workers' answers into results, usage, per-peer failures, peers that
 * never answered and the signed bundles of a chain round. A run the worker had to kill (timeout, output cap) or could
 * not start is a failure, not a result.
 */
import type { PeerFailure, RuntimeOutput, Usage } from "@allora/protocol";
import type { WorkerAnswer } from "./dispatch.js";

/** A chain round's bundles, handed to the chain submitter. */
export interface RoundBundles {
  topicId: bigint;
  nonce: bigint;
  /** Base64 `WorkerDataBundle`s, with the peer that sent each. */
  bundles: Array<{ peer: string; bundle: string }>;
}

/** The chosen workers' answers, sorted. */
export interface CollectedAnswers {
  outputs: Array<{ peer: string; output: RuntimeOutput }>;
  usage: Record<string, Usage>;
  /** Why each peer that declined, failed or did not answer gave no result. */
  failures: Record<string, PeerFailure>;
  /** Peers whose answer never came (gone, timed out). */
  unanswered: string[];
  bundles: RoundBundles["bundles"];
}

/** Sorts `answers`; `declined` are the roll call's refusals, which stay among the failures. */
export function collectAnswers(
  answers: readonly WorkerAnswer[],
  declined: ReadonlyMap<string, PeerFailure>,
): CollectedAnswers {
  const collected: CollectedAnswers = {
    outputs: [],
    usage: {},
    failures: Object.fromEntries(declined),
    unanswered: [],
    bundles: [],
  };
  for (const { peer, response, error } of answers) {
    if (error || !response) {
      collected.unanswered.push(peer);
      collected.failures[peer] = error ?? { code: "WORKER_NO_ANSWER", message: "no answer" };
      continue;
    }
    if (response.result && !response.error_code) collected.outputs.push({ peer, output: response.result });
    if (response.usage) collected.usage[peer] = response.usage;
    if (response.error_code)
      collected.failures[peer] = { code: response.error_code, message: response.message ?? response.error_code };
    if (response.bundle) collected.bundles.push({ peer, bundle: response.bundle });
    else if (response.bundle_error)
      collected.failures[peer] ??= { code: response.bundle_error.code, message: response.bundle_error.message };
  }
  return collected;
}
