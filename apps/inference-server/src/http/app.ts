/**
 * The inference server's HTTP app: `GET /inference/:token` answers the model's prediction.
 */
import { AlloraError, formatDecimal, type Logger } from "@allora/protocol";
import { installErrorHandling, type Registry, STRICT_AJV } from "@allora/service";
import Fastify, { type FastifyInstance } from "fastify";
import type { ModelName } from "../config.js";
import { predict, seededRandom } from "../models.js";
import type { PriceFeed } from "../price-feed.js";

/** What the app needs. */
export interface InferenceAppOptions {
  model: ModelName;
  horizon: number;
  window: number;
  noise: number;
  /** Seeds the noise per token and second (see {@link seededRandom}); without it, `random` draws afresh. */
  noiseSeed?: string | undefined;
  feed: PriceFeed;
  logger: Logger;
  metrics: Registry;
  random?: () => number;
  now?: () => number;
}

/** Builds the app (not listening). */
export function buildInferenceApp(options: InferenceAppOptions): FastifyInstance {
  const app = Fastify({ logger: false, ajv: STRICT_AJV });
  installErrorHandling(app, options.logger, (code) =>
    code === "TOKEN_UNKNOWN" ? 404 : code === "FEED_UNAVAILABLE" ? 503 : 400,
  );
  const now = options.now ?? (() => Date.now() / 1000);
  const random = options.random ?? Math.random;

  app.get("/health", async () => ({ status: "ok", model: options.model, feed: options.feed.description }));
  app.get("/metrics", async (_req, reply) =>
    reply.type(options.metrics.contentType).send(await options.metrics.metrics()),
  );
  app.get<{ Params: { token: string } }>(
    "/inference/:token",
    {
      schema: { params: { type: "object", properties: { token: { type: "string", pattern: "^[A-Za-z0-9]{1,16}$" } } } },
    },
    async (request) => {
      const token = request.params.token.toUpperCase();
      const to = Math.floor(now());
      const history = await options.feed.history(token, to - options.window + 1, to);
      if (history.length === 0)
        throw new AlloraError("FEED_UNAVAILABLE", `the price feed returned no history for ${token}`);
      const asOf = history.at(-1)?.time ?? to;
      const draw = options.noiseSeed === undefined ? random : seededRandom(options.noiseSeed, token, asOf);
      const value = predict(options.model, history, { horizon: options.horizon, noise: options.noise, random: draw });
      options.logger.debug({ token, value, points: history.length }, "prediction");
      return {
        token,
        value: formatDecimal(value, 6),
        model: options.model,
        horizon_seconds: options.horizon,
        as_of: asOf,
      };
    },
  );
  return app;
}
