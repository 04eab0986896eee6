/**
 * The emissions parameters read against a stand-in of the chain's REST face: the fee typed, other answers refused
 * with a code.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChainRequestError, isAlloraError, readEmissionsParams } from "../../src/index.js";

let server: Server;
let base: string;
let answer: { status: number; body: string } = { status: 200, body: "" };

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url !== "/emissions/v1/params") {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(answer.status, { "content-type": "application/json" });
    res.end(answer.body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("readEmissionsParams", () => {
  it("reads the registration fee, whatever else the chain sends", async () => {
    answer = { status: 200, body: JSON.stringify({ params: { registration_fee: "1000", reward_per_round: "5" } }) };
    expect(await readEmissionsParams(`${base}/`)).toMatchObject({ registration_fee: "1000" });
  });

  it("refuses an answer of another shape, a non-JSON answer and a non-200 status, each with a code", async () => {
    answer = { status: 200, body: JSON.stringify({ params: { registration_fee: 1000 } }) };
    await expect(readEmissionsParams(base)).rejects.toMatchObject({ code: "CHAIN_RESPONSE_INVALID" });
    answer = { status: 200, body: "<html>" };
    await expect(readEmissionsParams(base)).rejects.toMatchObject({ code: "CHAIN_RESPONSE_INVALID" });
    answer = { status: 502, body: "" };
    const err = await readEmissionsParams(base).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChainRequestError);
    expect(isAlloraError(err, "HTTP_502")).toBe(true);
  });

  it("says CHAIN_UNREACHABLE when nothing answers", async () => {
    await expect(readEmissionsParams("http://127.0.0.1:1", { timeoutMs: 2000 })).rejects.toMatchObject({
      code: "CHAIN_UNREACHABLE",
    });
  });
});
