/**
 * The REST face (Cosmos paths, emissions queries, this network's views, the faucet and /metrics), built without
 * listening so tests can inject requests.
 */
import { STRICT_AJV } from "@allora/service";
import Fastify, { type FastifyInstance } from "fastify";
import { registerCosmosRoutes } from "./cosmos-routes.js";
import { registerEmissionsRoutes } from "./emissions-routes.js";
import { installChainErrorHandling } from "./error-body.js";
import { registerFaucetRoutes } from "./faucet-routes.js";
import { registerLocalnetRoutes } from "./localnet-routes.js";
import type { RestContext } from "./rest-context.js";

/** Largest request body (a base64 tx near the size limit fits). */
const REST_BODY_LIMIT = 4 * 1024 * 1024;

export function buildRestApp(ctx: RestContext): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: REST_BODY_LIMIT, ajv: STRICT_AJV });
  installChainErrorHandling(app, ctx.logger);
  registerCosmosRoutes(app, ctx);
  registerEmissionsRoutes(app, ctx);
  registerLocalnetRoutes(app, ctx);
  registerFaucetRoutes(app, ctx);
  app.get("/metrics", async (_request, reply) => {
    return reply.header("content-type", ctx.metrics.contentType).send(await ctx.metrics.metrics());
  });
  return app;
}
