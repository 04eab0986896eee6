/**
 * The dashboard's HTTP app: the page, its live event stream, a JSON snapshot, health, and the request form's proxy
 * to the head. Every error body is `{code, message}`; the proxy takes a small JSON body only, at a bounded rate per
 * client; every answer forbids framing and sniffing, and scripts, styles and connections come from this origin only.
 * Requests whose Host is not an allowed name are refused, so a web page cannot reach this server by DNS rebinding.
 */
import { AlloraError, type Logger } from "@allora/protocol";
import { installErrorHandling, STRICT_AJV } from "@allora/service";
import Fastify, { type FastifyInstance } from "fastify";
import type { NetworkCollector } from "../collector/network-collector.js";
import { RequestForm } from "../views.js";
import { createEventStreams } from "./event-stream.js";
import type { PageFile } from "./page-files.js";
import { createRateLimiter } from "./rate-limit.js";
import type { RequestProxy } from "./request-proxy.js";

/** The dashboard's routes. */
export const DashboardRoutes = {
  health: "/health",
  network: "/api/v1/network",
  events: "/api/v1/events",
  request: "/api/v1/request",
} as const;

/** What the app needs. */
export interface DashboardAppDeps {
  collector: NetworkCollector;
  proxy: RequestProxy;
  page: ReadonlyMap<string, PageFile>;
  logger: Logger;
  version: string;
  /** Host names (without port) the server answers to; `*` answers any. */
  allowedHosts: readonly string[];
  /** Requests per minute per client for the request form. */
  requestRate: number;
  maxStreams: number;
  /** Proxied requests in flight at once, over all clients (default 4). */
  maxInFlight?: number;
}

/** The form's body is a few fields: 4 KiB is plenty, and everything larger is refused before it is parsed. */
export const REQUEST_BODY_LIMIT = 4096;

const STATUS_OF: Record<string, number> = {
  HOST_NOT_ALLOWED: 403,
  ORIGIN_NOT_ALLOWED: 403,
  RATE_LIMITED: 429,
  TOO_MANY_STREAMS: 503,
  PROXY_BUSY: 503,
  HEAD_UNREACHABLE: 502,
  HEAD_FAILED: 502,
  HEAD_TIMEOUT: 504,
  INTERNAL: 500,
};

const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
} as const;

/** The host name of a Host header value: `localhost:3000` → `localhost`, `[::1]:3000` → `[::1]`. */
function hostnameOf(host: string | undefined): string {
  if (!host) return "";
  const v6 = /^(\[[^\]]*\])(?::\d+)?$/.exec(host);
  if (v6) return (v6[1] as string).toLowerCase();
  return (host.split(":")[0] ?? "").toLowerCase();
}

/** Builds the app (not listening). */
export function buildDashboardApp(deps: DashboardAppDeps): FastifyInstance {
  const app = Fastify({
    logger: false,
    ajv: STRICT_AJV,
    bodyLimit: REQUEST_BODY_LIMIT,
    return503OnClosing: true,
    // Idle sockets close after 60 s (the event stream writes every 15 s); the request timeouts and connection
    // limits are the shared ones (limitHttpServer, set by the node from --http-* options).
    connectionTimeout: 60_000,
    maxRequestsPerSocket: 1000,
  });
  installErrorHandling(app, deps.logger, (code) => STATUS_OF[code] ?? 400);
  app.removeContentTypeParser("text/plain");
  const allowAny = deps.allowedHosts.includes("*");
  const allowed = new Set(deps.allowedHosts.map((h) => h.toLowerCase()));
  const limiter = createRateLimiter({ perMinute: deps.requestRate, burst: Math.min(5, deps.requestRate) });
  const maxInFlight = deps.maxInFlight ?? 4;
  let inFlight = 0;
  const streams = createEventStreams(deps.collector, deps.maxStreams);
  app.addHook("onClose", async () => streams.closeAll());

  app.addHook("onRequest", async (request, reply) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
    const host = request.headers.host;
    if (!allowAny && !allowed.has(hostnameOf(host))) {
      throw new AlloraError(
        "HOST_NOT_ALLOWED",
        `this dashboard does not answer to host "${host ?? ""}"; start it with --allowed-hosts=${hostnameOf(host) || "<name>"} to allow it`,
      );
    }
    // A browser names the page that sent a POST: only this dashboard's own page may use the form.
    const origin = request.headers.origin;
    if (
      request.method === "POST" &&
      origin !== undefined &&
      origin !== `http://${host}` &&
      origin !== `https://${host}`
    ) {
      throw new AlloraError(
        "ORIGIN_NOT_ALLOWED",
        `requests from ${origin} are not accepted; use the dashboard's own page`,
      );
    }
  });

  app.get(DashboardRoutes.health, async () => ({
    status: "ok",
    version: deps.version,
    chain: deps.collector.snapshot().network.chain.reachable ? "reachable" : "unreachable",
    head: deps.collector.snapshot().network.head.reachable ? "reachable" : "unreachable",
    streams: streams.count,
  }));

  app.get(DashboardRoutes.network, async (_request, reply) => {
    reply.header("cache-control", "no-store");
    return deps.collector.snapshot();
  });

  app.get(DashboardRoutes.events, async (_request, reply) => {
    if (streams.count >= deps.maxStreams) {
      throw new AlloraError("TOO_MANY_STREAMS", `${deps.maxStreams} pages are open already; close one and reload`);
    }
    reply.hijack();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.raw.setHeader(name, value);
    streams.open(reply.raw);
  });

  app.post<{ Body: RequestForm }>(
    DashboardRoutes.request,
    { schema: { body: RequestForm } },
    async (request, reply) => {
      const decision = limiter.take(request.ip);
      if (!decision.allowed) {
        reply.header("retry-after", String(decision.retryAfterSeconds));
        throw new AlloraError(
          "RATE_LIMITED",
          `too many requests from ${request.ip}: at most ${deps.requestRate} a minute; retry in ${decision.retryAfterSeconds} s`,
        );
      }
      if (inFlight >= maxInFlight) {
        throw new AlloraError(
          "PROXY_BUSY",
          `${maxInFlight} requests are already on their way to the head; retry shortly`,
        );
      }
      inFlight++;
      try {
        const result = await deps.proxy(request.body);
        deps.logger.info(
          { topic: request.body.topic, code: result.response.code, elapsedMs: result.elapsed_ms },
          `request for topic ${request.body.topic} answered ${result.response.code}`,
        );
        return result;
      } finally {
        inFlight--;
      }
    },
  );

  for (const [path, file] of deps.page) {
    app.get(path, async (request, reply) => {
      const gzip = /\bgzip\b/.test(String(request.headers["accept-encoding"] ?? ""));
      reply
        .type(file.type)
        .header("vary", "accept-encoding")
        .header("cache-control", file.immutable ? "public, max-age=31536000, immutable" : "no-cache");
      if (gzip) reply.header("content-encoding", "gzip");
      return reply.send(gzip ? file.gzip : file.body);
    });
  }
  return app;
}
