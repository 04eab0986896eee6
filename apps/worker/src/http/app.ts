/**
 * The worker's small HTTP face: `/health` for probes, `/status` for people and tools, `/metrics` for Prometheus.
 */
import type { Logger } from "@allora/protocol";
import { installErrorHandling, type Registry } from "@allora/service";
import Fastify, { type FastifyInstance } from "fastify";
import type { WorkerStatus } from "../status.js";

/** What the HTTP face reads from the worker. */
export interface WorkerHttpOptions {
  status: () => WorkerStatus;
  metrics: Registry;
  logger: Logger;
}

/** Builds the app (not listening). */
export function buildWorkerHttpApp(options: WorkerHttpOptions): FastifyInstance {
  const app = Fastify({ logger: false });
  installErrorHandling(app, options.logger);
  app.get("/health", async () => {
    const s = options.status();
    return { status: "ok", peer_id: s.peer_id, heads: s.heads.length };
  });
  app.get("/status", async () => options.status());
  app.get("/metrics", async (_req, reply) =>
    reply.type(options.metrics.contentType).send(await options.metrics.metrics()),
  );
  return app;
}
