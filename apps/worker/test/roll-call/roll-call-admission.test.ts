/**
 * The worker's roll-call decisions without libp2p: which roll calls it accepts, which it declines with which code,
 * which it ignores, the order of the checks, the slots accepted roll calls hold, and which executes it runs.
 */
import { AlloraError, type MsgExecute, type MsgRollCall, silentLogger } from "@allora/protocol";
import { describe, expect, it, vi } from "vitest";
import { admitExecute, createRollCallAdmission } from "../../src/roll-call/roll-call-admission.js";
import { createRollCallBook, type RollCallFacts } from "../../src/roll-call/roll-call-book.js";
import type { FunctionVerdict } from "../../src/trust/function-policy.js";

const HEAD = "12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf";
const STRANGER = "12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK";
const OWN_FN = "bafy-own";

let requests = 0;
function rollCall(overrides: Partial<MsgRollCall> = {}): MsgRollCall {
  return {
    type: "MsgRollCall",
    origin: HEAD,
    function_id: OWN_FN,
    request_id: `req-${++requests}`,
    topic: "allora-topic-1-worker",
    consensus: 0,
    ...overrides,
  };
}

function setup(options: { capacity?: number; reservedForRounds?: number; load?: number; rate?: number } = {}) {
  const load = { value: options.load ?? 0 };
  const book = createRollCallBook({
    capacity: () => options.capacity ?? 4,
    reservedForRounds: () => options.reservedForRounds ?? 0,
    load: () => load.value,
    unseenWaitMs: 50,
    decidingWaitMs: 50,
    ...(options.rate === undefined ? {} : { ratePerSecond: options.rate }),
  });
  const refuse = vi.fn();
  const checkFunction = vi.fn(
    async (_topic: bigint, fn: string): Promise<FunctionVerdict> =>
      fn === OWN_FN
        ? { allowed: true, own: true }
        : fn === "bafy-extra"
          ? { allowed: true, own: false }
          : { allowed: false, code: "FUNCTION_NOT_ALLOWED", message: `function ${fn} is not allowed` },
  );
  const admission = createRollCallAdmission({
    topics: [1n, 2n],
    isTrusted: (peer) => peer === HEAD,
    book,
    checkFunction,
    describeLoad: () => "busy in numbers",
    refuse,
    logger: silentLogger,
  });
  const install = vi.fn(async () => undefined);
  return { admission, book, refuse, checkFunction, install, load };
}

describe("roll-call admission", () => {
  it("accepts a trusted head's roll call for a served topic and allowed function, after installing it", async () => {
    const { admission, book, install } = setup();
    const message = rollCall();
    expect(await admission.judge(message, HEAD, install)).toEqual({ code: "202" });
    expect(install).toHaveBeenCalledOnce();
    expect(book.reservations()).toBe(1);
    expect(await book.outcomeOf(message.request_id)).toEqual({
      decision: "accepted",
      facts: { origin: HEAD, topicId: 1n, functionId: OWN_FN, own: true, priority: false },
    });
  });

  it("answers nothing to an untrusted peer, records the refusal, and checks nothing else", async () => {
    const { admission, refuse, checkFunction, install } = setup();
    expect(await admission.judge(rollCall({ origin: STRANGER }), STRANGER, install)).toBeUndefined();
    expect(refuse).toHaveBeenCalledWith("ROLL_CALL_UNTRUSTED", STRANGER, expect.any(String));
    expect(checkFunction).not.toHaveBeenCalled();
    expect(install).not.toHaveBeenCalled();
  });

  it("answers only the first copy of a roll call (session, then gossip)", async () => {
    const { admission, install } = setup();
    const message = rollCall();
    expect(await admission.judge(message, HEAD, install)).toEqual({ code: "202" });
    expect(await admission.judge(message, HEAD, install)).toBeUndefined();
    expect(install).toHaveBeenCalledOnce();
  });

  it("declines a topic it does not serve, or one that is no topic at all, with 400 TOPIC_NOT_SERVED", async () => {
    const { admission, book, install } = setup();
    for (const topic of ["allora-topic-3-worker", "7", "not-a-topic"]) {
      const message = rollCall({ topic });
      expect(await admission.judge(message, HEAD, install)).toMatchObject({
        code: "400",
        error_code: "TOPIC_NOT_SERVED",
      });
      expect(await book.outcomeOf(message.request_id)).toEqual({ decision: "declined" });
    }
    // A topic id works as well as its gossip name.
    expect(await admission.judge(rollCall({ topic: "2" }), HEAD, install)).toEqual({ code: "202" });
  });

  it("declines a function the policy refuses with 403 and its code, recorded as a refusal", async () => {
    const { admission, refuse, install } = setup();
    const answer = await admission.judge(rollCall({ function_id: "bafy-evil" }), HEAD, install);
    expect(answer).toMatchObject({ code: "403", error_code: "FUNCTION_NOT_ALLOWED" });
    expect(refuse).toHaveBeenCalledWith("FUNCTION_NOT_ALLOWED", HEAD, "function bafy-evil is not allowed");
    expect(install).not.toHaveBeenCalled();
  });

  it("marks an allow-listed extra as not the topic's own function", async () => {
    const { admission, book, install } = setup();
    const message = rollCall({ function_id: "bafy-extra" });
    await admission.judge(message, HEAD, install);
    const outcome = await book.outcomeOf(message.request_id);
    expect(outcome.decision === "accepted" && outcome.facts.own).toBe(false);
  });

  it("declines with 503 WORKER_BUSY when runs, queue and reservations fill the capacity", async () => {
    const { admission, install } = setup({ capacity: 2 });
    expect(await admission.judge(rollCall(), HEAD, install)).toEqual({ code: "202" });
    expect(await admission.judge(rollCall(), HEAD, install)).toEqual({ code: "202" });
    expect(await admission.judge(rollCall(), HEAD, install)).toEqual({
      code: "503",
      error_code: "WORKER_BUSY",
      message: "busy in numbers",
    });
  });

  it("keeps the round slots for the chain's round, which it claims once per topic and nonce", async () => {
    const { admission, book, install } = setup({ capacity: 2, reservedForRounds: 1, load: 1 });
    // Hand-sent: the one free place is a round slot.
    expect(await admission.judge(rollCall(), HEAD, install)).toMatchObject({ code: "503", error_code: "WORKER_BUSY" });
    const round = { topic_id: "1", block_height: "100" };
    const first = rollCall({ chain_round: round });
    expect(await admission.judge(first, HEAD, install)).toEqual({ code: "202" });
    const outcome = await book.outcomeOf(first.request_id);
    expect(outcome.decision === "accepted" && outcome.facts.priority).toBe(true);
    book.release(first.request_id);
    // A second roll call claiming the same round gets no priority: the round slot is not its to take.
    expect(await admission.judge(rollCall({ chain_round: round }), HEAD, install)).toMatchObject({ code: "503" });
    // Nor does a round of another topic than the roll call's.
    expect(
      await admission.judge(rollCall({ chain_round: { topic_id: "2", block_height: "100" } }), HEAD, install),
    ).toMatchObject({ code: "503" });
  });

  it("rate-limits each head with 429, but never the chain's round", async () => {
    const { admission, install } = setup({ capacity: 100, rate: 1 });
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await admission.judge(rollCall(), HEAD, install));
    expect(answers.map((a) => a?.code)).toEqual(["202", "202", "429"]);
    expect(answers[2]?.error_code).toBe("ROLL_CALL_RATE_LIMITED");
    const round = rollCall({ chain_round: { topic_id: "1", block_height: "7" } });
    expect(await admission.judge(round, HEAD, install)).toEqual({ code: "202" });
  });

  it("checks the rate before the function policy (a flood costs no chain reads)", async () => {
    const { admission, checkFunction, install } = setup({ capacity: 100, rate: 1 });
    for (let i = 0; i < 3; i++) await admission.judge(rollCall(), HEAD, install);
    expect(checkFunction).toHaveBeenCalledTimes(2);
  });

  it("declines with 500 and the install's code when the package cannot be installed, freeing its slot", async () => {
    const { admission, book } = setup();
    const failing = vi.fn(async () => {
      throw new AlloraError("FUNCTION_CID_MISMATCH", "the package does not hash to its CID");
    });
    const message = rollCall();
    expect(await admission.judge(message, HEAD, failing)).toEqual({
      code: "500",
      error_code: "FUNCTION_CID_MISMATCH",
      message: "the package does not hash to its CID",
    });
    expect(book.reservations()).toBe(0);
    expect(await book.outcomeOf(message.request_id)).toEqual({ decision: "declined" });
  });
});

describe("execute admission", () => {
  const facts: RollCallFacts = { origin: HEAD, topicId: 1n, functionId: OWN_FN, own: true, priority: false };
  const execute = (overrides: Partial<MsgExecute> = {}): MsgExecute => ({
    type: "MsgExecute",
    request_id: "req-x",
    function_id: OWN_FN,
    method: "allora-inference-function.wasm",
    topic: "allora-topic-1-worker",
    parameters: [],
    env_vars: [],
    timestamp: "0",
    ...overrides,
  });

  it("runs the execute of an accepted roll call from the same head, function and topic", () => {
    expect(admitExecute({ decision: "accepted", facts }, execute(), HEAD, 3000)).toEqual({ run: facts });
    expect(admitExecute({ decision: "accepted", facts }, execute({ topic: "1" }), HEAD, 3000)).toEqual({ run: facts });
  });

  it("answers 503 ROLL_CALL_DECLINED and 409 ROLL_CALL_UNSEEN without running", () => {
    expect(admitExecute({ decision: "declined" }, execute(), HEAD, 3000)).toMatchObject({
      response: { code: "503", error_code: "ROLL_CALL_DECLINED" },
    });
    expect(admitExecute({ decision: "unseen" }, execute(), HEAD, 3000)).toEqual({
      response: {
        code: "409",
        error_code: "ROLL_CALL_UNSEEN",
        message: "this worker never received the roll call of this request within 3000 ms",
      },
    });
  });

  it("refuses with 403 EXECUTE_MISMATCH an execute from another head, for another function or topic", () => {
    const cases: Array<[MsgExecute, string, string]> = [
      [execute(), STRANGER, "it comes from another head than the roll call"],
      [execute({ function_id: "bafy-other" }), HEAD, "its function bafy-other is not the roll call's bafy-own"],
      [execute({ topic: "allora-topic-2-worker" }), HEAD, "its topic allora-topic-2-worker is not the roll call's (1)"],
    ];
    for (const [message, from, why] of cases) {
      expect(admitExecute({ decision: "accepted", facts }, message, from, 3000)).toEqual({
        response: { code: "403", error_code: "EXECUTE_MISMATCH", message: `this worker refuses the execute: ${why}` },
        refusal: `refusing an execute: ${why}`,
      });
    }
  });
});
