import { createServer, type IncomingMessage, type Server } from "node:http";
import { connect } from "node:net";
import { GUIDE_FUNCTION_CID, GUIDE_FUNCTION_METHOD, silentLogger } from "@allora/protocol";
import { limitHttpServer } from "@allora/service";
import type { FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import type { NetworkCollector } from "../../src/collector/network-collector.js";
import { buildDashboardApp, DashboardRoutes, REQUEST_BODY_LIMIT } from "../../src/http/app.js";
import type { PageFile } from "../../src/http/page-files.js";
import { createRequestProxy } from "../../src/http/request-proxy.js";
import type { SnapshotEvent } from "../../src/views.js";

const snapshot: SnapshotEvent = {
  network: {
    server_time: new Date().toISOString(),
    version: "0.1.0",
    chain: { reachable: true, url: "http://chain" },
    head: { reachable: true, url: "http://head" },
    workers: [],
    topics: [],
  },
  rounds: [],
  history: 10,
};

const collector: NetworkCollector = {
  start() {},
  async stop() {},
  snapshot: () => snapshot,
  subscribe: () => () => {},
  nextPoll: async () => {},
  refresh: async () => {},
};

const page = new Map<string, PageFile>([
  ["/", { body: Buffer.from("<html></html>"), gzip: Buffer.from(""), type: "text/html", immutable: false }],
]);

/** A stand-in head that records what reaches it and answers with `answer`. */
async function fakeHead(answer: (body: unknown) => { status: number; body: unknown }) {
  const received: Array<{ url: string; headers: IncomingMessage["headers"]; body: unknown }> = [];
  const server: Server = createServer((req, res) => {
    let text = "";
    req.on("data", (c: Buffer) => {
      text += c.toString();
    });
    req.on("end", () => {
      const body = JSON.parse(text) as unknown;
      received.push({ url: req.url ?? "", headers: req.headers, body });
      const out = answer(body);
      res.writeHead(out.status, { "content-type": "application/json" }).end(JSON.stringify(out.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const okResponse = {
  code: "200",
  request_id: "r-1",
  results: [
    { result: { stdout: '{"infererValue": "1.5"}\n', stderr: "", exit_code: 0 }, peers: ["p1"], frequency: 100 },
  ],
  cluster: { peers: ["p1"] },
};

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function appWith(headUrl: string, options: { requestRate?: number } = {}): Promise<FastifyInstance> {
  const app = buildDashboardApp({
    collector,
    proxy: createRequestProxy(headUrl),
    page,
    logger: silentLogger,
    version: "0.1.0",
    allowedHosts: ["localhost", "127.0.0.1"],
    requestRate: options.requestRate ?? 1000,
    maxStreams: 2,
  });
  cleanups.push(() => app.close());
  return app;
}

const post = (app: FastifyInstance, payload: string | object, headers: Record<string, string> = {}) =>
  app.inject({
    method: "POST",
    url: DashboardRoutes.request,
    headers: { host: "localhost:3000", "content-type": "application/json", ...headers },
    payload: typeof payload === "string" ? payload : JSON.stringify(payload),
  });

describe("the request proxy", () => {
  it("sends the guide's request, checked against the head's schema, and nothing of the browser's request", async () => {
    const head = await fakeHead(() => ({ status: 200, body: okResponse }));
    cleanups.push(head.close);
    const app = await appWith(head.url);
    const res = await post(
      app,
      { topic: "1", arg: "ETH", number_of_nodes: 3, timeout: 1.5 },
      { cookie: "session=secret", authorization: "Bearer x" },
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ response: okResponse, code_meaning: expect.stringContaining("answered") });
    expect(head.received).toHaveLength(1);
    const [sent] = head.received;
    expect(sent?.url).toBe("/api/v1/functions/execute");
    expect(sent?.headers.cookie).toBeUndefined();
    expect(sent?.headers.authorization).toBeUndefined();
    expect(sent?.body).toEqual({
      function_id: GUIDE_FUNCTION_CID,
      method: GUIDE_FUNCTION_METHOD,
      parameters: null,
      topic: "1",
      config: {
        env_vars: [
          { name: "BLS_REQUEST_PATH", value: "/api" },
          { name: "ALLORA_ARG_PARAMS", value: "ETH" },
        ],
        number_of_nodes: 3,
        timeout: 1.5,
      },
    });
  });

  it("passes the head's refusal on as a 4xx with the head's code, and an unreachable head as a 502", async () => {
    const head = await fakeHead(() => ({ status: 400, body: { code: "TOPIC_INVALID", message: "no such topic" } }));
    cleanups.push(head.close);
    const refused = await post(await appWith(head.url), { topic: "7", arg: "ETH" });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ code: "TOPIC_INVALID", message: expect.stringContaining("no such topic") });

    const down = await post(await appWith("http://127.0.0.1:1"), { topic: "1", arg: "ETH" });
    expect(down.statusCode).toBe(502);
    expect(down.json()).toMatchObject({ code: "HEAD_UNREACHABLE" });
  });
});

describe("hostile input to the dashboard's own endpoints", () => {
  const cases: Array<[string, number, string, string | object, Record<string, string>]> = [
    ["malformed JSON", 400, "REQUEST_MALFORMED_JSON", '{"topic": "1", "arg": ', {}],
    ["an empty body", 400, "REQUEST_MALFORMED_JSON", "", {}],
    ["a body that is not an object", 400, "REQUEST_INVALID", "[1,2,3]", {}],
    ["a number for the topic", 400, "REQUEST_INVALID", { topic: 1, arg: "ETH" }, {}],
    ["a reputer topic", 400, "REQUEST_INVALID", { topic: "1/reputer", arg: "ETH" }, {}],
    ["a missing arg", 400, "REQUEST_INVALID", { topic: "1" }, {}],
    ["shell characters in the arg", 400, "REQUEST_INVALID", { topic: "1", arg: "ETH; rm -rf /" }, {}],
    ["an arg longer than 64", 400, "REQUEST_INVALID", { topic: "1", arg: "A".repeat(65) }, {}],
    ["a string for number_of_nodes", 400, "REQUEST_INVALID", { topic: "1", arg: "ETH", number_of_nodes: "3" }, {}],
    [
      "number_of_nodes beyond the head's bound",
      400,
      "REQUEST_INVALID",
      { topic: "1", arg: "ETH", number_of_nodes: 5000 },
      {},
    ],
    ["a fractional number_of_nodes", 400, "REQUEST_INVALID", { topic: "1", arg: "ETH", number_of_nodes: 1.5 }, {}],
    ["a timeout of an hour", 400, "REQUEST_INVALID", { topic: "1", arg: "ETH", timeout: 3600 }, {}],
    ["a smuggled function id", 400, "REQUEST_INVALID", { topic: "1", arg: "ETH", function_id: "bafy-evil" }, {}],
    ["a smuggled env var", 400, "REQUEST_INVALID", { topic: "1", arg: "ETH", config: { env_vars: [] } }, {}],
    ["a text/plain body", 415, "REQUEST_UNSUPPORTED_MEDIA_TYPE", "topic=1", { "content-type": "text/plain" }],
    [
      "a form post",
      415,
      "REQUEST_UNSUPPORTED_MEDIA_TYPE",
      "topic=1&arg=ETH",
      { "content-type": "application/x-www-form-urlencoded" },
    ],
    [
      "a body over the limit",
      413,
      "REQUEST_TOO_LARGE",
      { topic: "1", arg: "ETH", pad: "x".repeat(REQUEST_BODY_LIMIT) },
      {},
    ],
    ["another site's page", 403, "ORIGIN_NOT_ALLOWED", { topic: "1", arg: "ETH" }, { origin: "http://evil.example" }],
    ["a rebound host name", 403, "HOST_NOT_ALLOWED", { topic: "1", arg: "ETH" }, { host: "evil.example:3000" }],
  ];

  it.each(cases)("%s: %i %s, and nothing reaches the head", async (_what, status, code, payload, headers) => {
    const head = await fakeHead(() => ({ status: 200, body: okResponse }));
    cleanups.push(head.close);
    const app = await appWith(head.url);
    const res = await post(app, payload, headers);
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual({ code, message: expect.any(String) });
    expect(head.received).toHaveLength(0);
  });

  it("refuses a GET of a route that is not there, and a Host that is not allowed even for the page", async () => {
    const app = await appWith("http://127.0.0.1:1");
    const missing = await app.inject({ url: "/etc/passwd", headers: { host: "localhost" } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: "ROUTE_NOT_FOUND" });
    const rebound = await app.inject({ url: "/", headers: { host: "attacker.example" } });
    expect(rebound.statusCode).toBe(403);
    expect(rebound.json()).toMatchObject({ code: "HOST_NOT_ALLOWED" });
    const page = await app.inject({ url: "/", headers: { host: "127.0.0.1:3000" } });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-security-policy"]).toContain("script-src 'self'");
    expect(page.headers["x-frame-options"]).toBe("DENY");
  });

  it("bounds the rate per client: past the burst it answers 429 with Retry-After, then the head is spared", async () => {
    const head = await fakeHead(() => ({ status: 200, body: okResponse }));
    cleanups.push(head.close);
    const app = await appWith(head.url, { requestRate: 6 });
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof post>> | undefined;
    for (let i = 0; i < 8; i++) {
      last = await post(app, { topic: "1", arg: "ETH" });
      statuses.push(last.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    expect(last?.json()).toMatchObject({ code: "RATE_LIMITED" });
    expect(Number(last?.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(head.received).toHaveLength(5);
  });

  it("stays healthy over a real socket after garbage, a lying Content-Length and an oversized body", async () => {
    const head = await fakeHead(() => ({ status: 200, body: okResponse }));
    cleanups.push(head.close);
    const app = await appWith(head.url);
    limitHttpServer(app.server, {
      headersTimeoutMs: 5000,
      requestTimeoutMs: 10_000,
      keepAliveTimeoutMs: 5000,
      maxConnections: 16,
      maxConnectionsPerClient: 16,
    });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const port = (app.server.address() as { port: number }).port;
    const raw = (text: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(port, "127.0.0.1", () => socket.end(text));
        let out = "";
        socket.on("data", (c) => {
          out += c.toString();
        });
        socket.on("close", () => resolve(out));
        socket.on("error", () => resolve(out));
      });
    expect(await raw("\u0000\u0001 not http at all\r\n\r\n")).toMatch(/^HTTP\/1\.1 400/);
    const big = JSON.stringify({ topic: "1", arg: "ETH", pad: "x".repeat(1_000_000) });
    const oversized = await raw(
      `POST /api/v1/request HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${big.length}\r\nConnection: close\r\n\r\n${big}`,
    );
    expect(oversized).toMatch(/^HTTP\/1\.1 413/);
    expect(oversized).toContain("REQUEST_TOO_LARGE");
    const lying = await raw(
      "POST /api/v1/request HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: abc\r\nConnection: close\r\n\r\n{}",
    );
    expect(lying).toMatch(/^HTTP\/1\.1 400/);
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok" });
    const valid = await fetch(`http://127.0.0.1:${port}${DashboardRoutes.request}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ topic: "1", arg: "ETH" }),
    });
    expect(valid.status).toBe(200);
    expect(app.server.headersTimeout).toBe(5000);
    expect(app.server.requestTimeout).toBe(10_000);
  });

  it("limits the live streams: past max-streams a page is told to close one", async () => {
    const app = await appWith("http://127.0.0.1:1");
    await app.listen({ host: "127.0.0.1", port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const streams = [new AbortController(), new AbortController()];
    cleanups.push(async () => {
      for (const s of streams) s.abort();
    });
    for (const s of streams) {
      const res = await fetch(`${base}${DashboardRoutes.events}`, { signal: s.signal });
      expect(res.headers.get("content-type")).toContain("text/event-stream");
      const reader = res.body?.getReader();
      const first = new TextDecoder().decode((await reader?.read())?.value);
      expect(first).toContain("retry:");
    }
    const third = await fetch(`${base}${DashboardRoutes.events}`);
    expect(third.status).toBe(503);
    expect(await third.json()).toMatchObject({ code: "TOO_MANY_STREAMS" });
  });
});
