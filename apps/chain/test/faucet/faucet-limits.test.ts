/**
 * The faucet's rate limits over real HTTP: the N+1th grant to one address within the window and the N+1th request
 * of one client are refused with 429 FAUCET_RATE_LIMITED, a `retry_after` and a `Retry-After` header; other
 * addresses and clients are not affected, and a refusal is not counted. The window itself (when a key may go
 * again) is checked on the limiter with a clock of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFaucetLimits } from "../../src/faucet/faucet-limits.js";
import { type ChainFixture, startChain } from "../support/chain-fixture.js";
import { newWallet } from "../support/wallets.js";

async function askFaucet(restUrl: string, address: string) {
  const res = await fetch(`${restUrl}/faucet`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ address, amount: "1000" }),
  });
  return { status: res.status, retryAfter: res.headers.get("retry-after"), body: (await res.json()) as never };
}

describe("faucet limits", () => {
  let fixture: ChainFixture;
  beforeAll(async () => {
    fixture = await startChain({
      config: { faucetWindowSeconds: 600, faucetMaxPerAddress: 2, faucetMaxPerClient: 4 },
    });
  });
  afterAll(async () => {
    await fixture?.stop();
  });

  it("refuses the third grant to one address and the fifth request of one client, saying when to retry", async () => {
    const [a, b, c] = await Promise.all([newWallet(), newWallet(), newWallet()]);
    expect((await askFaucet(fixture.restUrl, a.address)).status).toBe(200);
    expect((await askFaucet(fixture.restUrl, a.address)).status).toBe(200);
    const third = await askFaucet(fixture.restUrl, a.address);
    expect(third.status).toBe(429);
    expect(third.body).toMatchObject({ code: 7, codespace: "localnet", reason: "FAUCET_RATE_LIMITED" });
    const retry = (third.body as { retry_after: number }).retry_after;
    expect(retry).toBeGreaterThan(590);
    expect(retry).toBeLessThanOrEqual(600);
    expect(third.retryAfter).toBe(String(retry));
    expect((third.body as { log: string }).log).toMatch(
      new RegExp(
        `^address ${a.address} may get at most 2 request\\(s\\) per 600 s; retry in ${retry} s: faucet rate limit reached$`,
      ),
    );
    // The refusal was not counted: this client has used 2 of its 4, so b gets two grants, then the client is done.
    expect((await askFaucet(fixture.restUrl, b.address)).status).toBe(200);
    expect((await askFaucet(fixture.restUrl, b.address)).status).toBe(200);
    const fifth = await askFaucet(fixture.restUrl, c.address);
    expect(fifth.status).toBe(429);
    expect((fifth.body as { log: string }).log).toContain(
      "this client (127.0.0.1) may send at most 4 request(s) per 600 s",
    );
    const info = (await (await fetch(`${fixture.restUrl}/faucet`)).json()) as { limits: unknown };
    expect(info.limits).toEqual({ window_seconds: 600, max_per_address: 2, max_per_client: 4 });
  });

  it("lets a key go again once its oldest counted request leaves the window", () => {
    let t = 1_000_000;
    const limits = createFaucetLimits({ windowMs: 60_000, perAddress: 2, perClient: 100, now: () => t });
    limits.admit("allo1a", "c");
    t += 10_000;
    limits.admit("allo1a", "c");
    t += 5_000;
    expect(() => limits.admit("allo1a", "c")).toThrow(/retry in 45 s/);
    t += 45_000; // the first request is now exactly 60 s old
    expect(() => limits.admit("allo1a", "c")).not.toThrow();
    expect(() => limits.admit("allo1a", "c")).toThrow(/retry in 10 s/);
  });
});
