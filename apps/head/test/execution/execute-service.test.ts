import { silentLogger } from "@allora/protocol";
import { describe, expect, it } from "vitest";
import { createExecuteService, type RoundBundles } from "../../src/execution/execute-service.js";
import { ResultCache } from "../../src/execution/result-cache.js";
import { type FakeWorker, fakeCatalog, fakeHost, fakeSessions } from "./fakes.js";

const out = (stdout: string) => ({ result: { stdout, stderr: "", exit_code: 0 } });

function service(workers: Record<string, FakeWorker>, subscribed = Object.keys(workers)) {
  const net = fakeSessions(workers);
  const rounds: RoundBundles[] = [];
  const outcomes: string[] = [];
  const results = new ResultCache<never>(10);
  const execute = createExecuteService({
    host: fakeHost(subscribed, net.publish),
    sessions: net.sessions,
    catalog: fakeCatalog(),
    isExecutable: () => true,
    maxExecutionMs: 60_000,
    executionGraceMs: 100,
    defaultRollCallMs: 200,
    logger: silentLogger,
    onRound: (r) => rounds.push(r),
    onOutcome: (code) => outcomes.push(code),
    results,
  });
  return { execute, net, rounds, outcomes, results };
}

describe("the execute flow, without libp2p", () => {
  it("runs on every accepting worker, aggregates, keeps the answer and hands a chain round's bundles on", async () => {
    const s = service({
      a: { rollCall: { code: "202" }, execute: { ...out("7"), bundle: "AA==" } },
      b: { rollCall: { code: "202" }, execute: out("7") },
      c: { rollCall: { code: "503", error_code: "WORKER_BUSY", message: "full" } },
    });
    const response = await s.execute({
      function_id: "fn",
      method: "run",
      topic: "1",
      config: { env_vars: [{ name: "ALLORA_BLOCK_HEIGHT_CURRENT", value: "30" }] },
    });
    expect(response.code).toBe("200");
    expect(response.results).toEqual([{ result: out("7").result, peers: ["a", "b"], frequency: 100 }]);
    expect(response.message).toContain("declined the roll call: c WORKER_BUSY");
    expect(response.failures).toEqual({ c: { code: "WORKER_BUSY", message: "full" } });
    expect(s.rounds).toEqual([{ topicId: 1n, nonce: 30n, bundles: [{ peer: "a", bundle: "AA==" }] }]);
    expect(s.outcomes).toEqual(["200"]);
    expect(s.results.get(response.request_id)).toBe(response);
  });

  it("with number_of_nodes 1, runs on the first acceptor only", async () => {
    const s = service({
      a: { rollCall: { code: "202" }, execute: out("1") },
      b: { rollCall: { code: "202" }, execute: out("2") },
    });
    const response = await s.execute({ function_id: "fn", method: "run", topic: "1", config: { number_of_nodes: 1 } });
    expect(response.code).toBe("200");
    expect(response.cluster.peers).toHaveLength(1);
    expect(s.net.executes).toHaveLength(1);
  });

  it("answers 408 at once when no worker serves the topic, and when the roll call gets too few", async () => {
    const none = service({ a: { hello: { topics: ["allora-topic-2-worker"] } } }, []);
    const early = await none.execute({ function_id: "fn", method: "run", topic: "1" });
    expect(early).toMatchObject({ code: "408", cluster: {} });
    expect(early.message).toMatch(
      /^roll call for topic 1 \(allora-topic-1-worker\) got no worker: none of the 1 connected worker/,
    );

    const silent = service({ a: {} });
    const late = await silent.execute({ function_id: "fn", method: "run", topic: "1" });
    expect(late.code).toBe("408");
    expect(late.message).toBe(
      "roll call for topic 1 timed out after 200 ms: 1 connected worker subscribed, 0 answered, 0 accepted",
    );
    expect(silent.outcomes).toEqual(["408"]);
  });

  it("asks a worker whose session serves the topic even when gossip has not told the head it subscribed", async () => {
    const s = service(
      {
        a: { rollCall: { code: "202" }, execute: out("7") },
        b: { rollCall: { code: "202" }, execute: out("7") },
        c: { rollCall: { code: "202" }, execute: out("9"), hello: { topics: ["allora-topic-2-worker"] } },
      },
      ["a"],
    );
    const response = await s.execute({ function_id: "fn", method: "run", topic: "1" });
    expect(response.code).toBe("200");
    expect(response.results).toEqual([{ result: out("7").result, peers: ["a", "b"], frequency: 100 }]);
    expect(s.net.sent.map((m) => m.peer).sort()).toEqual(["a", "b"]);
    expect(s.net.published).toEqual([]); // both got it on their sessions
  });

  it("answers 204 when every chosen worker failed", async () => {
    const s = service({
      a: { rollCall: { code: "202" }, execute: { error_code: "FUNCTION_FAILED", message: "exit 1" } },
    });
    const response = await s.execute({ function_id: "fn", method: "run", topic: "1" });
    expect(response.code).toBe("204");
    expect(response.message).toContain("failed: a FUNCTION_FAILED: exit 1");
  });
});
