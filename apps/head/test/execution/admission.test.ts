/**
 * The head's admission: a request for a round the chain has open goes first (once per round), every other request
 * takes a place in the bounded lane, waits its turn, and is refused with HEAD_BUSY when the lane and its queue are
 * full or its wait runs out. The chain's REST face is a real HTTP server listing the open rounds.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { isAlloraError, silentLogger } from "@allora/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmission } from "../../src/execution/admission.js";

let server: Server;
let rest: string;
let asked = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    asked++;
    const open = req.url === "/emissions/v1/unfulfilled_worker_nonces/1" ? [{ block_height: "40" }] : [];
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ nonces: { nonces: open } }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  rest = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const admissionWith = (options: Omit<Parameters<typeof createAdmission>[0], "logger">) =>
  createAdmission({ ...options, logger: silentLogger });

describe("admission", () => {
  it("lets the chain's open round through at once, once, even with the lane full", async () => {
    const admission = admissionWith({ maxActive: 1, maxQueued: 0, maxWaitMs: 1000, chainRest: rest });
    const hand = await admission.admit(undefined);
    expect(hand.priority).toBe(false);
    const round = await admission.admit({ topic: "1", nonce: "40" });
    expect(round.priority).toBe(true);
    // The same round again, a round that is not open, and a topic without rounds are hand-sent requests: refused now.
    for (const claim of [
      { topic: "1", nonce: "40" },
      { topic: "1", nonce: "41" },
      { topic: "2", nonce: "40" },
      undefined,
    ]) {
      const refused = await admission.admit(claim).then(
        () => undefined,
        (err) => err,
      );
      expect(isAlloraError(refused, "HEAD_BUSY"), String(refused)).toBe(true);
    }
    hand.release();
    expect((await admission.admit(undefined)).priority).toBe(false);
  });

  it("queues hand-sent requests in order, refuses past the queue and after the wait", async () => {
    const admission = admissionWith({ maxActive: 1, maxQueued: 1, maxWaitMs: 200, chainRest: undefined });
    const first = await admission.admit(undefined);
    const second = admission.admit(undefined);
    await expect(admission.admit(undefined)).rejects.toThrow(/1 requests are running and 1 waiting/);
    expect(admission.load()).toEqual({ active: 1, waiting: 1 });
    first.release();
    (await second).release();
    const holder = await admission.admit(undefined);
    await expect(admission.admit(undefined)).rejects.toThrow(/waited 200 ms/);
    holder.release();
    expect(admission.load()).toEqual({ active: 0, waiting: 0 });
    // Without the chain's REST face nothing can be checked, so nothing gets priority.
    expect((await admission.admit({ topic: "1", nonce: "40" })).priority).toBe(false);
  });

  it("holds one client to its share of the lane, and lets the others in", async () => {
    const admission = admissionWith({
      maxActive: 10,
      maxQueued: 10,
      maxWaitMs: 1000,
      maxPerClient: 2,
      chainRest: undefined,
    });
    const mine = [await admission.admit(undefined, "10.0.0.1"), await admission.admit(undefined, "10.0.0.1")];
    await expect(admission.admit(undefined, "10.0.0.1")).rejects.toThrow(
      /10\.0\.0\.1 has 2 requests running or waiting at this head, the limit per client/,
    );
    const theirs = await admission.admit(undefined, "10.0.0.2");
    mine[0]?.release();
    const again = await admission.admit(undefined, "10.0.0.1");
    expect(admission.load()).toEqual({ active: 3, waiting: 0 });
    for (const a of [mine[1], theirs, again]) a?.release();
    expect(admission.load()).toEqual({ active: 0, waiting: 0 });
  });

  it("reads one topic's open rounds once for a burst of claims, whatever their number", async () => {
    const admission = admissionWith({ maxActive: 100, maxQueued: 0, maxWaitMs: 100, chainRest: rest });
    const before = asked;
    await Promise.all(Array.from({ length: 50 }, (_, i) => admission.admit({ topic: "3", nonce: String(i) })));
    expect(asked - before).toBe(1);
  });
});
