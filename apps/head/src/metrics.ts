/**
 * Prometheus metrics of the head, on the REST port at /metrics.
 */
import { createNodeMetrics } from "@allora/service";

/** Creates the head's registry and metrics. */
export function createHeadMetrics(node: string) {
  return createNodeMetrics(node, {
    requests: {
      kind: "counter",
      name: "allora_head_requests_total",
      help: "execute requests by result code",
      labelNames: ["code"],
    },
    latency: {
      kind: "histogram",
      name: "allora_head_execute_seconds",
      help: "execute latency",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    },
    workers: { kind: "gauge", name: "allora_head_connected_workers", help: "workers with an open session" },
  });
}
