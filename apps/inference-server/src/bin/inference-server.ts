#!/usr/bin/env node
import "@allora/service/polyfills";
import { createMetricsRegistry, httpLimitsOf, limitHttpServer, readPackageVersion, runService } from "@allora/service";
import { buildInferenceApp } from "../app.js";
import { inferenceServerConfig } from "../config.js";
import { createGeneratorPriceFeed, createHttpPriceFeed } from "../price-feed.js";

await runService({
  program: "allora-inference-server",
  summary: "sample model server: predictions from past prices, with configurable skill",
  version: readPackageVersion(import.meta.url),
  spec: inferenceServerConfig,
  examples: [
    "allora-inference-server --port 8000 --model trend --price-feed-url http://127.0.0.1:1317",
    "allora-inference-server --model noisy --price-seed demo   # no chain: the seeded generator's past",
  ],
  nodeName: (c) => c.name,
  logLevel: (c) => c.logLevel,
  async start({ config, logger }) {
    if (!config.priceFeedUrl && !config.priceSeed) {
      throw Object.assign(new Error("set --price-feed-url (the chain's REST URL) or --price-seed (no chain)"), {
        code: "FEED_UNCONFIGURED",
      });
    }
    const feed = config.priceFeedUrl
      ? createHttpPriceFeed(config.priceFeedUrl)
      : createGeneratorPriceFeed(config.priceSeed as string);
    const app = buildInferenceApp({
      model: config.model as "trend",
      horizon: config.horizon,
      window: config.window,
      noise: config.noise,
      feed,
      logger,
      metrics: createMetricsRegistry(config.name),
    });
    limitHttpServer(app.server, httpLimitsOf(config));
    const address = await app.listen({ host: config.host, port: config.port });
    logger.info({ address, model: config.model, feed: feed.description }, `inference server listening on ${address}`);
    return { stop: () => app.close() };
  },
});
