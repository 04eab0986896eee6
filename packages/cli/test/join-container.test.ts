/**
 * How `allocmd run --join` reaches the host's network: host networking uses the addresses as given; the bridge
 * rewrites loopback to host.docker.internal (mapped to the bridge gateway); the worker's ports move when taken.
 */
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { makeDefaultConfig } from "../src/config/render-config.js";
import {
  containerBootNode,
  containerUrl,
  defaultJoinMode,
  joinRunArgs,
  pickPort,
} from "../src/docker/join-container.js";

const config = makeDefaultConfig({ name: "eth-worker", topics: [{ id: 1, arg: "ETH" }], version: "0.1.0" });
const plan = {
  bootNode: "/ip4/127.0.0.1/tcp/9010",
  chainRpc: "http://127.0.0.1:26657",
  chainRest: "http://localhost:1317",
  faucetUrl: "http://localhost:1317/faucet",
  inferenceUrl: "http://127.0.0.1:8000",
  p2pPort: 9111,
  httpPort: 2212,
  image: "allocmd/eth-worker:0.1.0",
  user: { uid: 1000, gid: 1000 },
};

function envOf(args: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  args.forEach((a, i) => {
    if (a === "--env") {
      const [k, ...v] = (args[i + 1] as string).split("=");
      env[k as string] = v.join("=");
    }
  });
  return env;
}

describe("join addresses", () => {
  it("keeps addresses in host mode and rewrites loopback to host.docker.internal on the bridge", () => {
    expect(containerBootNode("/ip4/127.0.0.1/tcp/9010", "host")).toBe("/ip4/127.0.0.1/tcp/9010");
    expect(containerBootNode("/ip4/127.0.0.1/tcp/9010/p2p/12D3KooWAbc", "bridge")).toBe(
      "/dns4/host.docker.internal/tcp/9010/p2p/12D3KooWAbc",
    );
    expect(containerBootNode("/dns4/localhost/tcp/9010", "bridge")).toBe("/dns4/host.docker.internal/tcp/9010");
    expect(containerBootNode("/ip4/192.168.1.20/tcp/9010", "bridge")).toBe("/ip4/192.168.1.20/tcp/9010");
    expect(containerUrl("http://localhost:1317", "bridge")).toBe("http://host.docker.internal:1317");
    expect(containerUrl("http://127.0.0.1:26657", "host")).toBe("http://127.0.0.1:26657");
    expect(containerUrl("https://rest.example.org", "bridge")).toBe("https://rest.example.org");
    expect(defaultJoinMode("linux")).toBe("host");
    expect(defaultJoinMode("darwin")).toBe("bridge");
  });
});

describe("the join container", () => {
  it("runs non-root with host networking, keys read-only and the mnemonic as a read-only file", () => {
    const args = joinRunArgs(config, "/home/me/eth-worker", { ...plan, mode: "host" });
    expect(args.slice(0, 4)).toEqual(["run", "--detach", "--name", "allocmd-eth-worker-join"]);
    expect(args).toContain("--init");
    expect(args[args.indexOf("--user") + 1]).toBe("1000:1000");
    expect(args[args.indexOf("--network") + 1]).toBe("host");
    expect(args).not.toContain("--publish");
    expect(args).toContain("/home/me/eth-worker/keys:/keys:ro");
    expect(args).toContain("/home/me/eth-worker/secrets/chain.mnemonic:/run/secrets/chain_mnemonic:ro");
    expect(args).toContain("/home/me/eth-worker/state/join:/data");
    expect(args[args.length - 1]).toBe("allocmd/eth-worker:0.1.0");
    expect(envOf(args)).toMatchObject({
      BOOT_NODES: "/ip4/127.0.0.1/tcp/9010",
      TOPICS: "1",
      P2P_PORT: "9111",
      HTTP_PORT: "2212",
      KEY_DIR: "/keys",
      CHAIN_RPC: "http://127.0.0.1:26657",
      CHAIN_MNEMONIC_FILE: "/run/secrets/chain_mnemonic",
      FAUCET_URL: "http://localhost:1317/faucet",
      FUNCTION_ENV: "INFERENCE_API_ADDRESS=http://127.0.0.1:8000",
    });
  });

  it("on the bridge maps host.docker.internal to the gateway and rewrites every loopback address", () => {
    const args = joinRunArgs(config, "/p", { ...plan, mode: "bridge" });
    expect(args[args.indexOf("--network") + 1]).toBe("bridge");
    expect(args[args.indexOf("--add-host") + 1]).toBe("host.docker.internal:host-gateway");
    expect(args[args.indexOf("--publish") + 1]).toBe("127.0.0.1:2212:2212");
    const env = envOf(args);
    expect(env.BOOT_NODES).toBe("/dns4/host.docker.internal/tcp/9010");
    expect(env.CHAIN_REST).toBe("http://host.docker.internal:1317");
    expect(env.FUNCTION_ENV).toBe("INFERENCE_API_ADDRESS=http://host.docker.internal:8000");
  });

  it("leaves the chain out when the network has none", () => {
    const env = envOf(
      joinRunArgs(config, "/p", {
        ...plan,
        mode: "host",
        chainRpc: undefined,
        chainRest: undefined,
        faucetUrl: undefined,
      } as never),
    );
    expect(env.CHAIN_RPC).toBeUndefined();
    expect(env.CHAIN_MNEMONIC_FILE).toBeUndefined();
  });

  it("keeps the configured port when free and picks another when it is taken", async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "0.0.0.0", r));
    const taken = (server.address() as { port: number }).port;
    try {
      const other = await pickPort(taken);
      expect(other).not.toBe(taken);
      expect(await pickPort(other)).toBe(other);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
