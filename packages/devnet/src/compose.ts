/**
 * The compose file of the whole network, generated from the network description and checked in as
 * `docker/docker-compose.yaml` (a test fails when the two drift). Regenerate with `pnpm docker:compose`, which runs
 * this module: `node packages/devnet/dist/compose.js [file]` writes the file (stdout without an argument).
 *
 * Each node is a service of its image, named like the node (service names are the hostnames, so a worker's boot
 * node is `/dns4/head/tcp/9010`; no fixed IP, no peer id), its flags as env vars, started only once its
 * dependencies are healthy, with `init: true` so it stops at once on SIGTERM. Nodes with state keep it in a named
 * volume; their secrets and the genesis are created in that volume on first start (see container-state.ts), so the
 * file holds no secret. A compose v1 (`docker-compose`) and v2 (`docker compose`) file alike: `version: "3.8"`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Document, isScalar, isSeq, visit } from "yaml";
import { containerEnvironment, healthProbeCommand, imageOf, STATE_DIR } from "./container-state.js";
import { describeNetwork, type NetworkDescription, type NodeDescription } from "./description.js";

/** A node port published on the host, with the env var that can move it (`HEAD_REST_HOST_PORT=6001`). */
export interface PublishedPort {
  node: string;
  port: string;
}

/** The ports the compose file publishes: the head's REST API (the guide's curl), the chain's RPC and REST, the dashboard. */
export const PUBLISHED_PORTS: readonly PublishedPort[] = [
  { node: "head", port: "rest" },
  { node: "dashboard", port: "http" },
  { node: "chain", port: "rpc" },
  { node: "chain", port: "rest" },
];

/** Options of {@link composeDocument}. */
export interface ComposeOptions {
  /** The image tag: the repo version. */
  version: string;
  /** Seconds between health probes (default 3): also how fast a dependent service can start. */
  healthIntervalSeconds?: number;
}

/** The env var that overrides where a published port is bound on the host. */
export function hostPortVariable(published: PublishedPort): string {
  return `${published.node}_${published.port}_HOST_PORT`.replaceAll("-", "_").toUpperCase();
}

/** The named volume holding a node's state, or undefined for a stateless node. */
export function volumeOf(node: NodeDescription): string | undefined {
  return node.kind === "inference-server" || node.kind === "dashboard" ? undefined : `${node.name}-data`;
}

function service(network: NetworkDescription, node: NodeDescription, options: ComposeOptions) {
  const volume = volumeOf(node);
  const ports = PUBLISHED_PORTS.filter((p) => p.node === node.name).map((p) => {
    const port = node.ports[p.port];
    // Loopback only: the dev network has a faucet and no authentication.
    return `127.0.0.1:\${${hostPortVariable(p)}:-${port}}:${port}`;
  });
  return {
    image: imageOf(node.kind, options.version),
    init: true,
    restart: "unless-stopped",
    stop_grace_period: "5s",
    ...(node.dependsOn.length > 0
      ? { depends_on: Object.fromEntries(node.dependsOn.map((d) => [d, { condition: "service_healthy" }])) }
      : {}),
    environment: containerEnvironment(network, node),
    ...(volume ? { volumes: [`${volume}:${STATE_DIR}`] } : {}),
    ...(ports.length > 0 ? { ports } : {}),
    healthcheck: {
      test: healthProbeCommand(node),
      interval: `${options.healthIntervalSeconds ?? 3}s`,
      timeout: "3s",
      retries: 3,
      start_period: "30s",
    },
  };
}

/** The compose file of a network as plain data. */
export function composeDocument(network: NetworkDescription, options: ComposeOptions): Record<string, unknown> {
  const volumes = network.nodes.map(volumeOf).filter((v): v is string => v !== undefined);
  return {
    version: "3.8",
    services: Object.fromEntries(network.nodes.map((node) => [node.name, service(network, node, options)])),
    volumes: Object.fromEntries(volumes.map((v) => [v, {}])),
  };
}

const HEADER = [
  " GENERATED from describeNetwork() by packages/devnet/src/compose.ts: do not edit, regenerate with",
  "   pnpm docker:compose",
  " The whole network: chain, head, three workers, three inference servers and the dashboard. Start it with",
  " `pnpm docker:up` (images from `pnpm docker:build`; the dashboard is then at http://localhost:3000), stop it",
  " with `pnpm docker:down`; see docs/DOCKER.md.",
  " No secret is in this file: each node creates its own keys (and the chain its genesis) in its volume on first",
  " start (INIT_DEV_STATE) and reuses them after. Published on 127.0.0.1 only; move a port with e.g.",
  " HEAD_REST_HOST_PORT=6001.",
].join("\n");

/** The compose file of a network, as YAML text. */
export function renderCompose(network: NetworkDescription, options: ComposeOptions): string {
  const doc = new Document(composeDocument(network, options));
  doc.commentBefore = HEADER;
  // Healthcheck commands on one line each, as people write them.
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === "test" && isSeq(pair.value)) pair.value.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0 });
}

/** The repo's version (root package.json), which tags the images. */
export function repoVersion(): string {
  const root = fileURLToPath(new URL("../../../package.json", import.meta.url));
  return String((JSON.parse(readFileSync(root, "utf8")) as { version: string }).version);
}

/** The checked-in compose file's path. */
export const COMPOSE_FILE: string = fileURLToPath(new URL("../../../docker/docker-compose.yaml", import.meta.url));

/** The checked-in compose file's expected content: the default network at the repo version. */
export function expectedComposeFile(): string {
  return renderCompose(describeNetwork(), { version: repoVersion() });
}

// Run as a script (`node packages/devnet/dist/compose.js [file]`): print or write the compose file.
if (process.argv[1] && import.meta.url === pathToFileURL(resolvePath(process.argv[1])).href) {
  const text = expectedComposeFile();
  const target = process.argv[2];
  if (target) {
    writeFileSync(target, text);
    process.stderr.write(`wrote ${target}\n`);
  } else process.stdout.write(text);
}
