import { AlloraError } from "@allora/protocol";
import { describe, expect, it } from "vitest";
import { checkExecuteRequest } from "../../src/execution/check-request.js";
import { answerWaitMs, createDispatch, makeExecuteMessage } from "../../src/execution/dispatch.js";
import { fakeCatalog, fakeSessions } from "./fakes.js";

const limits = { maxExecutionMs: 60_000, executionGraceMs: 2000 };
const plan = (config = {}) =>
  checkExecuteRequest(
    { function_id: "fn", method: "run", topic: "3", parameters: [{ name: "p", value: "ETH" }], config },
    { catalog: fakeCatalog(), isExecutable: () => true, defaultRollCallMs: 5000 },
  );

describe("dispatch", () => {
  it("builds the execute with the plan's TOPIC_ID last and only the options set", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const message = makeExecuteMessage(plan({ env_vars: [{ name: "TOPIC_ID", value: "9" }] }), "r", now);
    expect(message).toEqual({
      type: "MsgExecute",
      request_id: "r",
      function_id: "bafkreifunction",
      method: "run",
      topic: "allora-topic-3-worker",
      parameters: ["ETH"],
      env_vars: [{ name: "TOPIC_ID", value: "3" }],
      timestamp: "2026-01-01T00:00:00.000Z",
    });
    expect(makeExecuteMessage(plan({ stdin: "", execution_timeout: 1.5 }), "r", now)).toMatchObject({
      stdin: "",
      timeout_ms: 1500,
    });
  });

  it("waits for the worker's timeout bounded by the head's maximum and the request's, plus the grace", () => {
    expect(answerWaitMs(undefined, undefined, limits)).toBe(22_000);
    expect(answerWaitMs(300_000, undefined, limits)).toBe(62_000);
    expect(answerWaitMs(10_000, 1000, limits)).toBe(3000);
    expect(answerWaitMs(10_000, 50_000, limits)).toBe(12_000);
  });

  it("sends each worker its execute once, maps a failure to a peer failure, and cancels the unchosen", async () => {
    const net = fakeSessions({
      a: { hello: { function_timeout_ms: 1000 }, execute: { result: { stdout: "1", stderr: "", exit_code: 0 } } },
      b: { execute: new AlloraError("WORKER_DISCONNECTED", "session closed") },
      c: { execute: new Error("boom") },
    });
    const dispatch = createDispatch(net.sessions, makeExecuteMessage(plan(), "r"), limits, undefined);
    dispatch.start("a");
    dispatch.start("a");
    dispatch.start("z");
    const answers = await dispatch.answersOf(["a", "b", "c"]);
    expect(net.executes.map((e) => [e.peer, e.timeoutMs])).toEqual([
      ["a", 3000],
      ["z", 22_000],
      ["b", 22_000],
      ["c", 22_000],
    ]);
    expect(answers.map((a) => a.peer)).toEqual(["a", "b", "c"]);
    expect(answers[0]?.response?.result?.stdout).toBe("1");
    expect(answers[1]?.error).toEqual({ code: "WORKER_DISCONNECTED", message: "session closed" });
    expect(answers[2]?.error).toEqual({ code: "WORKER_NO_ANSWER", message: "Error: boom" });
    dispatch.cancelAllBut(["a", "b", "c"]);
    expect(net.cancelled).toEqual(["z"]);
  });
});
