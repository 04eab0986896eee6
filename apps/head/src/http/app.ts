/**
 * The head's REST API, registered from the route table of `@allora/protocol`, so paths and schemas exist once.
 * Validation is strict: unknown fields and wrong types are 400s naming the field; every error body is
 * `{code, message}`.
 */
import {
  AlloraError,
  type ExecuteRequest,
  type ExecuteResponse,
  HeadRoutes,
  type InstallRequest,
  type Logger,
  type ResultRequest,
  type StatusResponse,
} from "@allora/protocol";
import { installErrorHandling, type Registry, STRICT_AJV } from "@allora/service";
import Fastify, { type FastifyInstance } from "fastify";

/** What the API calls into. */
export interface HeadApiDeps {
  /** Runs an execute; `client` is the caller's address (for the per-client limit of hand-sent requests). */
  execute(request: ExecuteRequest, client: string): Promise<ExecuteResponse>;
  install(request: InstallRequest): Promise<{ code: "200" | "408" | "500"; message?: string }>;
  result(id: string): ExecuteResponse | undefined;
  status(): StatusResponse;
  metrics: Registry;
  logger: Logger;
  maxBodyBytes: number;
}

const STATUS_OF: Record<string, number> = {
  REQUEST_NOT_FOUND: 404,
  INSTALL_URI_NOT_ALLOWED: 403,
  HEAD_BUSY: 429,
  CLIENT_BUSY: 429,
  INTERNAL: 500,
};

/** Builds the app (not listening). */
export function buildHeadApi(deps: HeadApiDeps): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: deps.maxBodyBytes, ajv: STRICT_AJV, return503OnClosing: true });
  installErrorHandling(app, deps.logger, (code) => STATUS_OF[code] ?? 400);
  // The API speaks JSON only: a text/plain body is a client mistake worth a 415, not a confusing schema error.
  app.removeContentTypeParser("text/plain");

  app.get(HeadRoutes.health.url, { schema: { response: { 200: HeadRoutes.health.response } } }, async () => ({
    type: "health",
    code: 200,
  }));
  app.post<{ Body: ExecuteRequest }>(
    HeadRoutes.execute.url,
    { schema: { body: HeadRoutes.execute.body } },
    async (request) => deps.execute(request.body, request.ip),
  );
  app.post<{ Body: InstallRequest }>(
    HeadRoutes.install.url,
    { schema: { body: HeadRoutes.install.body } },
    async (request) => deps.install(request.body),
  );
  app.post<{ Body: ResultRequest }>(
    HeadRoutes.result.url,
    { schema: { body: HeadRoutes.result.body } },
    async (request) => {
      const found = deps.result(request.body.id);
      if (!found) {
        throw new AlloraError(
          "REQUEST_NOT_FOUND",
          `no result for request ${request.body.id}: unknown, or older than the cache keeps`,
        );
      }
      return found;
    },
  );
  app.get(HeadRoutes.status.url, async () => deps.status());
  app.get("/metrics", async (_req, reply) => reply.type(deps.metrics.contentType).send(await deps.metrics.metrics()));
  return app;
}
