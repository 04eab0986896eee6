import type { WorkerDataBundle } from "@allora/protocol";
import { describe, expect, it } from "vitest";
import { expectedSequenceOf, isRoundOver, readRefusal, refusedWorker } from "../../src/chain/refusals.js";

const W1 = "allo1dr8zcmea4wf7tf242xkj6xyzgu0wr2z9x6skyc";
const W2 = "allo1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq";
const HEAD = "allo1headheadheadheadheadheadheadheadheadhe";
const bundles = [{ worker: W1 }, { worker: W2 }] as WorkerDataBundle[];

describe("the chain's refusals, read by name", () => {
  it("names a simulation's refusal and tells a round that is over", () => {
    const over = readRefusal(
      new Error(
        "Query failed with (75): failed to execute message; message index: 0: no round of topic 1 opened at nonce 5: unfulfilled nonce not found",
      ),
    );
    expect(over).toMatchObject({ name: "UNFULFILLED_NONCE_NOT_FOUND", abciCode: 75 });
    expect(over && isRoundOver(over)).toBe(true);
    const closed = readRefusal({ code: 67, codespace: "emissions", log: "x: worker nonce window not available" });
    expect(closed && isRoundOver(closed)).toBe(true);
  });

  it("names a broadcast's refusals by the chain's table", () => {
    expect(readRefusal({ code: 19, codespace: "sdk", log: "tx already in mempool" })?.name).toBe("TX_IN_MEMPOOL");
    const mismatch = readRefusal({
      code: 32,
      codespace: "sdk",
      log: "account sequence mismatch, expected 7, got 5: incorrect account sequence",
    });
    expect(mismatch?.name).toBe("SEQUENCE_MISMATCH");
    expect(mismatch && isRoundOver(mismatch)).toBe(false);
    expect(expectedSequenceOf(mismatch?.log ?? "")).toBe(7);
    expect(expectedSequenceOf("incorrect account sequence")).toBeUndefined();
  });

  it("is not a refusal when the chain did not answer", () => {
    expect(readRefusal(new Error("connect ECONNREFUSED 127.0.0.1:26657"))).toBeUndefined();
    expect(readRefusal({ code: 0, rawLog: "" })).toBeUndefined();
  });

  it("finds the bundle a refusal names, never the head's own address", () => {
    const text = `Query failed with (78): worker ${W1} (bundle 0) topic 1 nonce 44: inference already submitted`;
    expect(refusedWorker(text, bundles, HEAD)).toBe(W1);
    expect(
      refusedWorker(`sender ${HEAD} is not whitelisted`, [...bundles, { worker: HEAD } as WorkerDataBundle], HEAD),
    ).toBeUndefined();
    expect(refusedWorker("insufficient fee", bundles, HEAD)).toBeUndefined();
  });
});
