import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHeadClient, HeadRequestError } from "../../src/index.js";

let server: Server;
let base: string;
const seen: Array<{ method?: string; url?: string; body: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, body });
      if (req.url === "/api/v1/health") {
        res.end(JSON.stringify({ type: "health", code: 200 }));
      } else if (req.url === "/api/v1/functions/execute") {
        res.writeHead(400, { "content-type": "application/json" });
        res.end(JSON.stringify({ code: "REQUEST_INVALID", message: "field function_id is required" }));
      } else {
        res.writeHead(502);
        res.end("bad gateway");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("head client", () => {
  it("calls routes from the route table", async () => {
    const head = createHeadClient(base);
    expect(await head.health()).toEqual({ type: "health", code: 200 });
    expect(seen.at(-1)).toMatchObject({ method: "GET", url: "/api/v1/health" });
  });

  it("turns error bodies into HeadRequestError with the code", async () => {
    const head = createHeadClient(base);
    const err = await head.execute({ function_id: "x", method: "m" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HeadRequestError);
    expect((err as HeadRequestError).status).toBe(400);
    expect((err as HeadRequestError).body.code).toBe("REQUEST_INVALID");
    expect(JSON.parse(seen.at(-1)!.body)).toEqual({ function_id: "x", method: "m" });
    const other = await head.status().catch((e: unknown) => e);
    expect((other as HeadRequestError).body).toEqual({ code: "HTTP_502", message: "bad gateway" });
  });
});

describe("head client on a port fetch refuses", () => {
  it("reaches a head on a Fetch-standard blocked port (the head's default 6000 is one)", async () => {
    const { createServer: createNetServer } = await import("node:net");
    const isFree = (port: number) =>
      new Promise<boolean>((resolve) => {
        const s = createNetServer();
        s.once("error", () => resolve(false));
        s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
      });
    const blocked = [6000, 6665, 6666, 6667, 6668, 6669, 6697, 10080];
    let port: number | undefined;
    for (const p of blocked) if (await isFree(p)) port ??= p;
    if (port === undefined) throw new Error(`every blocked port is taken: ${blocked.join(", ")}`);
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
    const server = createServer((_req, res) => res.end(JSON.stringify({ type: "health", code: 200 })));
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    try {
      expect(await createHeadClient(`http://127.0.0.1:${port}`).health()).toEqual({ type: "health", code: 200 });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
