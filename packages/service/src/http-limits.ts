/**
 * Bounds every node's HTTP server shares: how long a client may take to send a request's headers and the whole
 * request, how long an idle keep-alive connection stays, and how many connections are open at once, in all and per
 * client address. A connection past a limit gets one `503` with code `HTTP_TOO_MANY_CONNECTIONS` and is closed, so
 * one client holding many (slow) connections cannot take the server's file descriptors from the others: health and
 * every other client still get through.
 */
import type { Server } from "node:http";
import type { Socket } from "node:net";
import { defineConfig } from "./config.js";

/** Defaults of {@link httpLimitOptions}, in seconds and counts. */
export interface HttpLimitDefaults {
  headersTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  maxConnections: number;
  maxConnectionsPerClient: number;
}

const DEFAULTS: HttpLimitDefaults = {
  headersTimeout: 10,
  requestTimeout: 30,
  keepAliveTimeout: 5,
  maxConnections: 1024,
  maxConnectionsPerClient: 256,
};

/**
 * The options every HTTP server takes, as flags (and env vars), to spread into an app's config spec; an app may
 * pick other defaults (the dashboard's are tighter).
 */
export function httpLimitOptions(overrides: Partial<HttpLimitDefaults> = {}) {
  const d = { ...DEFAULTS, ...overrides };
  return defineConfig({
    "http-headers-timeout": {
      type: "number",
      default: d.headersTimeout,
      min: 0.1,
      max: 600,
      description: "seconds a client may take to send a request's headers",
    },
    "http-request-timeout": {
      type: "number",
      default: d.requestTimeout,
      min: 0.1,
      max: 3600,
      description: "seconds a client may take to send a whole request, headers and body (answering is not counted)",
    },
    "http-keep-alive-timeout": {
      type: "number",
      default: d.keepAliveTimeout,
      min: 0.1,
      max: 600,
      description: "seconds an idle keep-alive connection stays open",
    },
    "http-max-connections": {
      type: "integer",
      default: d.maxConnections,
      min: 1,
      max: 1_000_000,
      description: "HTTP connections open at once; more are refused (503 HTTP_TOO_MANY_CONNECTIONS)",
    },
    "http-max-connections-per-client": {
      type: "integer",
      default: d.maxConnectionsPerClient,
      min: 1,
      max: 1_000_000,
      description: "HTTP connections one client address may hold open; more are refused",
    },
  });
}

/** The limits in the units the server uses. */
export interface HttpLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
  maxConnectionsPerClient: number;
}

/** The limits from a config that spread {@link httpLimitOptions}. */
export function httpLimitsOf(config: {
  httpHeadersTimeout: number;
  httpRequestTimeout: number;
  httpKeepAliveTimeout: number;
  httpMaxConnections: number;
  httpMaxConnectionsPerClient: number;
}): HttpLimits {
  return {
    headersTimeoutMs: Math.round(config.httpHeadersTimeout * 1000),
    requestTimeoutMs: Math.round(config.httpRequestTimeout * 1000),
    keepAliveTimeoutMs: Math.round(config.httpKeepAliveTimeout * 1000),
    maxConnections: config.httpMaxConnections,
    maxConnectionsPerClient: config.httpMaxConnectionsPerClient,
  };
}

/** The default limits as config values, for configs built by hand (tests, libraries). */
export const DEFAULT_HTTP_LIMIT_CONFIG = {
  httpHeadersTimeout: DEFAULTS.headersTimeout,
  httpRequestTimeout: DEFAULTS.requestTimeout,
  httpKeepAliveTimeout: DEFAULTS.keepAliveTimeout,
  httpMaxConnections: DEFAULTS.maxConnections,
  httpMaxConnectionsPerClient: DEFAULTS.maxConnectionsPerClient,
} as const;

function refuse(socket: Socket, message: string): void {
  const body = JSON.stringify({ code: "HTTP_TOO_MANY_CONNECTIONS", message });
  socket.on("error", () => undefined);
  socket.end(
    `HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\nretry-after: 1\r\n\r\n${body}`,
  );
  // A client that does not read its refusal does not keep the socket either.
  setTimeout(() => socket.destroy(), 1000).unref();
}

/**
 * Applies the limits to a server before it listens (Node checks the request timeouts every quarter of the shortest
 * one, so a slow request is cut close to its deadline).
 */
export function limitHttpServer(server: Server, limits: HttpLimits): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs);
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  // Read when the server starts listening: how often Node looks for requests past their timeouts.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(
    100,
    Math.min(30_000, Math.round(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)),
  );
  // A backstop past which the kernel-side accept closes at once (refusals still hold a descriptor for a moment).
  server.maxConnections = limits.maxConnections + 64;
  const perClient = new Map<string, number>();
  let open = 0;
  server.on("connection", (socket: Socket) => {
    const client = socket.remoteAddress ?? "unknown";
    const held = perClient.get(client) ?? 0;
    if (open >= limits.maxConnections) {
      return refuse(socket, `this server has ${open} connections open, its limit; retry in a second`);
    }
    if (held >= limits.maxConnectionsPerClient) {
      return refuse(
        socket,
        `${client} holds ${held} connections to this server, the limit per client; close some or reuse them (keep-alive)`,
      );
    }
    open++;
    perClient.set(client, held + 1);
    socket.once("close", () => {
      open--;
      const left = (perClient.get(client) ?? 1) - 1;
      if (left <= 0) perClient.delete(client);
      else perClient.set(client, left);
    });
  });
}
