/**
 * The roll-call book: an execute waits for its roll call's decision, a reservation holds a slot until its execute or
 * its expiry, and each head's roll calls are rate-limited.
 */
import { describe, expect, it } from "vitest";
import { createRollCallBook } from "../../src/roll-call/roll-call-book.js";

const facts = { origin: "head", topicId: 1n, functionId: "fn", own: true };

describe("roll-call book", () => {
  it("gives an execute that came first the decision made after it", async () => {
    const book = createRollCallBook({ capacity: () => 4, load: () => 0, unseenWaitMs: 1000 });
    const waiting = book.outcomeOf("r1");
    book.firstSight("r1");
    book.decide("r1", "accepted", facts);
    expect(await waiting).toEqual({ decision: "accepted", facts });
    expect(await book.outcomeOf("r1")).toEqual({ decision: "accepted", facts });
  });

  it("answers unseen when no roll call came within the wait", async () => {
    const book = createRollCallBook({ capacity: () => 4, load: () => 0, unseenWaitMs: 20 });
    expect(await book.outcomeOf("never")).toEqual({ decision: "unseen" });
  });

  it("waits longer for a roll call seen but still being decided", async () => {
    const book = createRollCallBook({ capacity: () => 4, load: () => 0, unseenWaitMs: 20, decidingWaitMs: 1000 });
    book.firstSight("r2");
    const waiting = book.outcomeOf("r2");
    setTimeout(() => book.decide("r2", "declined"), 60);
    expect(await waiting).toEqual({ decision: "declined" });
  });

  it("counts reservations against the capacity until released or expired", async () => {
    const book = createRollCallBook({ capacity: () => 2, load: () => 0, reservationTtlMs: 30 });
    book.reserve("a");
    expect(book.hasRoom()).toBe(true);
    book.reserve("b");
    expect(book.hasRoom()).toBe(false);
    book.release("a");
    expect(book.reservations()).toBe(1);
    await new Promise((r) => setTimeout(r, 60));
    expect(book.reservations()).toBe(0);
  });

  it("keeps the round slots for chain rounds", () => {
    const book = createRollCallBook({ capacity: () => 2, load: () => 1, reservedForRounds: () => 1 });
    expect(book.hasRoom()).toBe(false);
    expect(book.hasRoom(true)).toBe(true);
  });

  it("sees each roll call once", () => {
    const book = createRollCallBook({ capacity: () => 2, load: () => 0 });
    expect(book.firstSight("x")).toBe(true);
    expect(book.firstSight("x")).toBe(false);
  });
});
