import type { MsgRollCallResponse } from "@allora/protocol";
import { describe, expect, it } from "vitest";
import { checkExecuteRequest } from "../../src/execution/check-request.js";
import { makeRollCall, RollCallTally, runRollCall } from "../../src/execution/roll-call.js";
import { CID, fakeCatalog, fakeSessions } from "./fakes.js";

const accept = { type: "MsgRollCallResponse", code: "202", function_id: CID, request_id: "r" } as MsgRollCallResponse;
const busy = { ...accept, code: "503", error_code: "WORKER_BUSY", message: "at its limit" } as MsgRollCallResponse;

const plan = (config = {}) =>
  checkExecuteRequest(
    { function_id: "fn", method: "run", topic: "1", config },
    { catalog: fakeCatalog(), isExecutable: () => true, defaultRollCallMs: 5000 },
  );

describe("pick: the roll-call tally", () => {
  it("with number_of_nodes N, settles once N accepted and chooses the first N", () => {
    const tally = new RollCallTally(new Set(["a", "b", "c"]), 2, CID);
    expect(tally.record("b", accept)).toBe("accepted");
    expect(tally.isSettled()).toBe(false);
    expect(tally.record("a", accept)).toBe("accepted");
    expect(tally.isSettled()).toBe(true);
    expect(tally.record("c", accept)).toBe("accepted");
    expect(tally.chosen()).toEqual(["b", "a"]);
    expect(tally.isShort()).toBe(false);
  });

  it("settles as soon as too few can still accept, and is then short", () => {
    const tally = new RollCallTally(new Set(["a", "b", "c"]), 3, CID);
    tally.record("a", accept);
    expect(tally.record("b", busy)).toBe("declined");
    expect(tally.isSettled()).toBe(true);
    expect(tally.isShort()).toBe(true);
    expect(tally.declined.get("b")).toEqual({ code: "WORKER_BUSY", message: "at its limit" });
  });

  it("with number_of_nodes -1, settles when every expected worker answered and chooses every acceptor", () => {
    const tally = new RollCallTally(new Set(["a", "b"]), -1, CID);
    tally.record("a", accept);
    expect(tally.isSettled()).toBe(false);
    tally.record("b", busy);
    expect(tally.isSettled()).toBe(true);
    expect(tally.chosen()).toEqual(["a"]);
  });

  it("ignores a second answer and one about another function, and counts an unexpected answering peer", () => {
    const tally = new RollCallTally(new Set(["a"]), -1, CID);
    tally.record("a", accept);
    expect(tally.record("a", busy)).toBeUndefined();
    expect(tally.record("x", { ...accept, function_id: "bafkreiother" })).toBeUndefined();
    expect(tally.record("g", accept)).toBe("accepted");
    expect([...tally.expected]).toEqual(["a", "g"]);
    expect(tally.declined.size).toBe(0);
  });

  it("names a decline without an error code by its answer code", () => {
    const tally = new RollCallTally(new Set(["a"]), -1, CID);
    tally.record("a", { ...accept, code: "500" });
    expect(tally.declined.get("a")).toEqual({ code: "ROLL_CALL_500", message: "declined with 500" });
    expect(tally.isShort()).toBe(true);
  });

  it("carries the chain round only on the priority lane", () => {
    const p = plan({ env_vars: [{ name: "ALLORA_BLOCK_HEIGHT_CURRENT", value: "9" }] });
    expect(makeRollCall(p, "r", "me", true)).toEqual({
      type: "MsgRollCall",
      origin: "me",
      function_id: CID,
      request_id: "r",
      topic: "allora-topic-1-worker",
      consensus: 0,
      chain_round: { topic_id: "1", block_height: "9" },
    });
    expect(makeRollCall(p, "r", "me", false)).not.toHaveProperty("chain_round");
  });
});

describe("pick: running a roll call", () => {
  it("sends on sessions, then gossip; with -1 dispatches early and completes when everyone answered", async () => {
    const net = fakeSessions({ a: { rollCall: { code: "202" } }, b: { rollCall: { code: "202" }, session: false } });
    const early: string[] = [];
    const tally = new RollCallTally(new Set(["a", "b"]), -1, CID);
    const outcome = await runRollCall(net, {
      message: makeRollCall(plan(), "r1", "me", false),
      tally,
      windowMs: 5000,
      dispatchEarly: (peer) => early.push(peer),
    });
    expect(outcome).toEqual({ end: "complete" });
    expect(net.sent).toEqual([{ peer: "a", type: "MsgRollCall" }]);
    expect(net.published).toEqual(["r1"]); // b has no session: only gossip reaches it
    // a on sending and on accepting; b (gossip only) on accepting.
    expect(early.sort()).toEqual(["a", "a", "b"]);
    expect(tally.chosen().sort()).toEqual(["a", "b"]);
  });

  it("publishes no gossip copy when every expected worker got the roll call on its session", async () => {
    const net = fakeSessions({ a: { rollCall: { code: "202" } }, b: { rollCall: { code: "503" } } });
    const tally = new RollCallTally(new Set(["a", "b"]), -1, CID);
    const outcome = await runRollCall(net, { message: makeRollCall(plan(), "r4", "me", false), tally, windowMs: 5000 });
    expect(outcome).toEqual({ end: "complete" });
    expect(net.sent).toEqual([
      { peer: "a", type: "MsgRollCall" },
      { peer: "b", type: "MsgRollCall" },
    ]);
    expect(net.published).toEqual([]);
    expect(tally.chosen()).toEqual(["a"]);
  });

  it("with N, dispatches nothing early and ends at the window when a worker stays silent", async () => {
    const net = fakeSessions({ a: { rollCall: { code: "202" } }, b: {} });
    const early: string[] = [];
    const tally = new RollCallTally(new Set(["a", "b"]), 2, CID);
    const started = Date.now();
    const outcome = await runRollCall(net, {
      message: makeRollCall(plan(), "r2", "me", false),
      tally,
      windowMs: 50,
      dispatchEarly: (peer) => early.push(peer),
    });
    expect(outcome).toEqual({ end: "timeout" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(early).toEqual([]);
    expect(tally.isShort()).toBe(true);
  });

  it("reports a roll call that could not be published", async () => {
    const net = fakeSessions({});
    const outcome = await runRollCall(
      { sessions: net.sessions, publish: async () => Promise.reject(new Error("no peers")) },
      { message: makeRollCall(plan(), "r3", "me", false), tally: new RollCallTally(new Set(), -1, CID), windowMs: 50 },
    );
    expect(outcome).toEqual({
      end: "unpublished",
      reason: "could not publish the roll call on allora-topic-1-worker: no peers",
    });
  });
});
