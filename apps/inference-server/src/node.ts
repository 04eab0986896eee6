/**
 * The inference server node: picks the price feed (the chain's, or the seeded generator without a chain), builds
 * the HTTP app around the chosen model; `start` listens, `stop` closes.
 */
import type { Logger } from "@allora/protocol";
import { createMetricsRegistry, httpLimitsOf, limitHttpServer } from "@allora/service";
import type { InferenceServerConfig, ModelName } from "./config.js";
import { buildInferenceApp } from "./http/app.js";
import { createGeneratorPriceFeed, createHttpPriceFeed, type PriceFeed } from "./price-feed.js";

/** The inference server node. */
export interface InferenceServerNode {
  start(): Promise<void>;
  stop(): Promise<void>;
}

function priceFeedOf(config: InferenceServerConfig): PriceFeed {
  if (config.priceFeedUrl) return createHttpPriceFeed(config.priceFeedUrl);
  if (config.priceSeed) return createGeneratorPriceFeed(config.priceSeed);
  throw Object.assign(new Error("set --price-feed-url (the chain's REST URL) or --price-seed (no chain)"), {
    code: "FEED_UNCONFIGURED",
  });
}

export function createInferenceServerNode(
  config: InferenceServerConfig,
  deps: { logger: Logger },
): InferenceServerNode {
  const { logger } = deps;
  const feed = priceFeedOf(config);
  const app = buildInferenceApp({
    model: config.model as ModelName,
    horizon: config.horizon,
    window: config.window,
    noise: config.noise,
    noiseSeed: config.noiseSeed,
    feed,
    logger,
    metrics: createMetricsRegistry(config.name),
  });
  return {
    async start() {
      limitHttpServer(app.server, httpLimitsOf(config));
      const address = await app.listen({ host: config.host, port: config.port });
      logger.info({ address, model: config.model, feed: feed.description }, `inference server listening on ${address}`);
    },
    stop: () => app.close(),
  };
}
