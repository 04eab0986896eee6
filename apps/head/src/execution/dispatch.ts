/**
 * Step 3 of an execute, dispatch: the `MsgExecute` each chosen worker gets on its session, and how long the head waits
 * for each. A worker's announced function timeout is bounded by the head's `--max-execution-time`, then by the
 * request's `execution_timeout`, plus the grace the answer needs to travel back.
 */
import { AlloraError, type MsgExecute, type MsgExecuteResponse, type PeerFailure } from "@allora/protocol";
import type { WorkerSessions } from "../network/worker-sessions.js";
import type { ExecutePlan } from "./check-request.js";

/** What one worker answered to its execute, or why it did not. */
export interface WorkerAnswer {
  peer: string;
  response?: MsgExecuteResponse;
  error?: PeerFailure;
}

/** The head's bounds on how long it waits for a worker. */
export interface DispatchLimits {
  /** The longest a worker may run a function, whatever timeout it announces. */
  maxExecutionMs: number;
  /** What the head waits beyond the function's timeout. */
  executionGraceMs: number;
}

/** What a worker that announces no function timeout is assumed to allow. */
const DEFAULT_FUNCTION_TIMEOUT_MS = 20_000;

/** The execute of a plan, as every chosen worker gets it; `TOPIC_ID` is the plan's topic whatever the caller sent. */
export function makeExecuteMessage(plan: ExecutePlan, requestId: string, now = new Date()): MsgExecute {
  return {
    type: "MsgExecute",
    request_id: requestId,
    function_id: plan.cid,
    method: plan.method,
    topic: plan.topic,
    parameters: [...plan.parameters],
    env_vars: [...plan.envVars, { name: "TOPIC_ID", value: plan.topicId.toString() }],
    ...(plan.stdin !== undefined ? { stdin: plan.stdin } : {}),
    ...(plan.requestedMs !== undefined ? { timeout_ms: plan.requestedMs } : {}),
    ...(plan.chainRound ? { chain_round: plan.chainRound } : {}),
    timestamp: now.toISOString(),
  };
}

/** How long the head waits for one worker's answer. */
export function answerWaitMs(
  announcedMs: number | undefined,
  requestedMs: number | undefined,
  limits: DispatchLimits,
): number {
  const workerMs = Math.min(announcedMs ?? DEFAULT_FUNCTION_TIMEOUT_MS, limits.maxExecutionMs);
  return Math.min(workerMs, requestedMs ?? workerMs) + limits.executionGraceMs;
}

/** The executes of one request, one per worker at most. */
export interface Dispatch {
  /** Sends the execute to `peer` unless it already has it. */
  start(peer: string): void;
  /** The answers of `chosen`, in their order; a worker not sent the execute yet gets it now. */
  answersOf(chosen: readonly string[]): Promise<WorkerAnswer[]>;
  /** Stops waiting for every worker sent the execute but not in `chosen`. */
  cancelAllBut(chosen: readonly string[]): void;
}

/** Creates the dispatch of `message` over the workers' sessions. */
export function createDispatch(
  sessions: Pick<WorkerSessions, "get" | "execute" | "cancel">,
  message: MsgExecute,
  limits: DispatchLimits,
  requestedMs: number | undefined,
): Dispatch {
  const running = new Map<string, Promise<WorkerAnswer>>();

  const run = async (peer: string): Promise<WorkerAnswer> => {
    const waitMs = answerWaitMs(sessions.get(peer)?.hello?.function_timeout_ms, requestedMs, limits);
    try {
      return { peer, response: await sessions.execute(peer, message, waitMs) };
    } catch (err) {
      const e = err instanceof AlloraError ? err : new AlloraError("WORKER_NO_ANSWER", String(err));
      return { peer, error: { code: e.code, message: e.message } };
    }
  };

  const start = (peer: string): Promise<WorkerAnswer> => {
    let answer = running.get(peer);
    if (!answer) {
      answer = run(peer);
      running.set(peer, answer);
    }
    return answer;
  };

  return {
    start: (peer) => void start(peer),
    answersOf: (chosen) => Promise.all(chosen.map(start)),
    cancelAllBut(chosen) {
      for (const peer of running.keys()) if (!chosen.includes(peer)) sessions.cancel(message.request_id, peer);
    },
  };
}
