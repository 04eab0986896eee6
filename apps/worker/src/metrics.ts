/**
 * The worker's Prometheus metrics: one registry named after the node, and the counters the modules update.
 */
import { Counter, createMetricsRegistry, Gauge, Histogram, type Registry } from "@allora/service";

/** The worker's metrics. */
export interface WorkerMetrics {
  readonly registry: Registry;
  /** Function runs by outcome (`ok`, `exit_nonzero`, an error code). */
  readonly executions: Counter<"outcome">;
  /** Roll calls answered, by the code of the answer. */
  readonly rollCalls: Counter<"code">;
  /** Messages refused by the trust checks, by code. */
  readonly refusals: Counter<"code">;
  /** Function wall clock in seconds. */
  readonly runSeconds: Histogram;
  /** Functions running now. */
  readonly running: Gauge;
}

/** Creates the registry of node `name` and its metrics. */
export function createWorkerMetrics(name: string): WorkerMetrics {
  const registry = createMetricsRegistry(name);
  const registers = [registry];
  return {
    registry,
    executions: new Counter({
      name: "allora_worker_executions_total",
      help: "function runs by outcome",
      labelNames: ["outcome"],
      registers,
    }),
    rollCalls: new Counter({
      name: "allora_worker_roll_calls_total",
      help: "roll calls answered by code",
      labelNames: ["code"],
      registers,
    }),
    refusals: new Counter({
      name: "allora_worker_refusals_total",
      help: "messages refused by the worker's trust checks, by code",
      labelNames: ["code"],
      registers,
    }),
    runSeconds: new Histogram({
      name: "allora_worker_function_seconds",
      help: "function wall clock",
      registers,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    }),
    running: new Gauge({ name: "allora_worker_running_functions", help: "functions running now", registers }),
  };
}
