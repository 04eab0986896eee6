import { describe, expect, it } from "vitest";
import { createNodeMetrics } from "../src/node-metrics.js";

describe("node metrics", () => {
  it("registers every declared metric in the node's registry, labelled with the node", async () => {
    const m = createNodeMetrics("n1", {
      requests: { kind: "counter", name: "x_requests_total", help: "requests", labelNames: ["code"] },
      latency: { kind: "histogram", name: "x_seconds", help: "latency", buckets: [0.1, 1] },
      open: { kind: "gauge", name: "x_open", help: "open" },
    });
    m.requests.inc({ code: "200" });
    m.latency.observe(0.5);
    m.open.set(3);
    const text = await m.registry.metrics();
    expect(text).toContain('x_requests_total{code="200",node="n1"} 1');
    expect(text).toContain('x_seconds_bucket{le="1",node="n1"} 1');
    expect(text).toContain('x_open{node="n1"} 3');
    expect(text).toContain("process_cpu_user_seconds_total");
  });
});
