/**
 * Runs a network description as containers with testcontainers: one container per node, from the allora/* images
 * (`pnpm docker:build`), on one user-defined network where nodes find each other by name. Nodes start in
 * dependency order, each gated on its Docker healthcheck (never a sleep); the network is ready when the head sees
 * every worker subscribed to its topics. Every port a node listens on is mapped to a free host port, so a running
 * `pnpm dev` or `pnpm docker:up` does not collide. A node that never gets healthy is named with its last log lines.
 *
 * Runs with TESTCONTAINERS_RYUK_DISABLED=true (no reaper image can be pulled here), so {@link ContainerNetwork.stop}
 * must be called: it removes every container and the network.
 */
import type { Readable } from "node:stream";
import {
  GenericContainer,
  type ImagePullPolicy,
  Network,
  type StartedNetwork,
  type StartedTestContainer,
  Wait,
} from "testcontainers";
import { containerEnvironment, healthProbeCommand, imageOf } from "./container-state.js";
import { type NetworkDescription, type NodeDescription, portOf } from "./description.js";
import { NodeStartError } from "./process-runner.js";
import { probeJson, startTiers, waitForWorkersOnHead } from "./readiness.js";

/** Options of {@link startContainerNetwork}. */
export interface ContainerRunnerOptions {
  /** The image tag to run (the repo version, or `latest`). */
  version: string;
  /** Milliseconds a node gets to become healthy (default 90 000). */
  healthTimeoutMs?: number;
  /** Milliseconds the network gets to become ready once every node is healthy (default 60 000). */
  readyTimeoutMs?: number;
  /** Milliseconds between health probes (default 1000; the images' own default is 5000). */
  healthIntervalMs?: number;
  /** Progress messages ("chain healthy in 2100 ms"). */
  onProgress?: (message: string) => void;
}

/** Options of {@link ContainerNetwork.startNode}. */
export interface ContainerNodeOptions {
  /** The description the node comes from, when not the running network's (for extra nodes of a test). */
  from?: NetworkDescription;
  /** Content of the worker's `/app/main.py`, replacing the sample one. */
  mainPy?: string;
}

/** A running container network. */
export interface ContainerNetwork {
  readonly description: NetworkDescription;
  /** The Docker network's name. */
  readonly networkName: string;
  /** `http://<host>:<mapped port>` of a node's port role, reachable from this machine. */
  url(node: string, port: string): string;
  /** The running container of a node (throws when it is not running). */
  container(node: string): StartedTestContainer;
  /** The libp2p peer id of a head or worker, from its HTTP face. */
  peerId(node: string): Promise<string>;
  /** Starts one more node (a node of the description, or of `options.from`) and waits for its health. */
  startNode(node: NodeDescription, options?: ContainerNodeOptions): Promise<void>;
  /** Stops a node's container (SIGTERM, then SIGKILL after `timeoutMs`, default 5000) and removes it. */
  stopNode(node: string, timeoutMs?: number): Promise<void>;
  /** Waits until every node is healthy and the head sees every worker subscribed to its topics. */
  waitReady(timeoutMs?: number): Promise<void>;
  /** The last lines a node printed. */
  logTail(node: string, lines?: number): string;
  /** Removes every container and the network. */
  stop(): Promise<void>;
}

/** Local images only: nothing is ever pulled (no registry is reachable, and the images are built here). */
const NEVER_PULL: ImagePullPolicy = { shouldPull: () => false };

/** The container of a node. */
class NodeContainer extends GenericContainer {
  /** Docker's init process as PID 1 (compose's `init: true`), so SIGTERM reaches the node and stops it at once. */
  withInit(): this {
    this.hostConfig.Init = true;
    return this;
  }

  /**
   * Attaches the container to `network` only, reachable there as `alias`. (testcontainers' withNetworkAliases
   * starts the container on the default bridge and connects it to the network afterwards, leaving it on both.)
   */
  onlyOn(network: StartedNetwork, alias: string): this {
    this.withNetworkMode(network.getName());
    this.createOpts.NetworkingConfig = { EndpointsConfig: { [network.getName()]: { Aliases: [alias] } } };
    return this;
  }
}

/** Starts every node of `network` as a container and waits until the network is ready. */
export async function startContainerNetwork(
  network: NetworkDescription,
  options: ContainerRunnerOptions,
): Promise<ContainerNetwork> {
  const healthTimeout = options.healthTimeoutMs ?? 90_000;
  const progress = options.onProgress ?? (() => {});
  const started = new Map<string, { container: StartedTestContainer; node: NodeDescription }>();
  const logs = new Map<string, string[]>();
  const dockerNetwork: StartedNetwork = await new Network().start();

  const keepLines = (name: string) => (stream: Readable) => {
    const lines = logs.get(name) ?? [];
    logs.set(name, lines);
    let partial = "";
    stream.on("data", (chunk: Buffer | string) => {
      const text = partial + chunk.toString();
      const parts = text.split("\n");
      partial = parts.pop() ?? "";
      lines.push(...parts);
      if (lines.length > 400) lines.splice(0, lines.length - 400);
    });
  };
  const logTail = (name: string, count = 30) => (logs.get(name) ?? []).slice(-count).join("\n");

  const startNode = async (node: NodeDescription, nodeOptions: ContainerNodeOptions = {}): Promise<void> => {
    const from = nodeOptions.from ?? network;
    const begun = Date.now();
    let container = new NodeContainer(imageOf(node.kind, options.version))
      .withInit()
      .withPullPolicy(NEVER_PULL)
      .onlyOn(dockerNetwork, node.name)
      .withName(`${dockerNetwork.getName()}-${node.name}`)
      .withLabels({ "allora.devnet.node": node.name })
      .withEnvironment(containerEnvironment(from, node))
      .withExposedPorts(...Object.values(node.ports))
      .withHealthCheck({
        test: healthProbeCommand(node),
        interval: options.healthIntervalMs ?? 1000,
        timeout: 3000,
        retries: 3,
        startPeriod: healthTimeout,
      })
      .withWaitStrategy(Wait.forHealthCheck())
      .withStartupTimeout(healthTimeout)
      .withLogConsumer(keepLines(node.name));
    if (nodeOptions.mainPy !== undefined) {
      container = container.withCopyContentToContainer([
        { content: nodeOptions.mainPy, target: "/app/main.py", mode: 0o644 },
      ]);
    }
    try {
      started.set(node.name, { container: await container.start(), node });
    } catch (err) {
      throw new NodeStartError(
        node.name,
        `did not become healthy within ${healthTimeout} ms (${(err as Error).message})`,
        logTail(node.name, 25),
      );
    }
    progress(`${node.name} healthy in ${Date.now() - begun} ms`);
  };

  const entry = (name: string) => {
    const found = started.get(name);
    if (!found) throw new Error(`node ${name} is not running in this container network`);
    return found;
  };
  const url = (name: string, role: string) => {
    const { container, node } = entry(name);
    return `http://${container.getHost()}:${container.getMappedPort(portOf(node, role))}`;
  };
  const peerId = async (name: string): Promise<string> => {
    const { node } = entry(name);
    const body =
      node.kind === "worker"
        ? ((await probeJson(`${url(name, "http")}/health`, 2000)) as { peer_id?: string } | undefined)
        : ((await probeJson(`${url(name, "rest")}/api/v1/status`, 2000)) as { peer_id?: string } | undefined);
    if (!body?.peer_id) throw new Error(`${name} did not tell its peer id (is it a head or a worker, and up?)`);
    return body.peer_id;
  };

  const view: ContainerNetwork = {
    description: network,
    networkName: dockerNetwork.getName(),
    url,
    container: (name) => entry(name).container,
    peerId,
    startNode,
    async stopNode(name, timeoutMs = 5000) {
      const { container } = entry(name);
      started.delete(name);
      await container.stop({ timeout: timeoutMs });
    },
    async waitReady(timeoutMs = options.readyTimeoutMs ?? 60_000) {
      const head = [...started.values()].find((s) => s.node.kind === "head");
      if (!head) return;
      const workers = [...started.values()].filter((s) => s.node.kind === "worker");
      await waitForWorkersOnHead({
        headRestUrl: url(head.node.name, "rest"),
        workers: await Promise.all(
          workers.map(async (w) => ({
            name: w.node.name,
            peer: await peerId(w.node.name),
            topics: w.node.topics ?? [],
          })),
        ),
        timeoutMs,
        pollMs: 200,
        progress,
        tails: (missing) => missing.map((m) => `--- ${m} ---\n${logTail(m, 10)}`).join("\n"),
      });
    },
    logTail,
    async stop() {
      // Dependents first, like compose: workers leave the head before it goes.
      const running = [...started.values()].map((s) => s.node);
      for (const level of startTiers(running).reverse()) {
        await Promise.all(
          level.map(async (n) => {
            const s = started.get(n.name);
            started.delete(n.name);
            await s?.container.stop({ timeout: 5000 }).catch(() => {});
          }),
        );
      }
      await dockerNetwork.stop().catch(() => {});
    },
  };

  try {
    for (const level of startTiers(network.nodes)) {
      progress(`starting ${level.map((n) => n.name).join(", ")}`);
      const results = await Promise.allSettled(level.map((node) => startNode(node)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) throw failed.reason;
    }
    await view.waitReady();
  } catch (err) {
    await view.stop();
    throw err;
  }
  return view;
}
