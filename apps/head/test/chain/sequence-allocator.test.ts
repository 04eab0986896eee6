/**
 * Sequences for concurrent round submissions: distinct leases, a released last one reused, and the three readings
 * of the chain's "expected N" (used, wait for our own earlier tx, or a hole to refill).
 */
import { describe, expect, it } from "vitest";
import { createSequenceAllocator } from "../../src/chain/sequence-allocator.js";

describe("sequence allocator", () => {
  it("hands out distinct sequences from the chain's, loading the account once", async () => {
    let loads = 0;
    const seqs = createSequenceAllocator(async () => {
      loads++;
      return { accountNumber: 7n, sequence: 10 };
    });
    const leases = await Promise.all([seqs.lease(), seqs.lease(), seqs.lease()]);
    expect(leases.map((l) => l.sequence)).toEqual([10, 11, 12]);
    expect(loads).toBe(1);
    expect(leases[0]?.accountNumber).toBe(7n);
    leases[2]?.release(); // refused by the chain: the last sequence is free again
    expect((await seqs.lease()).sequence).toBe(12);
    leases[0]?.consumed();
    expect(seqs.inFlight()).toEqual([11, 12]);
  });

  it("reads the chain's expected sequence: used, wait for our own earlier tx, or refill a hole", async () => {
    const seqs = createSequenceAllocator(async () => ({ accountNumber: 1n, sequence: 5 }));
    const a = await seqs.lease(); // 5
    const b = await seqs.lease(); // 6
    const c = await seqs.lease(); // 7
    expect(c.mismatch(5)).toBe("wait"); // a holds 5: keep re-broadcasting c
    a.release(); // a was refused: 5 will never be filled by it
    expect(b.mismatch(5)).toBe("hole");
    expect((await seqs.lease()).sequence).toBe(5); // b signs again and gets the gap
    expect(c.mismatch(9)).toBe("used"); // another tx took 7 and 8
    expect((await seqs.lease()).sequence).toBe(9);
  });
});
