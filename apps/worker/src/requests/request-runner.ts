/**
 * Runs the execute of an accepted roll call: the function's package (installed from the head when missing), its
 * method, the run plan, a slot of the semaphore (the chain's rounds first), the run itself, and the answer with the
 * round's signed bundle when there is one.
 */
import type { MessageChannel } from "@allora/p2p";
import {
  type AlloraError,
  errorMessage,
  type Logger,
  type MsgExecute,
  type MsgExecuteResponse,
} from "@allora/protocol";
import { makeRoundBundle } from "../chain/round-bundle.js";
import type { WorkerChain } from "../chain/worker-chain.js";
import type { LauncherClient } from "../execution/launcher-client.js";
import type { ExecutionResult } from "../execution/launcher-protocol.js";
import { planRun, type RunPlanSettings } from "../execution/run-plan.js";
import type { Semaphore } from "../execution/semaphore.js";
import type { FunctionStore, InstalledFunction, PackageSource } from "../functions/function-store.js";
import type { WorkerMetrics } from "../metrics.js";
import type { RollCallFacts } from "../roll-call/roll-call-book.js";
import { makeExecuteRefusal, makeExecuteResponse, sendExecuteResponse } from "./execute-response.js";

/** Options of {@link createRequestRunner}. */
export interface RequestRunnerOptions {
  store: FunctionStore;
  executor: Pick<LauncherClient, "run">;
  semaphore: Semaphore;
  settings: RunPlanSettings;
  metrics: Pick<WorkerMetrics, "executions" | "runSeconds" | "running">;
  /** The worker's chain side; undefined without `--chain-rpc`. */
  chain: WorkerChain | undefined;
  /** Where a missing package is fetched from: the head that sent the execute. */
  headSource(head: string): PackageSource;
  logger: Logger;
}

/** The runner. */
export interface RequestRunner {
  /** Runs `message` for the accepted roll call `facts` and answers on `channel`; never throws. */
  run(message: MsgExecute, channel: MessageChannel, facts: RollCallFacts): Promise<void>;
  /** Runs finished since the start. */
  executedTotal(): number;
}

/** Creates the runner. */
export function createRequestRunner(options: RequestRunnerOptions): RequestRunner {
  const { store, metrics, logger } = options;
  let executedTotal = 0;

  /** The installed function, or the answer saying why it cannot run. */
  const functionFor = async (message: MsgExecute, head: string): Promise<InstalledFunction | MsgExecuteResponse> => {
    let fn: InstalledFunction;
    try {
      fn = store.get(message.function_id) ?? (await store.ensure(message.function_id, options.headSource(head)));
    } catch (err) {
      metrics.executions.inc({ outcome: "install_failed" });
      const code = (err as AlloraError).code ?? "FUNCTION_INSTALL_FAILED";
      return makeExecuteRefusal(message.request_id, { code: "500", error_code: code, message: errorMessage(err) });
    }
    if (fn.manifest.methods.includes(message.method)) return fn;
    metrics.executions.inc({ outcome: "method_unknown" });
    return makeExecuteRefusal(message.request_id, {
      code: "400",
      error_code: "FUNCTION_METHOD_UNKNOWN",
      message: `method "${message.method}" is not one of package ${fn.manifest.name}'s methods: ${fn.manifest.methods.join(", ")}`,
    });
  };

  const runInSlot = async (message: MsgExecute, fn: InstalledFunction, priority: boolean) => {
    const plan = planRun(message, fn, options.settings);
    if (plan.refusedEnv.length > 0) {
      logger.warn(
        { code: "ENV_VAR_RESERVED", request: message.request_id, names: plan.refusedEnv },
        "ignored reserved env vars from the request",
      );
    }
    const release = await options.semaphore.acquire(priority);
    metrics.running.inc();
    try {
      return await options.executor.run(plan.request);
    } finally {
      release();
      metrics.running.dec();
    }
  };

  const recordRun = (message: MsgExecute, result: ExecutionResult) => {
    executedTotal++;
    metrics.runSeconds.observe(result.usage.wall_clock_time / 1e9);
    metrics.executions.inc({ outcome: result.errorCode ?? (result.output.exit_code === 0 ? "ok" : "exit_nonzero") });
    if (result.errorCode) {
      logger.warn({ code: result.errorCode, request: message.request_id }, result.message ?? "function failed");
      return;
    }
    const ms = Math.round(result.usage.wall_clock_time / 1e6);
    logger.info({ request: message.request_id, exit: result.output.exit_code, ms }, "function ran");
  };

  const run = async (message: MsgExecute, channel: MessageChannel, facts: RollCallFacts) => {
    const fn = await functionFor(message, channel.remotePeer);
    if ("type" in fn) return sendExecuteResponse(channel, fn, logger);
    const result = await runInSlot(message, fn, facts.priority === true);
    recordRun(message, result);
    const response = makeExecuteResponse(message.request_id, result);
    if (message.chain_round) {
      const bundle = await makeRoundBundle({
        message: { ...message, chain_round: message.chain_round },
        topicId: facts.topicId,
        own: facts.own,
        result,
        chain: options.chain,
      });
      Object.assign(response, bundle);
      if (bundle.bundle_error) {
        logger.warn({ code: bundle.bundle_error.code, request: message.request_id }, bundle.bundle_error.message);
      }
    }
    sendExecuteResponse(channel, response, logger);
  };

  return {
    run: (message, channel, facts) =>
      run(message, channel, facts).catch((err) =>
        logger.error({ code: "INTERNAL", err, request: message.request_id }, "execute failed"),
      ),
    executedTotal: () => executedTotal,
  };
}
