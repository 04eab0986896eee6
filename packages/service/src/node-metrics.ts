/**
 * A node's Prometheus metrics declared as data: one registry per node (see {@link createMetricsRegistry}) and each
 * metric by kind, name and help, so a node lists what it measures instead of repeating `new Counter({…, registers})`.
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { createMetricsRegistry } from "./metrics.js";

/** One metric of a node. */
export type MetricSpec =
  | { kind: "counter"; name: string; help: string; labelNames?: readonly string[] }
  | { kind: "gauge"; name: string; help: string; labelNames?: readonly string[] }
  | { kind: "histogram"; name: string; help: string; buckets: readonly number[]; labelNames?: readonly string[] };

/** The metric object of a spec. */
export type MetricOf<S extends MetricSpec> = S extends { kind: "counter" }
  ? Counter<string>
  : S extends { kind: "gauge" }
    ? Gauge<string>
    : Histogram<string>;

/** A node's registry and its metrics by key. */
export type NodeMetrics<M extends Record<string, MetricSpec>> = { readonly registry: Registry } & {
  readonly [K in keyof M]: MetricOf<M[K]>;
};

/** Creates `node`'s registry (with Node's default process metrics) and registers every metric of `specs` in it. */
export function createNodeMetrics<const M extends Record<string, MetricSpec>>(node: string, specs: M): NodeMetrics<M> {
  const registry = createMetricsRegistry(node);
  const metrics: Record<string, unknown> = { registry };
  for (const [key, spec] of Object.entries(specs)) metrics[key] = makeMetric(spec, registry);
  return metrics as NodeMetrics<M>;
}

function makeMetric(spec: MetricSpec, registry: Registry): Counter<string> | Gauge<string> | Histogram<string> {
  const common = {
    name: spec.name,
    help: spec.help,
    labelNames: [...(spec.labelNames ?? [])],
    registers: [registry],
  };
  switch (spec.kind) {
    case "counter":
      return new Counter(common);
    case "gauge":
      return new Gauge(common);
    case "histogram":
      return new Histogram({ ...common, buckets: [...spec.buckets] });
  }
}
