/**
 * The one intake of roll calls and executes, with stand-ins for the sessions and the runner: the origin check, the
 * answer sent on the head's session and counted, and an execute run only for the roll call it follows.
 */
import type { MessageChannel } from "@allora/p2p";
import { type MsgExecute, type MsgRollCall, type P2pMessage, silentLogger } from "@allora/protocol";
import { Counter, Registry } from "@allora/service";
import { peerIdFromString } from "@libp2p/peer-id";
import { describe, expect, it, vi } from "vitest";
import { createRollCallAdmission } from "../../src/roll-call/roll-call-admission.js";
import { createRollCallBook } from "../../src/roll-call/roll-call-book.js";
import { createRollCallIntake } from "../../src/roll-call/roll-call-intake.js";

const HEAD = "12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf";
const OTHER = "12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK";

function setup() {
  const sent: P2pMessage[] = [];
  const channel = { remotePeer: HEAD, send: (m: P2pMessage) => sent.push(m) } as unknown as MessageChannel;
  const book = createRollCallBook({ capacity: () => 4, load: () => 0, unseenWaitMs: 20, decidingWaitMs: 20 });
  const refuse = vi.fn();
  const answered = new Counter({ name: "answered", help: "h", labelNames: ["code"], registers: [new Registry()] });
  const run = vi.fn(async () => undefined);
  const intake = createRollCallIntake({
    admission: createRollCallAdmission({
      topics: [1n],
      isTrusted: (peer) => peer === HEAD || peer === OTHER,
      book,
      checkFunction: async () => ({ allowed: true, own: true }),
      describeLoad: () => "busy",
      refuse,
      logger: silentLogger,
    }),
    book,
    links: { open: async () => channel },
    install: async () => undefined,
    runner: { run },
    answered,
    refuse,
    unseenWaitMs: 20,
    logger: silentLogger,
    executeLogger: silentLogger,
  });
  return { intake, sent, channel, refuse, run, answered };
}

const rollCall = (request: string, topic = "allora-topic-1-worker"): MsgRollCall => ({
  type: "MsgRollCall",
  origin: HEAD,
  function_id: "fn",
  request_id: request,
  topic,
  consensus: 0,
});
const execute = (request: string): MsgExecute => ({
  type: "MsgExecute",
  request_id: request,
  function_id: "fn",
  method: "run",
  topic: "allora-topic-1-worker",
  parameters: [],
  env_vars: [],
  timestamp: "0",
});

describe("roll-call intake", () => {
  it("answers a roll call on the head's session and counts the answer", async () => {
    const { intake, sent, answered } = setup();
    intake.takeRollCall(rollCall("r1"), peerIdFromString(HEAD));
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toEqual({ type: "MsgRollCallResponse", code: "202", function_id: "fn", request_id: "r1" });
    expect((await answered.get()).values).toEqual([expect.objectContaining({ labels: { code: "202" }, value: 1 })]);
  });

  it("sends a decline with its code and text", async () => {
    const { intake, sent } = setup();
    intake.takeRollCall(rollCall("r2", "allora-topic-5-worker"), peerIdFromString(HEAD));
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toMatchObject({ code: "400", error_code: "TOPIC_NOT_SERVED", request_id: "r2" });
  });

  it("refuses a roll call sent by another peer than its origin, whichever way it came", async () => {
    const { intake, sent, refuse } = setup();
    intake.takeRollCall(rollCall("r3"), peerIdFromString(OTHER));
    // Refused before anything is judged: nothing is scheduled that could answer later.
    expect(refuse).toHaveBeenCalledWith("ROLL_CALL_ORIGIN_MISMATCH", OTHER, expect.any(String));
    expect(refuse).toHaveBeenCalledOnce();
    expect(sent).toHaveLength(0);
  });

  it("runs the execute of an accepted roll call, and answers one it never saw without running it", async () => {
    const { intake, sent, channel, run } = setup();
    intake.takeRollCall(rollCall("r4"), peerIdFromString(HEAD));
    intake.takeExecute(execute("r4"), channel);
    await vi.waitFor(() => expect(run).toHaveBeenCalledOnce());
    intake.takeExecute(execute("r5"), channel);
    await vi.waitFor(() => expect(sent.some((m) => m.type === "MsgExecuteResponse")).toBe(true));
    expect(sent.find((m) => m.type === "MsgExecuteResponse")).toMatchObject({
      request_id: "r5",
      code: "409",
      error_code: "ROLL_CALL_UNSEEN",
    });
    expect(run).toHaveBeenCalledOnce();
  });
});
