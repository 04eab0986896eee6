import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { makeDefaultConfig } from "../src/config/render-config.js";
import { devHostPorts, takenHostPorts } from "../src/project/dev-ports.js";

const config = makeDefaultConfig({ name: "eth-worker", topics: [{ id: 1, arg: "ETH" }], version: "0.1.0" });
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe("the dev network's host ports", () => {
  it("lists every published port of config.yaml's dev section, with the labels asked for", () => {
    const ports = devHostPorts(config, { inference: "model", worker: "worker http" });
    expect(ports.map((p) => p.role)).toEqual([
      "head REST",
      "head p2p",
      "chain RPC",
      "chain REST",
      "dashboard",
      "model",
      "worker http",
    ]);
    expect(ports[0]?.port).toBe(config.dev.head_rest_port);
    expect(ports.at(-1)?.port).toBe(config.worker.http_port);
  });

  it("names a taken port and the process holding it", async () => {
    const server = createServer();
    servers.push(server);
    await new Promise<void>((r) => server.listen({ port: 0, host: "0.0.0.0" }, r));
    const port = (server.address() as { port: number }).port;
    const taken = await takenHostPorts([{ role: "head REST", port }]);
    expect(taken).toHaveLength(1);
    expect(taken[0]).toMatchObject({ role: "head REST", port });
    expect(taken[0]?.owner).toMatch(new RegExp(`^pid ${process.pid}: `));
  });
});
