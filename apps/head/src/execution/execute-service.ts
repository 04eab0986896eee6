/**
 * One execute request, start to finish, as named steps: check it ({@link checkExecuteRequest}), pick the workers by
 * roll call ({@link runRollCall}), dispatch the execute on the chosen workers' sessions ({@link createDispatch}),
 * collect their answers within their timeouts ({@link collectAnswers}), explain every outcome that is not a plain
 * success and aggregate like b7s ({@link makeResultResponse}). The head answers as soon as it has every answer it
 * can get. This module only strings the steps together, admits, logs and counts.
 */
import { randomUUID } from "node:crypto";
import type { P2pHost } from "@allora/p2p";
import type { ExecuteRequest, ExecuteResponse, Logger, ResultCode } from "@allora/protocol";
import type { FunctionCatalog } from "../functions/function-catalog.js";
import type { WorkerSessions } from "../network/worker-sessions.js";
import type { Admission } from "./admission.js";
import { checkExecuteRequest, claimedRound, type ExecutePlan } from "./check-request.js";
import { collectAnswers, type RoundBundles } from "./collect.js";
import { createDispatch, type DispatchLimits, makeExecuteMessage } from "./dispatch.js";
import { makeNoWorkerResponse, makeResultResponse, makeUnsentResponse } from "./execute-response.js";
import { explainNoWorkers, explainShortRollCall } from "./explain.js";
import type { ResultCache } from "./result-cache.js";
import { makeRollCall, RollCallTally, rollCallWorkers, runRollCall } from "./roll-call.js";

export type { RoundBundles } from "./collect.js";

/** Options of {@link createExecuteService}. */
export interface ExecuteServiceOptions extends DispatchLimits {
  host: P2pHost;
  sessions: WorkerSessions;
  catalog: FunctionCatalog;
  /** Whether the head may ask workers to run a function: it serves it or installed it. */
  isExecutable: (cid: string) => boolean;
  logger: Logger;
  defaultRollCallMs: number;
  onRound?: (round: RoundBundles) => void;
  /** Of the answering peers, those not registered on the topic (undefined: not known, or not checked). */
  unregistered?: (topicId: bigint, peers: readonly string[]) => string[] | undefined;
  onOutcome?: (code: ResultCode, ms: number) => void;
  /** Who goes first: the chain's rounds straight through, hand-sent requests in a bounded lane. */
  admission?: Admission;
  /** Where every answer is kept for `/functions/requests/result`. */
  results?: ResultCache<ExecuteResponse>;
}

/** The execute flow. */
export function createExecuteService(options: ExecuteServiceOptions) {
  const { host, sessions, logger } = options;

  /** Runs a request; every outcome, including early 408s and 500s, is logged and counted. */
  return async function execute(request: ExecuteRequest, client = "local"): Promise<ExecuteResponse> {
    const admitted = await options.admission?.admit(claimedRound(request), client);
    const started = performance.now();
    let response: ExecuteResponse;
    try {
      response = await run(request, started, admitted?.priority === true);
    } finally {
      admitted?.release();
    }
    options.results?.set(response.request_id, response);
    report(request, response, Math.round(performance.now() - started));
    return response;
  };

  function report(request: ExecuteRequest, response: ExecuteResponse, ms: number): void {
    const fields = {
      request: response.request_id,
      topic: request.topic,
      code: response.code,
      results: response.results?.length ?? 0,
      ms,
    };
    if (response.code === "200") logger.info(fields, "execute 200");
    else logger.warn(fields, `execute ${response.code}: ${response.message ?? ""}`);
    options.onOutcome?.(response.code, ms);
  }

  async function run(request: ExecuteRequest, started: number, priority: boolean): Promise<ExecuteResponse> {
    const elapsed = () => Math.round(performance.now() - started);
    const plan = checkExecuteRequest(request, options);
    const requestId = randomUUID();
    const expected = rollCallWorkers(host, sessions, plan.topic);
    const connected = sessions.all().filter((s) => s.hello);
    const unavailable = explainNoWorkers(plan, expected.size, connected, elapsed());
    if (unavailable) return makeNoWorkerResponse(requestId, unavailable);

    const dispatch = createDispatch(sessions, makeExecuteMessage(plan, requestId), options, plan.requestedMs);
    const tally = new RollCallTally(expected, plan.wanted, plan.cid);
    const rollCall = await runRollCall(
      { sessions, publish: (topic, bytes) => host.services.pubsub.publish(topic, bytes) },
      {
        message: makeRollCall(plan, requestId, host.peerId.toString(), priority),
        tally,
        windowMs: plan.rollCallMs,
        dispatchEarly: (peer) => dispatch.start(peer),
      },
    );
    if (rollCall.end === "unpublished") return makeUnsentResponse(requestId, rollCall.reason);
    const rollCallMs = elapsed();
    const chosen = tally.chosen();
    dispatch.cancelAllBut(chosen);
    if (tally.isShort()) {
      return makeNoWorkerResponse(
        requestId,
        explainShortRollCall(plan, tally, rollCall.end, rollCallMs),
        tally.declined,
      );
    }

    const collected = collectAnswers(await dispatch.answersOf(chosen), tally.declined);
    const unregistered = options.unregistered?.(
      plan.topicId,
      collected.outputs.map((o) => o.peer),
    );
    const response = makeResultResponse({
      plan,
      requestId,
      chosen,
      collected,
      declined: tally.declined,
      unregistered,
      rollCallMs,
      totalMs: elapsed(),
    });
    logger
      .child({ request: requestId, topic: plan.topicId.toString() })
      .debug({ chosen: chosen.length, rollCallMs, unanswered: collected.unanswered.length }, "execute collected");
    submitRound(plan, collected.bundles);
    return response;
  }

  /** Hands a chain round's bundles to the chain side. */
  function submitRound(plan: ExecutePlan, bundles: RoundBundles["bundles"]): void {
    if (plan.chainRound && bundles.length > 0) {
      options.onRound?.({ topicId: plan.topicId, nonce: BigInt(plan.chainRound.block_height), bundles });
    }
  }
}
