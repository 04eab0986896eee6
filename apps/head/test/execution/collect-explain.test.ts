import type { MsgExecuteResponse } from "@allora/protocol";
import { describe, expect, it } from "vitest";
import { resultCodeOf } from "../../src/execution/aggregate.js";
import { checkExecuteRequest } from "../../src/execution/check-request.js";
import { collectAnswers } from "../../src/execution/collect.js";
import { makeResultResponse } from "../../src/execution/execute-response.js";
import { explainNoWorkers, explainShortRollCall, shortPeer } from "../../src/execution/explain.js";
import { RollCallTally } from "../../src/execution/roll-call.js";
import type { WorkerSession } from "../../src/network/worker-sessions.js";
import { CID, fakeCatalog } from "./fakes.js";

const plan = (config = {}) =>
  checkExecuteRequest(
    { function_id: "fn", method: "run", topic: "1", config },
    { catalog: fakeCatalog(), isExecutable: () => true, defaultRollCallMs: 5000 },
  );
const out = (stdout: string) => ({ stdout, stderr: "", exit_code: 0 });
const response = (r: Partial<MsgExecuteResponse>) =>
  ({ type: "MsgExecuteResponse", request_id: "r", code: "200", ...r }) as MsgExecuteResponse;
const LONG = "12D3KooWAbCdEfGhIjKlMnOpQrStUvWxYz";

describe("collect", () => {
  it("sorts results, usage, failures, the unanswered and bundles; a killed run is a failure", () => {
    const collected = collectAnswers(
      [
        { peer: "a", response: response({ result: out("1"), usage: { wall_ms: 5 } as never, bundle: "QQ==" }) },
        { peer: "b", response: response({ result: out(""), error_code: "FUNCTION_TIMEOUT", message: "killed" }) },
        { peer: "c", error: { code: "WORKER_DISCONNECTED", message: "gone" } },
        {
          peer: "d",
          response: response({ result: out("2"), bundle_error: { code: "SIGN_FAILED", message: "no key" } }),
        },
      ],
      new Map([["e", { code: "WORKER_BUSY", message: "busy" }]]),
    );
    expect(collected.outputs).toEqual([
      { peer: "a", output: out("1") },
      { peer: "d", output: out("2") },
    ]);
    expect(collected.usage).toEqual({ a: { wall_ms: 5 } });
    expect(collected.failures).toEqual({
      e: { code: "WORKER_BUSY", message: "busy" },
      b: { code: "FUNCTION_TIMEOUT", message: "killed" },
      c: { code: "WORKER_DISCONNECTED", message: "gone" },
      d: { code: "SIGN_FAILED", message: "no key" },
    });
    expect(collected.unanswered).toEqual(["c"]);
    expect(collected.bundles).toEqual([{ peer: "a", bundle: "QQ==" }]);
  });
});

describe("explain and aggregate", () => {
  it("says why no roll call goes out", () => {
    const session = { peerId: "w", hello: { topics: ["allora-topic-2-worker"] } } as unknown as WorkerSession;
    expect(explainNoWorkers(plan(), 0, [], 3)).toBe(
      "roll call for topic 1 (allora-topic-1-worker) got no worker: no worker is connected to this head; answered in 3 ms",
    );
    expect(explainNoWorkers(plan(), 0, [session], 3)).toBe(
      "roll call for topic 1 (allora-topic-1-worker) got no worker: none of the 1 connected worker is subscribed to allora-topic-1-worker (they serve allora-topic-2-worker); answered in 3 ms",
    );
    expect(explainNoWorkers(plan({ number_of_nodes: 3 }), 2, [], 1)).toBe(
      "roll call for topic 1 (allora-topic-1-worker) got no worker: the request asks for 3 workers but only 2 connected workers serve it; answered in 1 ms",
    );
    expect(explainNoWorkers(plan({ number_of_nodes: 2 }), 2, [], 1)).toBeUndefined();
  });

  it("says why a roll call found too few", () => {
    const tally = new RollCallTally(new Set(["a", LONG]), 2, CID);
    tally.record("a", { type: "MsgRollCallResponse", code: "202", function_id: CID, request_id: "r" });
    tally.record(LONG, {
      type: "MsgRollCallResponse",
      code: "503",
      function_id: CID,
      request_id: "r",
      error_code: "WORKER_BUSY",
      message: "full",
    });
    expect(explainShortRollCall(plan({ number_of_nodes: 2 }), tally, "complete", 12)).toBe(
      `roll call for topic 1 ended after 12 ms without enough workers: 2 connected workers subscribed, 2 answered, 1 accepted (needed 2); declined: ${shortPeer(LONG)}: WORKER_BUSY (full)`,
    );
    expect(
      explainShortRollCall(plan({ timeout: 1 }), new RollCallTally(new Set(["a"]), -1, CID), "timeout", 1000),
    ).toBe("roll call for topic 1 timed out after 1000 ms: 1 connected worker subscribed, 0 answered, 0 accepted");
    expect(shortPeer(LONG)).toBe(`${LONG.slice(0, 8)}…${LONG.slice(-6)}`);
    expect(shortPeer("short")).toBe("short");
  });

  it("codes by the share of results against the threshold", () => {
    expect(resultCodeOf(3, 5, 0.6)).toBe("200");
    expect(resultCodeOf(2, 5, 0.6)).toBe("206");
    expect(resultCodeOf(0, 5, 0.6)).toBe("204");
    expect(resultCodeOf(0, 0, 0.6)).toBe("204");
  });

  it("answers a plain success without a message, and explains a partial one", () => {
    const collected = collectAnswers([{ peer: "a", response: response({ result: out("1") }) }], new Map());
    const base = {
      plan: plan(),
      requestId: "r",
      chosen: ["a"],
      collected,
      declined: new Map(),
      unregistered: undefined,
      rollCallMs: 4,
      totalMs: 9,
    };
    expect(makeResultResponse(base)).toEqual({
      code: "200",
      request_id: "r",
      results: [{ result: out("1"), peers: ["a"], frequency: 100 }],
      usage: {},
      cluster: { main: "a", peers: ["a"] },
    });
    const partial = collectAnswers(
      [
        { peer: "a", response: response({ result: out("1") }) },
        { peer: "b", error: { code: "WORKER_NO_ANSWER", message: "timeout" } },
      ],
      new Map(),
    );
    expect(
      makeResultResponse({
        ...base,
        chosen: ["a", "b"],
        collected: partial,
        plan: plan({ threshold: 0.9 }),
        unregistered: ["a"],
      }),
    ).toMatchObject({
      code: "206",
      message:
        "1 of 2 chosen workers returned a result (threshold 90%); no answer from b (WORKER_NO_ANSWER); not registered on the chain for topic 1: a; roll call 4 ms, total 9 ms",
      unanswered_peers: ["b"],
      unregistered_peers: ["a"],
      failures: { b: { code: "WORKER_NO_ANSWER", message: "timeout" } },
    });
  });
});
