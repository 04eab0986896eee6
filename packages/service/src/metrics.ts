/**
 * Prometheus metrics of a node: one registry per node with Node's default process metrics.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export { Counter, Gauge, Histogram, Registry };

/** How often the event-loop lag is sampled. */
const EVENT_LOOP_SAMPLE_MS = 100;

/** A registry with default process metrics, labelled with the node name. */
export function createMetricsRegistry(node: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ node });
  // prom-client samples the event-loop lag with a timer every `eventLoopMonitoringPrecision` ms. Its default, 10 ms,
  // woke every node 100 times a second: 30 idle workers took 109 ms of CPU a second, 58 ms with 100 ms. A stall long
  // enough to matter still shows.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  return registry;
}
