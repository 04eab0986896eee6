import { describe, expect, it } from "vitest";
import { makeBlockRecord } from "../../src/chain/block-record.js";
import type { IndexedTx } from "../../src/chain/tx-index.js";
import { TxWaiters } from "../../src/chain/tx-waiters.js";

const contents = {
  chainId: "localnet",
  height: 2n,
  timeMs: 1_700_000_000_000,
  prevHash: "AB",
  prevAppHash: "CD",
  txs: [],
  events: [],
};

describe("makeBlockRecord", () => {
  it("seals a block deterministically, chaining hashes to the previous block", () => {
    const a = makeBlockRecord(contents);
    expect(a).toMatchObject({ type: "block", height: "2", time: "2023-11-14T22:13:20.000Z", time_ms: contents.timeMs });
    expect(a.hash).toMatch(/^[0-9A-F]{64}$/);
    expect(makeBlockRecord(contents)).toEqual(a);
    expect(makeBlockRecord({ ...contents, prevHash: "AC" }).hash).not.toBe(a.hash);
    const other = makeBlockRecord({ ...contents, prevAppHash: "CE" });
    expect(other.hash).toBe(a.hash);
    expect(other.app_hash).not.toBe(a.app_hash);
  });
});

describe("TxWaiters", () => {
  const tx = { hash: "AA" } as IndexedTx;

  it("releases every waiter of a committed hash, whatever its case", async () => {
    const waiters = new TxWaiters();
    const one = waiters.wait("aa", 1000);
    const two = waiters.wait("AA", 1000);
    waiters.committed("AA", tx);
    await expect(Promise.all([one, two])).resolves.toEqual([tx, tx]);
  });

  it("times out with TX_COMMIT_TIMEOUT, and fails every waiter when the chain stops", async () => {
    const waiters = new TxWaiters();
    await expect(waiters.wait("BB", 10)).rejects.toMatchObject({ code: "TX_COMMIT_TIMEOUT" });
    const pending = waiters.wait("CC", 1000);
    waiters.failAll("the chain stopped before the tx was committed");
    await expect(pending).rejects.toMatchObject({
      code: "TX_COMMIT_TIMEOUT",
      message: expect.stringContaining("stopped"),
    });
  });
});
