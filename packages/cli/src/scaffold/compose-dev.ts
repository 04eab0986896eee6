/**
 * `dev-docker-compose.yaml`: a whole local network for developing this worker: a chain, a head, a sample inference
 * server and this worker, from the same network description `pnpm dev` runs (so flags and topics match). Nothing
 * secret is in it: the chain and the head create their own dev keys in their volumes on first start
 * (`INIT_DEV_STATE`), the worker gets its key folder read-only and its mnemonic as a secret file. The worker finds
 * the head by service name (`/dns4/head/tcp/9010`); no peer id is pasted in. Ports are published on 127.0.0.1 only.
 */
import { argsToEnv, containerPaths } from "@allora/devnet/container-state";
import {
  DEFAULT_PORTS,
  describeNetwork,
  type NetworkDescription,
  portOf,
  type Resolve,
} from "@allora/devnet/description";
import type { ProjectConfig } from "../config/schema.js";
import { type ComposeModel, renderCompose } from "./compose-file.js";
import { mnemonicSecret, workerService } from "./compose-worker.js";

/** The file name of the dev compose file. */
export const DEV_COMPOSE_FILE = "dev-docker-compose.yaml";
/** The worker's state folder in dev (bind-mounted, owned by the container user). */
export const DEV_STATE_DIR = "state/dev";
/** Service names of the local network allocmd generates (besides the worker and the inference service). */
export const NETWORK_SERVICES = ["chain", "head", "dashboard"] as const;

/** The dashboard's host port in dev (projects made before it have none in config.yaml). */
export function devDashboardPort(config: ProjectConfig): number {
  return config.dev.dashboard_port ?? DEFAULT_PORTS.dashboard;
}

/** Ports of the network's nodes inside their containers: the documented defaults. */
const CONTAINER_PORTS = DEFAULT_PORTS;

/** The sample inference service of the dev network (also used to recognise it unedited in the dev file). */
export function sampleInferenceService(config: ProjectConfig, priceFeedUrl: string): Record<string, unknown> {
  const network = describeNetwork({ workers: 1, chain: true });
  const node = network.node("inference-1");
  const env = argsToEnv(node.args(() => ({ host: "chain", port: CONTAINER_PORTS.chainRest }), { dataDir: "/data" }));
  env.NAME = config.inference.service;
  env.PORT = String(config.inference.port);
  env.PRICE_FEED_URL = priceFeedUrl;
  return {
    image: `${config.image.repository}/inference-server:${config.image.version}`,
    init: true,
    restart: "unless-stopped",
    environment: env,
  };
}

/** What every service of the local network is built from: the description, addresses as compose sees them. */
interface DevNetworkParts {
  config: ProjectConfig;
  network: NetworkDescription;
  /** Resolves a node's port by service name (the inference node is the project's model service). */
  resolve: Resolve;
  image: (kind: string) => string;
  /** A port published on the host's loopback only. */
  local: (host: number, container: number) => string;
}

function devNetworkParts(config: ProjectConfig): DevNetworkParts {
  const network = describeNetwork({ workers: 1, chain: true, logLevel: config.worker.log_level });
  const inference = (name: string) => name === "inference-1";
  return {
    config,
    network,
    resolve: (name, port) => {
      const p = portOf(network.node(name), port);
      return inference(name)
        ? { host: config.inference.service, port: config.inference.port }
        : { host: name, port: p };
    },
    image: (kind) => `${config.image.repository}/${kind}:${config.image.version}`,
    local: (host, container) => `127.0.0.1:${host}:${container}`,
  };
}

/** A node of the network that keeps its state in a volume: the chain or the head (both make their dev keys). */
function stateNodeService(parts: DevNetworkParts, name: "chain" | "head", ports: string[]): Record<string, unknown> {
  const node = parts.network.node(name);
  return {
    image: parts.image(name),
    init: true,
    restart: "unless-stopped",
    stop_grace_period: "5s",
    environment: { ...argsToEnv(node.args(parts.resolve, containerPaths(node))), INIT_DEV_STATE: "true" },
    volumes: [`${name}-data:/data`],
    ports,
    ...(name === "head" ? { depends_on: { chain: { condition: "service_healthy" } } } : {}),
  };
}

function dashboardService(parts: DevNetworkParts): Record<string, unknown> {
  const { config } = parts;
  const dashboard = parts.network.node("dashboard");
  return {
    image: parts.image("dashboard"),
    init: true,
    restart: "unless-stopped",
    stop_grace_period: "5s",
    environment: {
      ...argsToEnv(dashboard.args(parts.resolve, containerPaths(dashboard))),
      WORKERS: `${config.name}=http://${config.name}:${config.worker.http_port}`,
      INFERENCE_SERVERS: `${config.name}=http://${config.inference.service}:${config.inference.port}`,
    },
    ports: [parts.local(devDashboardPort(config), portOf(dashboard, "http"))],
    depends_on: { chain: { condition: "service_healthy" }, head: { condition: "service_healthy" } },
  };
}

/** This project's worker, joining the head by its service name. */
function devWorkerService(parts: DevNetworkParts): Record<string, unknown> {
  const { config } = parts;
  const chain = `http://chain:${CONTAINER_PORTS.chainRest}`;
  return workerService(
    config,
    {
      bootNodes: [`/dns4/head/tcp/${CONTAINER_PORTS.headP2p}`],
      chainId: config.dev.chain_id,
      chainRpc: `http://chain:${CONTAINER_PORTS.chainRpc}`,
      chainRest: chain,
      faucetUrl: `${chain}/faucet`,
      inferenceUrl: `http://${config.inference.service}:${config.inference.port}`,
    },
    {
      stateDir: DEV_STATE_DIR,
      tag: "dev",
      ports: [parts.local(config.worker.http_port, config.worker.http_port)],
      dependsOn: {
        head: { condition: "service_healthy" },
        [config.inference.service]: { condition: "service_started" },
      },
    },
  );
}

/** Every service of the dev file: the local network, the sample model server and this worker. */
function devServices(config: ProjectConfig): Record<string, Record<string, unknown>> {
  const parts = devNetworkParts(config);
  const { local } = parts;
  const dev = config.dev;
  return {
    chain: stateNodeService(parts, "chain", [
      local(dev.chain_rpc_port, CONTAINER_PORTS.chainRpc),
      local(dev.chain_rest_port, CONTAINER_PORTS.chainRest),
    ]),
    head: stateNodeService(parts, "head", [
      local(dev.head_rest_port, CONTAINER_PORTS.headRest),
      local(dev.head_p2p_port, CONTAINER_PORTS.headP2p),
    ]),
    dashboard: dashboardService(parts),
    [config.inference.service]: {
      ...sampleInferenceService(config, `http://chain:${CONTAINER_PORTS.chainRest}`),
      ports: [local(config.inference.port, config.inference.port)],
      depends_on: { chain: { condition: "service_healthy" } },
    },
    [config.name]: devWorkerService(parts),
  };
}

/** The model of the dev compose file. */
export function devComposeModel(config: ProjectConfig, cliVersion: string): ComposeModel {
  return {
    header: [
      `Generated by allocmd ${cliVersion} from config.yaml: a local network to develop ${config.name} in.`,
      "Start it:  allocmd run     (or: docker-compose -f dev-docker-compose.yaml up --build -d)",
      `Then:      allocmd request --topic ${String(config.topics[0]?.id ?? 1)}   and   allocmd status`,
      "After editing config.yaml, `allocmd init` regenerates this file; if you edit this file, allocmd keeps your",
      "version (and `allocmd init --env prod` carries the services you add here into prod-docker-compose.yaml).",
      "No secret is in this file: chain and head make their own dev keys in their volumes on first start, the worker",
      "gets keys/ read-only and its mnemonic as a secret file.",
    ].join("\n"),
    services: devServices(config),
    serviceComments: {
      chain: `The local chain (${config.dev.chain_id}): topics 1 (ETH) and 2 (BTC), rounds, scores, rewards, faucet.`,
      head: "The head: REST API for requests (allocmd request) and the boot node workers connect to.",
      dashboard: `The dashboard: http://localhost:${devDashboardPort(config)} shows rounds, scores, rewards; sends requests.`,
      [config.inference.service]:
        "The sample model server main.py calls. Replace it with your own model service (keep the name, or\n" +
        "change inference.service in config.yaml); `allocmd init --env prod` carries it into prod.",
      [config.name]: "This worker: built from the Dockerfile (your main.py), joins the head by its service name.",
    },
    volumes: { "chain-data": {}, "head-data": {} },
    secrets: mnemonicSecret(config),
  };
}

/** The text of `dev-docker-compose.yaml`. */
export function renderDevCompose(config: ProjectConfig, cliVersion: string): string {
  return renderCompose(devComposeModel(config, cliVersion));
}
