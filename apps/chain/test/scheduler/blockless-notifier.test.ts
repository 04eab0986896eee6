/**
 * The scheduler asks the head to run every round it opens: a real HTTP server on port 0 stands in for the head
 * and records what the chain posts.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeUrl } from "../../src/scheduler/execute-request.js";
import { type ChainFixture, startChain } from "../support/chain-fixture.js";
import { getJson } from "../support/http.js";
import { rounds } from "../support/network.js";
import { waitFor } from "../support/wait-for.js";

interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

describe("execute requests to the head", () => {
  let head: Server;
  const recorded: Recorded[] = [];
  let fixture: ChainFixture;

  beforeAll(async () => {
    head = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        recorded.push({
          method: req.method ?? "",
          url: req.url ?? "",
          headers: req.headers,
          body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
        });
        res.writeHead(200, { "content-type": "application/json" }).end('{"code":"200"}');
      });
    });
    await new Promise<void>((resolve) => head.listen(0, "127.0.0.1", resolve));
    const { port } = head.address() as AddressInfo;
    fixture = await startChain({
      blocklessApiUrl: `http://127.0.0.1:${port}`,
      topics: [
        { inference_cadence: "1", submission_window: "1", ground_truth_lag: "1" },
        { inference_cadence: "60", submission_window: "60", ground_truth_lag: "60", default_arg: "BTC" },
      ],
    });
  });
  afterAll(async () => {
    await fixture?.stop();
    await new Promise((resolve) => head?.close(resolve));
  });

  it("posts the exact execute body at the topic's cadence, one per round", async () => {
    await waitFor(() => recorded.filter((r) => (r.body as { topic: string }).topic === "1").length >= 3, {
      what: "three execute requests for topic 1",
    });
    const topic1 = recorded.filter((r) => (r.body as { topic: string }).topic === "1");
    const nonces = topic1.map((r) => {
      const vars = (r.body as { config: { env_vars: Array<{ name: string; value: string }> } }).config.env_vars;
      return Number(vars.find((v) => v.name === "ALLORA_BLOCK_HEIGHT_CURRENT")!.value);
    });
    for (const [i, r] of topic1.entries()) {
      expect(r.method).toBe("POST");
      expect(r.url).toBe("/api/v1/functions/execute");
      expect(r.headers["content-type"]).toBe("application/json;charset=UTF-8");
      expect(r.body).toEqual({
        function_id: "bafybeigpiwl3o73zvvl6dxdqu7zqcub5mhg65jiky2xqb4rdhfmikswzqm",
        method: "allora-inference-function.wasm",
        topic: "1",
        config: {
          env_vars: [
            { name: "BLS_REQUEST_PATH", value: "/api" },
            { name: "ALLORA_ARG_PARAMS", value: "ETH" },
            { name: "ALLORA_BLOCK_HEIGHT_CURRENT", value: String(nonces[i]) },
            { name: "TOPIC_ID", value: "1" },
          ],
          number_of_nodes: -1,
          timeout: 2,
        },
      });
    }
    // Nonces are the heights the rounds opened at: strictly increasing, never repeated.
    expect(new Set(nonces).size).toBe(nonces.length);
    expect([...nonces].sort((a, b) => a - b)).toEqual(nonces);

    const view = await rounds(fixture.restUrl, 1n, 50);
    const opened = nonces.map((n) => view.find((r) => r.nonce === String(n)));
    for (const r of opened) expect(r).toBeDefined();
    for (let i = 1; i < opened.length; i++) {
      const gap = Date.parse(opened[i]!.opened_at) - Date.parse(opened[i - 1]!.opened_at);
      expect(gap).toBeGreaterThanOrEqual(1000);
    }

    // Topic 2 has a 60 s cadence: asked once, at the first block.
    const topic2 = recorded.filter((r) => (r.body as { topic: string }).topic === "2");
    expect(topic2).toHaveLength(1);
    expect((topic2[0]!.body as { config: { env_vars: Array<{ value: string }> } }).config.env_vars[1]!.value).toBe(
      "BTC",
    );
  });

  it("keeps producing blocks when the head is unreachable", async () => {
    const unreachable = await startChain({
      blocklessApiUrl: "http://127.0.0.1:9/api/v1/functions/execute",
      topics: [{ inference_cadence: "1", submission_window: "1", ground_truth_lag: "1" }],
    });
    try {
      const first = unreachable.node.chain.height();
      await waitFor(() => unreachable.node.chain.height() >= first + 5n, { what: "five more blocks" });
      const health = await getJson(`${unreachable.restUrl}/allora/localnet/v1/health`);
      expect(health.status).toBe(200);
    } finally {
      await unreachable.stop();
    }
  });

  it("appends the b7s path to a bare head URL and keeps a URL that has a path", () => {
    expect(executeUrl("http://head:6000")).toBe("http://head:6000/api/v1/functions/execute");
    expect(executeUrl("http://head:6000/custom/execute")).toBe("http://head:6000/custom/execute");
  });
});
