import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { fundFromFaucet, getJson } from "../src/index.js";

let server: Server | undefined;

/** A real faucet on loopback: answers with `status`, and records each address it was asked to fund. */
async function faucet(status: number, asked: string[]): Promise<string> {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      if (req.method === "POST") asked.push((JSON.parse(body) as { address: string }).address);
      res.writeHead(status, { "content-type": "application/json" });
      res.end(status === 200 ? '{"ok":true}' : '{"code":"FAUCET_EMPTY"}');
    });
  });
  await new Promise<void>((r) => server?.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/faucet`;
}

afterEach(async () => {
  await new Promise((r) => server?.close(r));
  server = undefined;
});

describe("fundFromFaucet", () => {
  it("asks for the address and returns once the balance reaches what is needed", async () => {
    const asked: string[] = [];
    const faucetUrl = await faucet(200, asked);
    let reads = 0;
    await fundFromFaucet({
      faucetUrl,
      address: "allo1abc",
      needed: 10n,
      balance: async () => (++reads >= 3 ? 10n : 0n),
    });
    expect(asked).toEqual(["allo1abc"]);
    expect(reads).toBe(3);
  });

  it("throws FAUCET_FAILED with the faucet's answer when it refuses", async () => {
    const faucetUrl = await faucet(503, []);
    await expect(
      fundFromFaucet({ faucetUrl, address: "allo1abc", needed: 10n, balance: async () => 0n }),
    ).rejects.toMatchObject({
      code: "FAUCET_FAILED",
      message: expect.stringContaining('HTTP 503: {"code":"FAUCET_EMPTY"}'),
    });
  });

  it("throws FAUCET_FAILED when the funds never arrive", async () => {
    const faucetUrl = await faucet(200, []);
    await expect(
      fundFromFaucet({ faucetUrl, address: "allo1abc", needed: 10n, balance: async () => 5n, timeoutMs: 700 }),
    ).rejects.toMatchObject({ code: "FAUCET_FAILED", message: expect.stringContaining("did not arrive") });
  });
});

describe("getJson", () => {
  it("parses a 2xx body and throws with status and body otherwise", async () => {
    const url = await faucet(200, []);
    await expect(getJson(url)).resolves.toEqual({ ok: true });
    await new Promise((r) => server?.close(r));
    const refused = await faucet(503, []);
    await expect(getJson(refused)).rejects.toThrow(/answered HTTP 503: \{"code":"FAUCET_EMPTY"\}/);
  });
});
