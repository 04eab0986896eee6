/**
 * The REST face through fastify's inject: price feed limits, health, params, error bodies, faucet off, metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_PRICE_POINTS } from "../../../src/market/market.js";
import { type ChainFixture, startChain } from "../../support/chain-fixture.js";

describe("REST face", () => {
  let fixture: ChainFixture;
  const get = async (url: string) => {
    const res = await fixture.node.restApp.inject({ method: "GET", url });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> };
  };

  beforeAll(async () => {
    fixture = await startChain({ faucet: false, marketSeed: "rest-seed" });
  });
  afterAll(async () => {
    await fixture?.stop();
  });

  it("serves the past of the price feed only, with a point cap", async () => {
    const now = Math.floor(fixture.node.chain.latestTimeMs() / 1000);
    const recent = await get("/allora/localnet/v1/prices/eth");
    expect(recent.status).toBe(200);
    const prices = recent.body.prices as Array<{ time: string; price: string }>;
    expect(recent.body.token).toBe("ETH");
    expect(prices).toHaveLength(300);
    expect(Number(prices.at(-1)!.time)).toBeGreaterThanOrEqual(now);
    expect(Number(prices.at(-1)!.time)).toBeLessThanOrEqual(Math.floor(fixture.node.chain.latestTimeMs() / 1000));
    expect(prices[0]!.price).toMatch(/^\d+(\.\d+)?$/);
    expect(prices[0]!.price).toBe(fixture.node.chain.market.priceAt("ETH", Number(prices[0]!.time)));

    const future = await get(`/allora/localnet/v1/prices/ETH?from=${now - 10}&to=${now + 3600}`);
    expect(future.body.clipped_to_now).toBe(true);
    const futurePrices = future.body.prices as Array<{ time: string }>;
    expect(Number(futurePrices.at(-1)!.time)).toBeLessThanOrEqual(Math.floor(fixture.node.chain.latestTimeMs() / 1000));

    const ahead = await get(`/allora/localnet/v1/prices/ETH?from=${now + 3600}&to=${now + 3700}`);
    expect(ahead).toMatchObject({ status: 200, body: { clipped_to_now: true, prices: [] } });
    const backwards = await get(`/allora/localnet/v1/prices/ETH?from=${now - 10}&to=${now - 20}`);
    expect(backwards.status).toBe(400);
    expect(backwards.body).toMatchObject({ code: 5, codespace: "localnet", reason: "PRICE_QUERY_INVALID" });

    const long = await get(`/allora/localnet/v1/prices/BTC?from=${now - 100_000}&to=${now - 10}`);
    expect(long.body.truncated).toBe(true);
    expect(long.body.prices).toHaveLength(MAX_PRICE_POINTS);
    expect(long.body.to).toBe(String(now - 10));

    const stepped = await get(`/allora/localnet/v1/prices/SOL?from=${now - 600}&to=${now}&step=60`);
    expect(stepped.body.prices).toHaveLength(11);

    expect((await get("/allora/localnet/v1/prices/E$TH")).status).toBe(400);
    expect((await get("/allora/localnet/v1/prices/ETH?from=abc")).body).toMatchObject({
      code: 18,
      reason: "REQUEST_INVALID",
    });
  });

  it("reports health, params and topics", async () => {
    const health = await get("/allora/localnet/v1/health");
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: "ok", chain_id: "allora-localnet-1" });
    expect(Number(health.body.height)).toBeGreaterThanOrEqual(1);

    const params = await get("/emissions/v1/params");
    expect(params.body.params).toMatchObject({
      registration_fee: "1000",
      tx_fee_min: "100",
      reward_per_round: "1000000",
      max_serialized_msg_length: "1000000",
    });

    const topics = await get("/allora/localnet/v1/topics");
    expect(topics.body.topics).toEqual([
      expect.objectContaining({
        id: "1",
        default_arg: "ETH",
        inference_cadence: "60",
        workers: "0",
        open_rounds: ["1"],
      }),
    ]);
    const topic = await get("/emissions/v1/topics/1");
    expect(topic.body.topic).toMatchObject({ id: "1", loss_method: "mse" });
    const nonces = await get("/emissions/v1/unfulfilled_worker_nonces/1");
    expect(nonces.body).toEqual({ nonces: { nonces: [{ block_height: "1" }] } });
  });

  it("answers errors in Cosmos form", async () => {
    expect(await get("/emissions/v1/topics/42")).toMatchObject({
      status: 404,
      body: { code: 101, codespace: "emissions", reason: "TOPIC_NOT_FOUND" },
    });
    expect(await get("/emissions/v1/worker_registered/1/nonsense")).toMatchObject({
      status: 400,
      body: { code: 7, codespace: "sdk" },
    });
    const missing = await get("/no/such/path");
    expect(missing).toMatchObject({ status: 404, body: { reason: "ROUTE_NOT_FOUND", codespace: "localnet" } });
    expect(String(missing.body.log)).toContain("/no/such/path");
    const latest = await get("/emissions/v1/latest_network_inferences/1");
    expect(latest.status).toBe(404);
  });

  it("says clearly when there is no faucet", async () => {
    const res = await fixture.node.restApp.inject({
      method: "POST",
      url: "/faucet",
      payload: { address: "allo14qemq0vw6y3gc3u3e0aty2e764u4gs5lhzd76y" },
    });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 1, codespace: "localnet", reason: "FAUCET_DISABLED" });
    expect(res.json().log).toContain("--faucet-mnemonic-file");
  });

  it("broadcasts through REST and reports decode failures with their code", async () => {
    const garbage = await fixture.node.restApp.inject({
      method: "POST",
      url: "/cosmos/tx/v1beta1/txs",
      payload: { tx_bytes: Buffer.from("not a tx").toString("base64"), mode: "BROADCAST_MODE_SYNC" },
    });
    expect(garbage.statusCode).toBe(200);
    expect(garbage.json().tx_response).toMatchObject({ code: 2, codespace: "sdk" });
    const unknownField = await fixture.node.restApp.inject({
      method: "POST",
      url: "/cosmos/tx/v1beta1/txs",
      payload: { tx_bytes: "AA==", extra: 1 },
    });
    expect(unknownField.statusCode).toBe(400);
    expect(unknownField.json()).toMatchObject({ code: 18, reason: "REQUEST_INVALID" });
  });

  it("exposes prometheus metrics", async () => {
    const res = await fixture.node.restApp.inject({ method: "GET", url: "/metrics" });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("allora_chain_height");
    expect(res.body).toContain('node="chain-test"');
  });
});
