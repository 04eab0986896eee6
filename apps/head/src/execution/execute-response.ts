/**
 * Step 6 of an execute, aggregate and answer: the `ExecuteResponse` of each way an execute ends, in b7s's form with the
 * string codes (408 no workers, 500 no roll call, 200/206/204 by the share of results).
 */
import type { ExecuteResponse, PeerFailure } from "@allora/protocol";
import { aggregateResults, resultCodeOf } from "./aggregate.js";
import { explainOutcome, type OutcomeFacts } from "./explain.js";

/** The 408 of a roll call that got no worker, or too few. */
export function makeNoWorkerResponse(
  requestId: string,
  message: string,
  declined?: ReadonlyMap<string, PeerFailure>,
): ExecuteResponse {
  return {
    code: "408",
    request_id: requestId,
    message,
    ...(declined && declined.size > 0 ? { failures: Object.fromEntries(declined) } : {}),
    cluster: {},
  };
}

/** The 500 of a roll call that could not be sent. */
export function makeUnsentResponse(requestId: string, reason: string): ExecuteResponse {
  return { code: "500", request_id: requestId, message: reason, cluster: {} };
}

/** What an execute that ran came to. */
export interface RunOutcome extends OutcomeFacts {
  requestId: string;
  rollCallMs: number;
  totalMs: number;
}

/** The answer of an execute whose chosen workers ran: results aggregated, every shortfall explained. */
export function makeResultResponse(outcome: RunOutcome): ExecuteResponse {
  const { collected, chosen, unregistered } = outcome;
  const code = resultCodeOf(collected.outputs.length, chosen.length, outcome.plan.threshold);
  const notes = explainOutcome(outcome, code === "200");
  return {
    code,
    request_id: outcome.requestId,
    ...(notes.length > 0
      ? { message: `${notes.join("; ")}; roll call ${outcome.rollCallMs} ms, total ${outcome.totalMs} ms` }
      : {}),
    results: aggregateResults(collected.outputs),
    usage: collected.usage,
    ...(Object.keys(collected.failures).length > 0 ? { failures: collected.failures } : {}),
    ...(collected.unanswered.length > 0 ? { unanswered_peers: collected.unanswered } : {}),
    ...(unregistered && unregistered.length > 0 ? { unregistered_peers: [...unregistered] } : {}),
    cluster: { main: chosen[0] as string, peers: [...chosen] },
  };
}
