import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createPriceSeries, silentLogger } from "@allora/protocol";
import { createMetricsRegistry } from "@allora/service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MODELS } from "../../src/config.js";
import { buildInferenceApp } from "../../src/http/app.js";
import { predict } from "../../src/models.js";
import { createGeneratorPriceFeed, createHttpPriceFeed } from "../../src/price-feed.js";

const NOW = 1_780_000_000;

function seededRandom(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) % 2 ** 32;
    return s / 2 ** 32;
  };
}

describe("models", () => {
  it("rank by skill on the market: trend beats naive beats noisy, over many horizons", () => {
    const series = createPriceSeries({ seed: "models", token: "ETH" });
    const err: Record<string, number> = {};
    const random = seededRandom(1);
    for (const model of MODELS) err[model] = 0;
    for (let t = NOW; t < NOW + 4 * 3600; t += 41) {
      const history = Array.from({ length: 30 }, (_, i) => ({ time: t - 29 + i, price: series.priceAt(t - 29 + i) }));
      const truth = series.priceAt(t + 10);
      for (const model of MODELS)
        err[model]! += (predict(model, history, { horizon: 10, noise: 0.004, random }) - truth) ** 2;
    }
    expect(err.trend).toBeLessThan(err.naive!);
    expect(err.naive).toBeLessThan(err.noisy!);
  });

  it("refuses to predict without history", () => {
    expect(() => predict("naive", [], { horizon: 1, noise: 0, random: Math.random })).toThrow(/no price history/);
  });
});

describe("inference app", () => {
  let feedServer: Server;
  let feedUrl: string;
  let feedUp = true;
  const series = createPriceSeries({ seed: "feed", token: "ETH" });

  beforeAll(async () => {
    feedServer = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      const m = /^\/allora\/localnet\/v1\/prices\/([A-Z]+)$/.exec(url.pathname);
      if (!feedUp) {
        res.writeHead(500);
        return res.end();
      }
      if (m?.[1] !== "ETH") {
        res.writeHead(404);
        return res.end(JSON.stringify({ code: 5, message: "unknown token" }));
      }
      const from = Number(url.searchParams.get("from"));
      const to = Number(url.searchParams.get("to"));
      const prices = [];
      for (let t = from; t <= to; t++) prices.push({ time: t, price: series.priceAt(t).toFixed(6) });
      res.end(JSON.stringify({ token: "ETH", prices }));
    });
    await new Promise<void>((r) => feedServer.listen(0, "127.0.0.1", r));
    feedUrl = `http://127.0.0.1:${(feedServer.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => feedServer.close(() => r())));

  function app(
    model: (typeof MODELS)[number],
    feed = createHttpPriceFeed(feedUrl),
    extra: { noiseSeed?: string; now?: () => number } = {},
  ) {
    return buildInferenceApp({
      model,
      horizon: 10,
      window: 30,
      noise: 0.004,
      feed,
      logger: silentLogger,
      metrics: createMetricsRegistry("test"),
      now: () => NOW,
      ...extra,
    });
  }

  it("answers a plain decimal prediction read from the chain's feed", async () => {
    const res = await app("naive").inject("/inference/eth");
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ token: "ETH", model: "naive", as_of: NOW, horizon_seconds: 10 });
    expect(body.value).toMatch(/^\d+(\.\d+)?$/);
    expect(Number(body.value)).toBeCloseTo(series.priceAt(NOW), 4);
  });

  it("works without a chain from the seeded generator, never reading the future", async () => {
    const feed = createGeneratorPriceFeed("feed", () => NOW);
    expect((await feed.history("ETH", NOW - 5, NOW + 100)).at(-1)?.time).toBe(NOW);
    const res = await app("naive", feed).inject("/inference/ETH");
    expect(Number(res.json().value)).toBeCloseTo(series.priceAt(NOW), 4);
  });

  it("explains an unknown token, a bad token and a feed that is down", async () => {
    const unknown = await app("trend").inject("/inference/DOGE");
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe("TOKEN_UNKNOWN");
    const bad = await app("trend").inject("/inference/e$h");
    expect(bad.statusCode).toBe(400);
    feedUp = false;
    const down = await app("trend").inject("/inference/ETH");
    feedUp = true;
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ code: "FEED_UNAVAILABLE" });
    const offline = await app("trend", createHttpPriceFeed("http://127.0.0.1:9")).inject("/inference/ETH");
    expect(offline.json().message).toMatch(/unreachable/);
  });

  it("draws the noisy model's noise afresh per request unless seeded, then per seed, token and second", async () => {
    const value = async (a: ReturnType<typeof app>) => (await a.inject("/inference/ETH")).json().value as string;
    const unseeded = app("noisy");
    expect(await value(unseeded)).not.toBe(await value(unseeded));
    const seeded = app("noisy", undefined, { noiseSeed: "inference-3" });
    const first = await value(seeded);
    expect(Number(first)).not.toBeCloseTo(series.priceAt(NOW), 4);
    expect(await value(seeded)).toBe(first);
    expect(await value(app("noisy", undefined, { noiseSeed: "inference-3" }))).toBe(first);
    expect(await value(app("noisy", undefined, { noiseSeed: "other" }))).not.toBe(first);
    expect(await value(app("noisy", undefined, { noiseSeed: "inference-3", now: () => NOW + 1 }))).not.toBe(first);
  });

  it("reports health", async () => {
    expect((await app("noisy").inject("/health")).json()).toMatchObject({ status: "ok", model: "noisy" });
  });
});
