import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deriveChainAccount } from "@allora/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  argsToEnv,
  containerEnvironment,
  containerPaths,
  healthProbeCommand,
  imageOf,
  initDevState,
} from "../src/container-state.js";
import { describeNetwork, type NodeDescription } from "../src/description.js";

const network = describeNetwork();

describe("a node's container environment", () => {
  it("turns --flag=value into the FLAG env var the apps read", () => {
    expect(argsToEnv(["--rest-port=6000", "--function-env=A=b=c", "--boot-nodes=/dns4/head/tcp/9010"])).toEqual({
      REST_PORT: "6000",
      FUNCTION_ENV: "A=b=c",
      BOOT_NODES: "/dns4/head/tcp/9010",
    });
  });

  it("refuses flags an env var cannot express", () => {
    expect(() => argsToEnv(["--verbose"])).toThrow(expect.objectContaining({ code: "CONTAINER_ARG_INVALID" }));
    expect(() => argsToEnv(["--topics=1", "--topics=2"])).toThrow(
      expect.objectContaining({ code: "CONTAINER_ARG_REPEATED" }),
    );
  });

  it("resolves other nodes by service name and keeps state in /data", () => {
    const env = containerEnvironment(network, network.node("worker-2"));
    expect(env).toMatchObject({
      BOOT_NODES: "/dns4/head/tcp/9010",
      FUNCTION_ENV: "INFERENCE_API_ADDRESS=http://inference-2:8001",
      CHAIN_RPC: "http://chain:26657",
      DATA_DIR: "/data",
      CHAIN_MNEMONIC_FILE: "/data/chain.mnemonic",
      INIT_DEV_STATE: "true",
    });
    expect(containerEnvironment(network, network.node("inference-1")).INIT_DEV_STATE).toBeUndefined();
    expect(containerPaths(network.node("chain"))).toEqual({
      dataDir: "/data/chain",
      genesisFile: "/data/genesis.json",
      mnemonicFile: "/data/faucet.mnemonic",
    });
    expect(imageOf("inference-server", "0.1.0")).toBe("allora/inference-server:0.1.0");
  });
});

describe("the health probe command", () => {
  let server: Server;
  let answer = 200;
  let node: NodeDescription;

  beforeEach(async () => {
    server = createServer((req, res) => {
      res.writeHead(req.url === "/api/v1/health" ? answer : 404);
      res.end("{}");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    node = { ...network.node("head"), ports: { rest: port, p2p: 1 } };
  });
  const close = () => new Promise<void>((r) => (server.listening ? server.close(() => r()) : r()));
  afterEach(close);

  const run = (command: string[]) =>
    new Promise<number>((resolve) => {
      execFile(process.execPath, command.slice(2), { timeout: 10_000 }, (err) =>
        resolve(err ? ((err as { code?: number }).code ?? 1) : 0),
      );
    });

  it("succeeds when the node answers 200 on its health path", async () => {
    const command = healthProbeCommand(node);
    expect(command.slice(0, 3)).toEqual(["CMD", "node", "-e"]);
    expect(await run(command)).toBe(0);
  });

  it("fails when the node answers another status, or nothing", async () => {
    answer = 503;
    expect(await run(healthProbeCommand(node))).toBe(1);
    await close();
    expect(await run(healthProbeCommand(node))).toBe(1);
  });
});

describe("first-start dev state (INIT_DEV_STATE)", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "init-state-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("creates a node's chain mnemonic, owner-only, and reuses it on the next start", async () => {
    const file = join(dir, "chain.mnemonic");
    const first = await initDevState({ chainMnemonicFile: file }, network);
    expect(first.created).toEqual([file]);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const mnemonic = (await readFile(file, "utf8")).trim();
    expect(mnemonic.split(" ")).toHaveLength(24);
    expect(first.addresses[file]).toBe((await deriveChainAccount(mnemonic)).address);

    const second = await initDevState({ chainMnemonicFile: file }, network);
    expect(second.created).toEqual([]);
    expect(second.reused).toEqual([file]);
    expect((await readFile(file, "utf8")).trim()).toBe(mnemonic);
  });

  it("creates the chain's faucet key and a genesis funding it with the network's topics", async () => {
    const files = { faucetMnemonicFile: join(dir, "faucet.mnemonic"), genesisFile: join(dir, "genesis.json") };
    const report = await initDevState(files, network, new Date("2026-01-01T00:00:00Z"));
    expect(report.created.sort()).toEqual([files.faucetMnemonicFile, files.genesisFile].sort());
    const genesis = JSON.parse(await readFile(files.genesisFile, "utf8"));
    expect(genesis.genesis_time).toBe("2026-01-01T00:00:00.000Z");
    expect(genesis.accounts[0].address).toBe(report.addresses[files.faucetMnemonicFile]);
    expect(genesis.topics.map((t: { default_arg: string }) => t.default_arg)).toEqual(["ETH", "BTC"]);
    const again = await initDevState(files, network);
    expect(again.created).toEqual([]);
  });

  it("refuses a genesis whose faucet key is gone, instead of making a faucet without funds", async () => {
    const files = { faucetMnemonicFile: join(dir, "faucet.mnemonic"), genesisFile: join(dir, "genesis.json") };
    await writeFile(files.genesisFile, "{}");
    await expect(initDevState(files, network)).rejects.toMatchObject({ code: "INIT_STATE_INCONSISTENT" });
  });

  it("explains a missing volume folder", async () => {
    await expect(initDevState({ chainMnemonicFile: join(dir, "nope", "m") }, network)).rejects.toMatchObject({
      code: "INIT_STATE_NO_FOLDER",
    });
  });
});
