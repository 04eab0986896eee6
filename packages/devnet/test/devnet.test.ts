import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { formatBanner, guideCurl } from "../src/banner.js";
import {
  DEFAULT_PORTS,
  describeNetwork,
  findPortOwner,
  findTakenPorts,
  PORT_BLOCK_SIZE,
  portPlanFrom,
  prepareNetwork,
} from "../src/index.js";
import { createLineFormatter } from "../src/log-format.js";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
async function tempDir() {
  const d = await mkdtemp(join(tmpdir(), "devnet-"));
  dirs.push(d);
  return d;
}

describe("network description", () => {
  it("describes the dev network with the documented ports and dependencies", () => {
    const net = describeNetwork();
    expect(net.nodes.map((n) => n.name)).toEqual([
      "chain",
      "head",
      "inference-1",
      "worker-1",
      "inference-2",
      "worker-2",
      "inference-3",
      "worker-3",
      "dashboard",
    ]);
    expect(net.node("head").ports).toEqual({ rest: DEFAULT_PORTS.headRest, p2p: 9010 });
    expect(net.node("dashboard").ports).toEqual({ http: 3000 });
    expect(net.node("dashboard").dependsOn).toEqual(["chain", "head"]);
    expect(net.node("worker-2").ports).toEqual({ p2p: 9012, http: 2113 });
    expect(net.node("worker-1").dependsOn).toEqual(["head", "inference-1"]);
    expect(() => net.node("nope")).toThrow(/no node "nope"/);
  });

  it("binds the dashboard to loopback when nodes are reached on loopback, and can leave it out", () => {
    const net = describeNetwork({ workers: 2 });
    const loopback = net
      .node("dashboard")
      .args((node, port) => ({ host: "127.0.0.1", port: net.node(node).ports[port] as number }), { dataDir: "/d" });
    expect(loopback).toEqual([
      "--name=dashboard",
      "--log-level=info",
      "--host=127.0.0.1",
      "--port=3000",
      "--head-url=http://127.0.0.1:6000",
      "--chain-rest=http://127.0.0.1:1317",
      "--workers=worker-1=http://127.0.0.1:2112,worker-2=http://127.0.0.1:2113",
      "--inference-servers=worker-1=http://127.0.0.1:8000,worker-2=http://127.0.0.1:8001",
    ]);
    const byName = net
      .node("dashboard")
      .args((node, port) => ({ host: node, port: net.node(node).ports[port] as number }), { dataDir: "/d" });
    expect(byName).toContain("--host=0.0.0.0");
    expect(byName).toContain("--head-url=http://head:6000");
    expect(describeNetwork({ dashboard: false }).nodes.map((n) => n.kind)).not.toContain("dashboard");
    expect(portPlanFrom(20_000).dashboard).toBe(20_004);
  });

  it("renders references to other nodes through the runner's resolver, with no secret in any flag", () => {
    const net = describeNetwork();
    const args = net
      .node("worker-1")
      .args((node, port) => ({ host: node, port: net.node(node).ports[port] as number }), {
        dataDir: "/data",
        mnemonicFile: "/run/secrets/mnemonic",
        mainPy: "/app/main.py",
      });
    expect(args).toContain("--boot-nodes=/dns4/head/tcp/9010");
    expect(args).toContain("--function-env=INFERENCE_API_ADDRESS=http://inference-1:8000");
    expect(args).toContain("--chain-mnemonic-file=/run/secrets/mnemonic");
    const loopback = net
      .node("worker-1")
      .args(() => ({ host: "127.0.0.1", port: 9010 }), { dataDir: "/d", mainPy: "/m" });
    expect(loopback).toContain("--boot-nodes=/ip4/127.0.0.1/tcp/9010");
    expect(args.join(" ")).not.toMatch(/abandon|mnemonic=/);
  });

  it("gives every node of the largest network (30 workers, each with its model server) its own ports in the block", () => {
    const base = 20_000;
    const net = describeNetwork({ workers: 30, ports: portPlanFrom(base) });
    const ports = net.nodes.flatMap((n) => Object.values(n.ports));
    expect(new Set(ports).size).toBe(ports.length);
    expect(Math.max(...ports)).toBeLessThan(base + PORT_BLOCK_SIZE);
  });

  it("can leave the chain out and shift every port", () => {
    const net = describeNetwork({ chain: false, workers: 2, ports: portPlanFrom(30000) });
    expect(net.nodes.some((n) => n.kind === "chain")).toBe(false);
    expect(net.node("head").ports.rest).toBe(30000);
    expect(net.workers()).toHaveLength(2);
    expect(net.node("inference-1").args(() => ({ host: "x", port: 1 }), { dataDir: "/d" })).toContain(
      `--price-seed=${net.marketSeed}`,
    );
  });
});

describe("network state", () => {
  it("creates keys, mnemonic files (0600) and a genesis once, and reuses them", async () => {
    const root = join(await tempDir(), "state");
    const net = describeNetwork();
    const first = await prepareNetwork(net, { root, mainPy: "/main.py" });
    expect(first.created).toBe(true);
    const head = first.nodes.get("head");
    expect(head?.peerId).toMatch(/^12D3KooW/);
    expect(head?.address).toMatch(/^allo1/);
    expect((await stat(head?.paths.mnemonicFile as string)).mode & 0o777).toBe(0o600);
    const genesis = JSON.parse(await readFile(join(root, "chain", "genesis.json"), "utf8"));
    expect(genesis.accounts[0].address).toBe(first.nodes.get("chain")?.address);
    expect(genesis.topics).toHaveLength(2);

    const second = await prepareNetwork(net, { root, mainPy: "/main.py" });
    expect(second.created).toBe(false);
    expect(second.nodes.get("worker-1")?.peerId).toBe(first.nodes.get("worker-1")?.peerId);
    expect(second.nodes.get("worker-1")?.address).toBe(first.nodes.get("worker-1")?.address);

    const fresh = await prepareNetwork(net, { root, mainPy: "/main.py", fresh: true });
    expect(fresh.created).toBe(true);
    expect(fresh.nodes.get("worker-1")?.peerId).not.toBe(first.nodes.get("worker-1")?.peerId);
  });
});

describe("ports", () => {
  it("finds which port is taken and by which process", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "0.0.0.0", resolve));
    const port = (server.address() as { port: number }).port;
    try {
      expect(await findPortOwner(port)).toMatch(new RegExp(`^pid ${process.pid}: `));
      const net = describeNetwork({ chain: false, workers: 1, ports: { ...portPlanFrom(40000), headRest: port } });
      const taken = await findTakenPorts(net);
      expect(taken).toEqual([
        { node: "head", role: "rest", port, owner: expect.stringContaining(`pid ${process.pid}`) },
      ]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe("output", () => {
  it("turns JSON log lines into readable lines with the node's name", () => {
    const format = createLineFormatter(["head", "worker-1"], false);
    const line = format(
      "worker-1",
      JSON.stringify({
        level: "warn",
        time: "2026-01-01T12:00:01.000Z",
        node: "worker-1",
        module: "chain",
        msg: "registration failed",
        code: "FAUCET_FAILED",
      }),
    );
    expect(line).toBe("12:00:01 WARN  [worker-1] chain: registration failed code=FAUCET_FAILED");
    expect(format("head", "not json")).toBe("[head    ] not json");
  });

  it("prints the guide's request for the head's URL", () => {
    const curl = guideCurl("http://localhost:6000");
    expect(curl).toContain("http://localhost:6000/api/v1/functions/execute");
    expect(curl).toContain('"function_id":"bafybeigpiwl3o73zvvl6dxdqu7zqcub5mhg65jiky2xqb4rdhfmikswzqm"');
  });

  it("names the dashboard first in the banner, unless the network has none", async () => {
    const root = await tempDir();
    const models = new Map([["worker-1", "trend"]]);
    const prepared = { root, logDir: join(root, "logs"), nodes: new Map(), created: false };
    const banner = formatBanner(describeNetwork({ workers: 1 }), prepared, models);
    expect(banner).toMatch(/\n {2}Dashboard {4}http:\/\/localhost:3000 /);
    expect(banner.indexOf("Dashboard")).toBeLessThan(banner.indexOf("Head REST"));
    expect(formatBanner(describeNetwork({ workers: 1, dashboard: false }), prepared, models)).not.toContain(
      "Dashboard",
    );
  });
});
