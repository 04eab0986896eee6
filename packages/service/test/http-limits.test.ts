/**
 * The shared HTTP bounds on a real fastify server over TCP: a body sent a byte at a time is cut at the request
 * timeout (408), a request whose headers never end is cut at the headers timeout, connections past the per-client
 * limit are refused with a coded 503 while health still answers another client, and past the total limit every new
 * connection is refused until one closes.
 */
import { connect, type Socket } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { type HttpLimits, limitHttpServer } from "../src/http-limits.js";

const open: Socket[] = [];
let app: FastifyInstance | undefined;

afterEach(async () => {
  for (const s of open.splice(0)) s.destroy();
  await app?.close();
  app = undefined;
});

async function serve(limits: Partial<HttpLimits>): Promise<number> {
  app = Fastify({ logger: false });
  app.get("/health", async () => ({ ok: true }));
  app.post("/echo", async (request) => ({ got: request.body }));
  limitHttpServer(app.server, {
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 10_000,
    keepAliveTimeoutMs: 5000,
    maxConnections: 100,
    maxConnectionsPerClient: 100,
    ...limits,
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  return (app.server.address() as { port: number }).port;
}

/** A raw connection from `from` (any 127.x address is loopback on Linux); resolves once connected. */
function dial(
  port: number,
  from = "127.0.0.1",
): Promise<{ socket: Socket; received: () => string; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let data = "";
    const socket = connect({ port, host: "127.0.0.1", localAddress: from });
    open.push(socket);
    socket.setEncoding("utf8");
    socket.on("data", (d) => {
      data += d;
    });
    const closed = new Promise<number>((r) => socket.on("close", () => r(Date.now() - started)));
    socket.on("error", () => undefined);
    socket.once("connect", () => resolve({ socket, received: () => data, closed }));
    socket.once("error", reject);
  });
}

describe("HTTP limits", () => {
  it("cuts a body sent one byte at a time at the request timeout, and headers that never end at theirs", async () => {
    const port = await serve({ requestTimeoutMs: 1000, headersTimeoutMs: 600 });
    const slowBody = await dial(port);
    slowBody.socket.write(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
    );
    const drip = setInterval(() => slowBody.socket.writable && slowBody.socket.write(" "), 200);
    const slowHeaders = await dial(port);
    slowHeaders.socket.write("GET /health HTTP/1.1\r\nHost: x\r\n");
    const drip2 = setInterval(() => slowHeaders.socket.writable && slowHeaders.socket.write("X-Pad: 1\r\n"), 100);
    try {
      const [bodyMs, headersMs] = await Promise.all([slowBody.closed, slowHeaders.closed]);
      expect(slowBody.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
      expect(bodyMs).toBeGreaterThanOrEqual(1000);
      expect(bodyMs).toBeLessThan(5000); // cut at its timeout (checked every 150 ms), not left to drip forever
      expect(slowHeaders.received()).toMatch(/^HTTP\/1\.1 408/);
      expect(headersMs).toBeLessThan(5000);
    } finally {
      clearInterval(drip);
      clearInterval(drip2);
    }
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
  });

  it("refuses connections past the per-client limit with a code, while health answers another client", async () => {
    const port = await serve({ maxConnectionsPerClient: 5 });
    const held = await Promise.all(Array.from({ length: 5 }, () => dial(port)));
    const extra = await dial(port);
    await extra.closed;
    expect(extra.received()).toMatch(/^HTTP\/1\.1 503 Service Unavailable/);
    const body = JSON.parse(extra.received().split("\r\n\r\n")[1] as string);
    expect(body).toMatchObject({ code: "HTTP_TOO_MANY_CONNECTIONS" });
    expect(body.message).toContain("127.0.0.1 holds 5 connections to this server, the limit per client");
    // Another client address still gets through, on the same server, at the same moment.
    const other = await dial(port, "127.0.0.2");
    other.socket.write("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    await other.closed;
    expect(other.received()).toMatch(/^HTTP\/1\.1 200 OK/);
    // Closing one frees its place.
    held[0]?.socket.destroy();
    await held[0]?.closed;
    const again = await dial(port);
    again.socket.write("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    await again.closed;
    expect(again.received()).toMatch(/^HTTP\/1\.1 200 OK/);
  });

  it("refuses every new connection past the total limit until one closes", async () => {
    const port = await serve({ maxConnections: 3 });
    const held = [await dial(port), await dial(port, "127.0.0.2"), await dial(port, "127.0.0.3")];
    const extra = await dial(port, "127.0.0.4");
    await extra.closed;
    expect(extra.received()).toContain("this server has 3 connections open, its limit");
    held[1]?.socket.destroy();
    await held[1]?.closed;
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
  });
});
