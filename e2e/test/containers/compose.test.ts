/**
 * The checked-in docker/docker-compose.yaml, brought up and torn down through testcontainers'
 * DockerComposeEnvironment: the whole network becomes healthy, answers the guide's curl with "200", keeps each
 * node's keys in its own volume, and goes away in seconds leaving no container.
 */
import { execFile } from "node:child_process";
import { dirname } from "node:path";
import { promisify } from "node:util";
import { COMPOSE_FILE, describeNetwork, hostPortVariable, PUBLISHED_PORTS } from "@allora/devnet";
import { httpCall } from "@allora/protocol";
import {
  DockerComposeEnvironment,
  type ImagePullPolicy,
  type StartedDockerComposeEnvironment,
  type StartedTestContainer,
  Wait,
} from "testcontainers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, waitFor } from "../../src/wait.js";
import { EXECUTE, GUIDE_BODY, post } from "../support/guide.js";
import { BUILD_TIMEOUT_MS, buildImages, docker } from "./support.js";

/** Fixed, so a run that crashed can be cleaned up by the next one; distinct from `pnpm docker:up`'s "allora". */
const PROJECT = "allora-e2e-compose";
const NEVER_PULL: ImagePullPolicy = { shouldPull: () => false };
const network = describeNetwork();
const hostPorts = new Map<string, number>();
let compose: StartedDockerComposeEnvironment | undefined;

/** The compose command here: the v2 plugin when installed, else v1's docker-compose (this machine's). */
async function composeExecutable(): Promise<{ standalone: true; executablePath: string } | undefined> {
  try {
    await promisify(execFile)("docker", ["compose", "version"]);
    return undefined;
  } catch {
    return { standalone: true, executablePath: "docker-compose" };
  }
}

/** A service's container: compose v1 names it `<project>_<service>_1`, v2 `<project>-<service>-1`. */
function service(name: string): StartedTestContainer {
  const env = compose as StartedDockerComposeEnvironment;
  try {
    return env.getContainer(`${PROJECT}_${name}_1`);
  } catch {
    return env.getContainer(`${name}-1`);
  }
}

async function projectContainers(): Promise<string[]> {
  const out = await docker("ps", "-aq", "--filter", `label=com.docker.compose.project=${PROJECT}`);
  return out.split("\n").filter(Boolean);
}

async function removeProject(): Promise<void> {
  const ids = await projectContainers();
  if (ids.length > 0) await docker("rm", "-f", ...ids);
  const volumes = (await docker("volume", "ls", "-q", "--filter", `label=com.docker.compose.project=${PROJECT}`))
    .split("\n")
    .filter(Boolean);
  if (volumes.length > 0) await docker("volume", "rm", "-f", ...volumes);
  await docker("network", "rm", `${PROJECT}_default`).catch(() => {});
}

beforeAll(async () => {
  await buildImages();
  await removeProject(); // leftovers of an interrupted run
  // Free host ports, so a `pnpm dev` or `pnpm docker:up` on 6000/26657/1317 does not collide.
  const environment: Record<string, string> = {};
  for (const published of PUBLISHED_PORTS) {
    const port = await freePort();
    hostPorts.set(`${published.node}/${published.port}`, port);
    environment[hostPortVariable(published)] = String(port);
  }
  const executable = await composeExecutable();
  compose = await new DockerComposeEnvironment(dirname(COMPOSE_FILE), "docker-compose.yaml")
    .withProjectName(PROJECT)
    .withClientOptions(executable ? { executable } : {})
    .withPullPolicy(NEVER_PULL)
    .withEnvironment(environment)
    .withDefaultWaitStrategy(Wait.forHealthCheck())
    .withStartupTimeout(120_000)
    .up();
}, BUILD_TIMEOUT_MS + 180_000);

afterAll(async () => {
  if (compose) await compose.down({ timeout: 5000, removeVolumes: true }).catch(() => {});
  await removeProject();
}, 60_000);

describe("docker/docker-compose.yaml through DockerComposeEnvironment", () => {
  it("runs every node of the description as a healthy service", async () => {
    for (const node of network.nodes) {
      const id = service(node.name).getId();
      const state = JSON.parse(await docker("inspect", "-f", "{{json .State}}", id));
      expect(state.Health.Status, node.name).toBe("healthy");
    }
  });

  it("answers the guide's curl against the published head port with \"200\" and three workers' results", async () => {
    const head = `http://127.0.0.1:${hostPorts.get("head/rest")}`;
    await waitFor(
      "the head to see the three workers on allora-topic-1-worker",
      async () => {
        const res = await httpCall(`${head}/api/v1/status`, { timeoutMs: 2000 });
        const status = JSON.parse(res.text) as { workers: Array<{ subscribed: string[] }> };
        return status.workers.filter((w) => w.subscribed.includes("allora-topic-1-worker")).length === 3;
      },
      60_000,
      250,
    );
    const { status, body } = await post(head, EXECUTE, GUIDE_BODY);
    expect(status).toBe(200);
    expect(body.code).toBe("200");
    expect(body.results.flatMap((r: { peers: string[] }) => r.peers)).toHaveLength(3);
    for (const r of body.results) {
      expect(JSON.parse(r.result.stdout)).toEqual({ infererValue: expect.stringMatching(/^\d+(\.\d+)?$/) });
    }
  });

  it("publishes the chain's REST port, answering its health route", async () => {
    const res = await httpCall(`http://127.0.0.1:${hostPorts.get("chain/rest")}/allora/localnet/v1/health`);
    expect(res.status).toBe(200);
  });

  it("serves the dashboard from its container on the published port, seeing the three workers and the head", async () => {
    const dashboard = `http://127.0.0.1:${hostPorts.get("dashboard/http")}`;
    const page = await httpCall(`${dashboard}/`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("<title>Allora local network</title>");
    const view = await waitFor(
      "the dashboard to see three connected, registered workers with their models",
      async () => {
        const res = await httpCall(`${dashboard}/api/v1/network`, { timeoutMs: 2000 });
        const snapshot = JSON.parse(res.text) as {
          network: {
            head: { reachable: boolean; peer_id?: string };
            chain: { reachable: boolean };
            workers: Array<{ name: string; model?: string; connected: boolean; registered: string[] }>;
          };
        };
        const ready = snapshot.network.workers.filter((w) => w.connected && w.registered.includes("1") && w.model);
        return ready.length === 3 ? snapshot.network : undefined;
      },
      90_000,
      500,
    );
    expect(view.head.reachable).toBe(true);
    expect(view.chain.reachable).toBe(true);
    expect(view.workers.map((w) => [w.name, w.model])).toEqual([
      ["worker-1", "trend"],
      ["worker-2", "naive"],
      ["worker-3", "noisy"],
    ]);
  });

  it("keeps each node's key in its own volume, owner-only and owned by the node user", async () => {
    const worker = await service("worker-1").exec(["stat", "-c", "%U %a %n", "/data/chain.mnemonic", "/data/keys"]);
    expect(worker.stdout.trim().split("\n")).toEqual(["node 600 /data/chain.mnemonic", "node 700 /data/keys"]);
    // No node sees another's secret: the head's volume holds only the head's.
    const head = await service("head").exec(["ls", "/data"]);
    expect(head.stdout.split("\n")).toContain("chain.mnemonic");
    expect((await service("head").exec(["ls", "/data/faucet.mnemonic"])).exitCode).not.toBe(0);
  });

  it("goes down in under 10 seconds, leaving no container", async () => {
    const env = compose as StartedDockerComposeEnvironment;
    compose = undefined;
    const begun = performance.now();
    await env.down({ timeout: 5000, removeVolumes: true });
    expect(performance.now() - begun).toBeLessThan(10_000);
    expect(await projectContainers()).toEqual([]);
  });
});
