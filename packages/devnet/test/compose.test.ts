import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { COMPOSE_FILE, composeDocument, expectedComposeFile, renderCompose, repoVersion } from "../src/compose.js";
import { describeNetwork } from "../src/description.js";

interface Service {
  image: string;
  init: boolean;
  restart: string;
  depends_on?: Record<string, { condition: string }>;
  environment: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  healthcheck: { test: string[]; interval: string };
  networks?: unknown;
  container_name?: string;
}

const network = describeNetwork();
const checkedIn = readFileSync(COMPOSE_FILE, "utf8");
const file = parse(checkedIn) as {
  version: string;
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const version = (
  JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

describe("docker/docker-compose.yaml", () => {
  it("is exactly what the generator writes from describeNetwork() (regenerate with `pnpm docker:compose`)", () => {
    expect(checkedIn, "docker/docker-compose.yaml drifted from the generator: run pnpm docker:compose").toBe(
      expectedComposeFile(),
    );
  });

  it("would differ for another network, so drift is caught", () => {
    expect(renderCompose(describeNetwork({ workers: 2 }), { version })).not.toBe(checkedIn);
    expect(renderCompose(network, { version: "9.9.9" })).not.toBe(checkedIn);
  });

  it("tags every image with the repo version", () => {
    expect(repoVersion()).toBe(version);
    for (const node of network.nodes) expect(file.services[node.name]?.image).toBe(`allora/${node.kind}:${version}`);
  });

  it("has the whole network: chain, head, three workers, three inference servers and the dashboard", () => {
    expect(file.version).toBe("3.8");
    expect(Object.keys(file.services).sort()).toEqual(
      [
        "chain",
        "dashboard",
        "head",
        "inference-1",
        "inference-2",
        "inference-3",
        "worker-1",
        "worker-2",
        "worker-3",
      ].sort(),
    );
  });

  it("serves the dashboard on every interface of its container, reading the others by service name", () => {
    const dashboard = file.services.dashboard as Service;
    expect(dashboard.image).toBe(`allora/dashboard:${version}`);
    expect(dashboard.environment).toMatchObject({
      HOST: "0.0.0.0",
      PORT: "3000",
      HEAD_URL: "http://head:6000",
      CHAIN_REST: "http://chain:1317",
      WORKERS: "worker-1=http://worker-1:2112,worker-2=http://worker-2:2113,worker-3=http://worker-3:2114",
      INFERENCE_SERVERS:
        "worker-1=http://inference-1:8000,worker-2=http://inference-2:8001,worker-3=http://inference-3:8002",
    });
    expect(dashboard.volumes).toBeUndefined();
    expect(Object.keys(dashboard.depends_on ?? {}).sort()).toEqual(["chain", "head"]);
  });

  it("gives every service init, a restart policy and its node's health probe, and no fixed IP or name", () => {
    for (const node of network.nodes) {
      const service = file.services[node.name] as Service;
      expect(service.init).toBe(true);
      expect(service.restart).toBe("unless-stopped");
      const [kind, program, flag, script] = service.healthcheck.test;
      expect([kind, program, flag]).toEqual(["CMD", "node", "-e"]);
      expect(script).toContain("require('http').get(");
      expect(script).toContain(`port:${node.ports[node.health.port]},path:'${node.health.path}'`);
      expect(service.networks).toBeUndefined();
      expect(service.container_name).toBeUndefined();
    }
    expect(checkedIn).not.toMatch(/ipv4_address|ipv6_address/);
  });

  it("starts each service only once its dependencies are healthy", () => {
    for (const node of network.nodes) {
      const expected = Object.fromEntries(node.dependsOn.map((d) => [d, { condition: "service_healthy" }]));
      expect(file.services[node.name]?.depends_on ?? {}).toEqual(expected);
    }
  });

  it("points workers at the head by service name, without a peer id, and at their own inference server", () => {
    for (const n of [1, 2, 3]) {
      const env = file.services[`worker-${n}`]?.environment as Record<string, string>;
      expect(env.BOOT_NODES).toBe("/dns4/head/tcp/9010");
      expect(env.FUNCTION_ENV).toBe(`INFERENCE_API_ADDRESS=http://inference-${n}:${7999 + n}`);
      expect(env.MAIN_PY).toBe("/app/main.py");
    }
    expect(checkedIn).not.toContain("/p2p/");
    expect(checkedIn).not.toMatch(/12D3KooW/);
  });

  it("publishes only the head's REST port, the chain's RPC and REST ports and the dashboard, on loopback, each movable", () => {
    const published = Object.entries(file.services).flatMap(([name, s]) => (s.ports ?? []).map((p) => `${name} ${p}`));
    expect(published.sort()).toEqual(
      [
        `chain 127.0.0.1:\${CHAIN_REST_HOST_PORT:-1317}:1317`,
        `chain 127.0.0.1:\${CHAIN_RPC_HOST_PORT:-26657}:26657`,
        `dashboard 127.0.0.1:\${DASHBOARD_HTTP_HOST_PORT:-3000}:3000`,
        `head 127.0.0.1:\${HEAD_REST_HOST_PORT:-6000}:6000`,
      ].sort(),
    );
  });

  it("holds no secret: key files are paths in the node's own volume, created there on first start", () => {
    // A mnemonic is 12 to 24 lowercase words in a row.
    expect(checkedIn).not.toMatch(/\b(?:[a-z]{3,8} ){11,}[a-z]{3,8}\b/);
    for (const node of network.nodes) {
      const service = file.services[node.name] as Service;
      for (const [name, value] of Object.entries(service.environment)) {
        if (/MNEMONIC|SECRET|KEY|PASSWORD|TOKEN/.test(name)) {
          expect(name).toMatch(/_FILE$/);
          expect(value).toMatch(/^\/data\/[a-z.]+$/);
        }
      }
      if (node.chainAccount) {
        expect(service.volumes).toEqual([`${node.name}-data:/data`]);
        expect(service.environment.INIT_DEV_STATE).toBe("true");
      } else {
        expect(service.environment.INIT_DEV_STATE).toBeUndefined();
      }
    }
    expect(Object.keys(file.volumes).sort()).toEqual(
      ["chain-data", "head-data", "worker-1-data", "worker-2-data", "worker-3-data"].sort(),
    );
  });

  it("gives the chain its genesis, faucet key and head URL, and the head and workers their chain", () => {
    const chain = file.services.chain?.environment as Record<string, string>;
    expect(chain).toMatchObject({
      GENESIS: "/data/genesis.json",
      FAUCET_MNEMONIC_FILE: "/data/faucet.mnemonic",
      DATA_DIR: "/data/chain",
      BLOCKLESS_API_URL: "http://head:6000/api/v1/functions/execute",
    });
    for (const name of ["head", "worker-1"]) {
      expect(file.services[name]?.environment).toMatchObject({
        CHAIN_RPC: "http://chain:26657",
        CHAIN_REST: "http://chain:1317",
        CHAIN_MNEMONIC_FILE: "/data/chain.mnemonic",
      });
    }
  });

  it("renders a network without a chain with no chain service and no key files", () => {
    const doc = composeDocument(describeNetwork({ chain: false, workers: 1 }), { version }) as {
      services: Record<string, Service>;
    };
    expect(Object.keys(doc.services).sort()).toEqual(["dashboard", "head", "inference-1", "worker-1"]);
    expect(doc.services.dashboard?.environment.CHAIN_REST).toBeUndefined();
    expect(JSON.stringify(doc)).not.toContain("MNEMONIC");
    expect(doc.services.head?.depends_on).toBeUndefined();
  });
});
