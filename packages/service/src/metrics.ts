/**
 * Prometheus metrics of a node: one registry per node with Node's default process metrics.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export { Counter, Gauge, Histogram, Registry };

/** A registry with default process metrics, labelled with the node name. */
export function createMetricsRegistry(node: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ node });
  collectDefaultMetrics({ register: registry });
  return registry;
}
