/**
 * The worker's run slots: hand-sent runs never take the slots kept for the chain's rounds, and a waiting round run
 * gets the next free slot before any waiting hand-sent run.
 */
import { describe, expect, it } from "vitest";
import { Semaphore } from "../src/execution/semaphore.js";

describe("semaphore with round slots", () => {
  it("keeps the reserved slot for priority holders and serves their waiters first", async () => {
    const slots = new Semaphore(3, 1);
    const order: string[] = [];
    const a = await slots.acquire();
    const b = await slots.acquire();
    let third = false;
    const c = slots.acquire().then((release) => {
      third = true;
      order.push("hand");
      return release;
    });
    await Promise.resolve();
    expect(third).toBe(false); // two ordinary holders: the third slot is the round's
    const round = await slots.acquire(true); // the round gets it at once
    expect(slots.inUse).toBe(3);
    const waitingRound = slots.acquire(true).then((release) => {
      order.push("round");
      return release;
    });
    round(); // a round slot frees: the waiting round takes it, not the waiting hand-sent run
    (await waitingRound)();
    expect(order).toEqual(["round"]);
    a(); // an ordinary slot frees: now the hand-sent run goes
    (await c)();
    expect(order).toEqual(["round", "hand"]);
    b();
    expect(slots.inUse).toBe(0);
    expect(slots.load).toBe(0);
  });

  it("never reserves every slot", async () => {
    const slots = new Semaphore(1, 5);
    expect(slots.reserved).toBe(0);
    (await slots.acquire())();
  });
});
