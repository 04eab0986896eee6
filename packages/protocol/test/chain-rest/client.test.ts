/**
 * The chain REST client against a stand-in that answers like the chain's REST face (the real chain is exercised by
 * the consumer suite in test/consumer/): typed answers, refusals by the chain's own code name, answers of another
 * shape refused with the field named.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChainRequestError, createChainRestClient, fundFromFaucet, isAlloraError } from "../../src/index.js";

const address = "allo19rl4cm2hmr8afy4kldpxz3fka4jguq0ajnh7gv";
const worker = {
  address,
  lib_p2p_key: "12D3KooWH9GerdSEroL2nqjpd2GuE5dwmqNi7uHX7FoywBdKcP4q",
  multi_address: "/ip4/127.0.0.1/tcp/9011",
  owner: address,
  registered_at_height: "3",
  latest_value: "2946.45",
  latest_nonce: "120",
  latest_score: "0.5",
  ema_score: "0.25",
  regret: null,
  rounds_scored: "2",
  cumulative_reward: "1500",
  balance: "99000",
};
const topicNotFound = {
  code: 101,
  codespace: "emissions",
  log: "topic 9: topic does not exist",
  message: "topic 9: topic does not exist",
  reason: "TOPIC_NOT_FOUND",
};
const posts: string[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const send = (status: number, value: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(value));
      };
      const url = req.url ?? "";
      if (url === "/allora/localnet/v1/topics/1/workers") send(200, { topic_id: "1", workers: [worker] });
      else if (url === "/allora/localnet/v1/topics/2/workers") send(200, { topic_id: "2", workers: [{ address }] });
      else if (url === "/emissions/v1/topics/9") send(404, topicNotFound);
      else if (url === "/allora/localnet/v1/topics/9/workers") send(404, topicNotFound);
      else if (url.startsWith("/emissions/v1/worker_registered/1/")) send(200, { is_registered: true });
      else if (url.startsWith("/cosmos/bank/v1beta1/balances/"))
        send(200, { balances: [{ denom: "uallo", amount: "99000" }], pagination: { next_key: null, total: "1" } });
      else if (url === "/allora/localnet/v1/health")
        send(503, {
          status: "stalled",
          chain_id: "allora-localnet-1",
          height: "7",
          latest_block_time: null,
          block_time_ms: "1000",
        });
      else if (url === "/faucet" && req.method === "POST") {
        posts.push(body);
        send(200, { tx_hash: "AB", address, amount: "5000", denom: "uallo", height: "8" });
      } else if (url === "/faucet")
        send(503, { ...topicNotFound, code: 1, codespace: "localnet", reason: "FAUCET_DISABLED" });
      else {
        res.writeHead(502);
        res.end("bad gateway");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("chain REST client", () => {
  it("reads workers with scores, EMA and rewards, registration and balances", async () => {
    const chain = createChainRestClient(base);
    const [w] = await chain.topicWorkers(1);
    expect(w).toMatchObject({ ema_score: "0.25", cumulative_reward: "1500", latest_nonce: "120" });
    expect(await chain.isRegistered(1, address)).toBe(true);
    expect(await chain.balance(address)).toBe(99_000n);
    expect(await chain.balance(address, "other")).toBe(0n);
    expect((await chain.health()).status).toBe("stalled");
  });

  it("names a refusal by the chain's code and a missing topic as undefined", async () => {
    const chain = createChainRestClient(base);
    expect(await chain.topic(9)).toBeUndefined();
    const err = await chain.topicWorkers(9).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChainRequestError);
    expect(isAlloraError(err, "TOPIC_NOT_FOUND")).toBe(true);
    expect((err as ChainRequestError).details).toMatchObject({ status: 404, codespace: "emissions", abci_code: 101 });
    expect(await chain.faucetInfo().catch((e: unknown) => (e as ChainRequestError).code)).toBe("FAUCET_DISABLED");
    expect(await chain.rounds(1).catch((e: unknown) => (e as ChainRequestError).code)).toBe("HTTP_502");
  });

  it("refuses an answer of another shape, naming the field", async () => {
    const err = await createChainRestClient(base)
      .topicWorkers(2)
      .catch((e: unknown) => e);
    expect(isAlloraError(err, "CHAIN_RESPONSE_INVALID")).toBe(true);
    expect((err as Error).message).toContain("/workers/0/");
  });

  it("funds through the faucet and says when the chain is down", async () => {
    const grant = await fundFromFaucet(`${base}faucet`, address, { amount: 5000n });
    expect(grant).toMatchObject({ amount: "5000", height: "8" });
    expect(JSON.parse(posts.at(-1) ?? "{}")).toEqual({ address, amount: "5000" });
    const down = await createChainRestClient("http://127.0.0.1:1", { timeoutMs: 2000 })
      .balance(address)
      .catch((e: unknown) => e);
    expect(isAlloraError(down, "CHAIN_UNREACHABLE")).toBe(true);
    expect((down as Error).cause).toMatchObject({ code: "HTTP_UNREACHABLE" });
  });
});
