/**
 * The typed description of a local network: which nodes run, their ports, what each needs on disk, how they find
 * each other and how each proves it is healthy. Runners render it: as OS processes on loopback (`pnpm dev`, e2e,
 * bench), as containers, and as the checked-in compose file. Node-to-node addresses are references resolved by the
 * runner, so the same description works with `127.0.0.1:9010` and with `head:9010`.
 */

/** The kinds of node. */
export type NodeKind = "chain" | "head" | "worker" | "inference-server" | "dashboard";

/** Where a runner places a node's files. */
export interface NodePaths {
  /** The node's data folder (keys, state). */
  dataDir: string;
  /** The file holding the node's chain mnemonic (head, worker, and the chain's faucet). */
  mnemonicFile?: string;
  /** The chain's genesis file. */
  genesisFile?: string;
  /** The worker's main.py. */
  mainPy?: string;
}

/** Resolves another node's port to an address this node can reach. */
export type Resolve = (node: string, port: string) => { host: string; port: number };

/** One node of the network. */
export interface NodeDescription {
  name: string;
  kind: NodeKind;
  /** Ports the node listens on, by role (`rest`, `p2p`, `http`, `rpc`). */
  ports: Readonly<Record<string, number>>;
  /** The node's flags; never contains a secret (secrets are files, named by path). */
  args(resolve: Resolve, paths: NodePaths): string[];
  /** HTTP health probe: the port role and path answering 200 when the node is up. */
  health: { port: string; path: string };
  /** Nodes that must be healthy before this one starts. */
  dependsOn: readonly string[];
  /** Topics a worker serves (the network is ready when the head sees it subscribed to each). */
  topics?: readonly string[];
  /** Whether the node holds a chain account (and so a mnemonic file). */
  chainAccount?: boolean;
  /** A libp2p identity folder the node keeps across restarts. */
  libp2pKeys?: boolean;
}

/**
 * The port a node listens on for `role`; throws naming both when the node has none (a runner or a generated file
 * asking for a port the description does not give it is a bug in the caller, not a user's mistake).
 */
export function portOf(node: Pick<NodeDescription, "name" | "ports">, role: string): number {
  const port = node.ports[role];
  if (port === undefined) throw new Error(`node ${node.name} has no port "${role}"`);
  return port;
}

/** A chain topic of the network. */
export interface TopicDescription {
  id: string;
  metadata: string;
  token: string;
  /** Seconds between rounds. */
  cadence: number;
  /** Seconds from a round's opening until its truth is known. */
  lag: number;
  /** Seconds a round accepts inferences. */
  window: number;
}

/** A whole network. */
export interface NetworkDescription {
  nodes: readonly NodeDescription[];
  topics: readonly TopicDescription[];
  /** Whether the network has a chain. */
  chain: boolean;
  /** Market seed of the chain's genesis (dev only; the chain keeps the future secret from everyone else). */
  marketSeed: string;
  blockTimeMs: number;
  node(name: string): NodeDescription;
  workers(): NodeDescription[];
}

/** The ports a network listens on. */
export interface PortPlan {
  headRest: number;
  headP2p: number;
  chainRpc: number;
  chainRest: number;
  /** First inference server port; the others follow. */
  inference: number;
  /** First worker p2p port; the others follow. */
  workerP2p: number;
  /** First worker HTTP port; the others follow. */
  workerHttp: number;
  /** The dashboard's page (a port browsers allow: not 6000). */
  dashboard: number;
}

/** The documented defaults: head 6000/9010, workers 9011+/2112+, inference 8000+, chain 26657/1317, dashboard 3000. */
export const DEFAULT_PORTS: PortPlan = {
  headRest: 6000,
  headP2p: 9010,
  chainRpc: 26657,
  chainRest: 1317,
  inference: 8000,
  workerP2p: 9011,
  workerHttp: 2112,
  dashboard: 3000,
};

/** A compact port plan starting at `base` (for test networks that must not collide with a running `pnpm dev`). */
export function portPlanFrom(base: number): PortPlan {
  return {
    headRest: base,
    headP2p: base + 1,
    chainRpc: base + 2,
    chainRest: base + 3,
    dashboard: base + 4,
    inference: base + 10,
    workerP2p: base + 40,
    workerHttp: base + 70,
  };
}

/** The number of ports a plan from {@link portPlanFrom} uses with up to 30 workers, each with its inference server. */
export const PORT_BLOCK_SIZE = 100;

/** The sample models, best first, that dev workers cycle through. */
export const DEFAULT_MODELS = ["trend", "naive", "noisy"] as const;

/** The dev network's topics: ETH every 5 s and BTC every 10 s, truth 10 s after a round opens. */
export const DEFAULT_TOPICS: readonly TopicDescription[] = [
  { id: "1", metadata: "ETH price in 10 s", token: "ETH", cadence: 5, lag: 10, window: 4 },
  { id: "2", metadata: "BTC price in 10 s", token: "BTC", cadence: 10, lag: 10, window: 8 },
];

/** Options of {@link describeNetwork}. */
export interface DevnetOptions {
  workers?: number;
  /**
   * Inference servers (default: one per worker). Fewer lets many workers share them round-robin (the 100-worker
   * benchmark: the model servers are not what it measures, and 100 of them do not fit beside 100 workers).
   */
  inferenceServers?: number;
  models?: readonly string[];
  chain?: boolean;
  ports?: PortPlan;
  topics?: readonly TopicDescription[];
  marketSeed?: string;
  blockTimeMs?: number;
  /** Seconds a function may run on a worker. */
  functionTimeout?: number;
  logLevel?: string;
  /** The function each worker serves besides its main.py (always the runner package). */
  extraWorkerArgs?: readonly string[];
  /** Extra flags of the head (e.g. a shorter `--max-execution-time` in a test). */
  extraHeadArgs?: readonly string[];
  /**
   * The address every node listens on when the runner places them on this machine (default: the loopback address
   * they are reached at, so nothing is exposed; `0.0.0.0` lets containers on Docker's bridge join).
   */
  bindHost?: string;
  /** Whether the network has the dashboard (default true; `pnpm dev --no-dashboard` leaves it out). */
  dashboard?: boolean;
}

const url = (e: { host: string; port: number }, path = "") => `http://${e.host}:${e.port}${path}`;

/**
 * The address a node listens on: the loopback address its peers reach it at when the runner places nodes on this
 * machine (`pnpm dev`: nothing is exposed beyond it), every interface inside a container (where the runner publishes
 * chosen ports on 127.0.0.1 only).
 */
function listenHost(resolve: Resolve, node: string, port: string, override: string | undefined): string {
  const { host } = resolve(node, port);
  if (!/^127\.\d+\.\d+\.\d+$/.test(host)) return "0.0.0.0";
  return override ?? host;
}

/** What every node's description is built from: the options with their defaults applied. */
interface NetworkPlan {
  options: DevnetOptions;
  ports: PortPlan;
  withChain: boolean;
  topics: readonly TopicDescription[];
  logLevel: string;
  marketSeed: string;
  blockTimeMs: number;
  /** The longest lag of the topics: the inference servers' horizon. */
  lag: number;
  /** How many inference servers the workers share. */
  servers: number;
}

function planNetwork(options: DevnetOptions): NetworkPlan {
  const topics = options.topics ?? DEFAULT_TOPICS;
  const count = options.workers ?? 3;
  return {
    options,
    ports: options.ports ?? DEFAULT_PORTS,
    withChain: options.chain ?? true,
    topics,
    logLevel: options.logLevel ?? "info",
    marketSeed: options.marketSeed ?? "allora-localnet-dev-market",
    blockTimeMs: options.blockTimeMs ?? 1000,
    lag: Math.max(...topics.map((t) => t.lag)),
    servers: Math.max(1, Math.min(count, options.inferenceServers ?? count)),
  };
}

function bindHostOf(plan: NetworkPlan, resolve: Resolve, node: string, port: string): string {
  return listenHost(resolve, node, port, plan.options.bindHost);
}

/**
 * A node's description with the two flags every node takes first (`nodeOptions` of @allora/service): `--name`, its
 * name, and `--log-level`, the network's; its builder gives only its own flags.
 */
function withNodeOptions(plan: NetworkPlan, node: NodeDescription): NodeDescription {
  return {
    ...node,
    args: (resolve, paths) => [`--name=${node.name}`, `--log-level=${plan.logLevel}`, ...node.args(resolve, paths)],
  };
}

/** How the head and each worker reach the chain and its faucet, and where their account's mnemonic is. */
function chainFlags(plan: NetworkPlan, resolve: Resolve, paths: NodePaths): string[] {
  if (!plan.withChain) return [];
  return [
    `--chain-rpc=${url(resolve("chain", "rpc"))}`,
    `--chain-rest=${url(resolve("chain", "rest"))}`,
    `--chain-mnemonic-file=${paths.mnemonicFile}`,
    `--faucet-url=${url(resolve("chain", "rest"), "/faucet")}`,
  ];
}

function chainNode(plan: NetworkPlan): NodeDescription {
  const { ports } = plan;
  return {
    name: "chain",
    kind: "chain",
    ports: { rpc: ports.chainRpc, rest: ports.chainRest },
    dependsOn: [],
    chainAccount: true,
    health: { port: "rest", path: "/allora/localnet/v1/health" },
    args: (resolve, paths) => [
      `--host=${bindHostOf(plan, resolve, "chain", "rest")}`,
      `--rpc-port=${ports.chainRpc}`,
      `--rest-port=${ports.chainRest}`,
      `--genesis=${paths.genesisFile}`,
      `--data-dir=${paths.dataDir}`,
      `--block-time-ms=${plan.blockTimeMs}`,
      `--faucet-mnemonic-file=${paths.mnemonicFile}`,
      `--blockless-api-url=${url(resolve("head", "rest"), "/api/v1/functions/execute")}`,
      // Only the head's account may submit rounds: the one in genesis, or the one this head reports.
      "--payload-senders-from-head=true",
    ],
  };
}

function headNode(plan: NetworkPlan): NodeDescription {
  const { ports } = plan;
  return {
    name: "head",
    kind: "head",
    ports: { rest: ports.headRest, p2p: ports.headP2p },
    dependsOn: plan.withChain ? ["chain"] : [],
    chainAccount: plan.withChain,
    libp2pKeys: true,
    health: { port: "rest", path: "/api/v1/health" },
    args: (resolve, paths) => [
      `--data-dir=${paths.dataDir}`,
      `--rest-host=${bindHostOf(plan, resolve, "head", "rest")}`,
      `--rest-port=${ports.headRest}`,
      `--p2p-host=${bindHostOf(plan, resolve, "head", "p2p")}`,
      `--p2p-port=${ports.headP2p}`,
      ...chainFlags(plan, resolve, paths),
      ...(plan.options.extraHeadArgs ?? []),
    ],
  };
}

/** The `index`th inference server (0-based), serving `model`. */
function inferenceNode(plan: NetworkPlan, index: number, model: string): NodeDescription {
  const name = `inference-${index + 1}`;
  const port = plan.ports.inference + index;
  return {
    name,
    kind: "inference-server",
    ports: { http: port },
    dependsOn: plan.withChain ? ["chain"] : [],
    health: { port: "http", path: "/health" },
    args: (resolve) => [
      `--host=${bindHostOf(plan, resolve, name, "http")}`,
      `--port=${port}`,
      `--model=${model}`,
      `--horizon=${plan.lag}`,
      ...(plan.withChain ? [`--price-feed-url=${url(resolve("chain", "rest"))}`] : [`--price-seed=${plan.marketSeed}`]),
    ],
  };
}

/** The `index`th worker (0-based), calling `inference` as its model. */
function workerNode(plan: NetworkPlan, index: number, inference: string): NodeDescription {
  const { ports, topics, options } = plan;
  const name = `worker-${index + 1}`;
  return {
    name,
    kind: "worker",
    ports: { p2p: ports.workerP2p + index, http: ports.workerHttp + index },
    dependsOn: ["head", inference],
    topics: topics.map((t) => t.id),
    chainAccount: plan.withChain,
    libp2pKeys: true,
    health: { port: "http", path: "/health" },
    args: (resolve, paths) => {
      const head = resolve("head", "p2p");
      const bootHost = /^\d+\.\d+\.\d+\.\d+$/.test(head.host) ? `/ip4/${head.host}` : `/dns4/${head.host}`;
      return [
        `--data-dir=${paths.dataDir}`,
        `--p2p-host=${bindHostOf(plan, resolve, name, "p2p")}`,
        `--p2p-port=${ports.workerP2p + index}`,
        `--http-host=${bindHostOf(plan, resolve, name, "http")}`,
        `--http-port=${ports.workerHttp + index}`,
        `--boot-nodes=${bootHost}/tcp/${head.port}`,
        `--topics=${topics.map((t) => t.id).join(",")}`,
        `--main-py=${paths.mainPy}`,
        `--function-env=INFERENCE_API_ADDRESS=${url(resolve(inference, "http"))}`,
        ...(options.functionTimeout ? [`--function-timeout=${options.functionTimeout}`] : []),
        ...chainFlags(plan, resolve, paths),
        ...(options.extraWorkerArgs ?? []),
      ];
    },
  };
}

/** The dashboard, showing `workerNames` and the inference server each calls. */
function dashboardNode(plan: NetworkPlan, workerNames: readonly string[]): NodeDescription {
  return {
    name: "dashboard",
    kind: "dashboard",
    ports: { http: plan.ports.dashboard },
    // Beside the workers, not after them: no extra tier to start or stop (compose stops tier by tier). It shows
    // workers as they come up.
    dependsOn: [...(plan.withChain ? ["chain"] : []), "head"],
    health: { port: "http", path: "/health" },
    // Loopback as processes (the request form can make every worker run); every interface in a container, whose
    // published port is bound to the host's loopback instead.
    args: (resolve) => [
      `--host=${bindHostOf(plan, resolve, "dashboard", "http")}`,
      `--port=${plan.ports.dashboard}`,
      `--head-url=${url(resolve("head", "rest"))}`,
      ...(plan.withChain ? [`--chain-rest=${url(resolve("chain", "rest"))}`] : []),
      `--workers=${workerNames.map((w) => `${w}=${url(resolve(w, "http"))}`).join(",")}`,
      `--inference-servers=${workerNames.map((w, i) => `${w}=${url(resolve(`inference-${(i % plan.servers) + 1}`, "http"))}`).join(",")}`,
    ],
  };
}

/**
 * Describes the dev network: a chain (optional), a head, and `workers` workers each with its own inference server
 * of a different model skill.
 *
 * @example
 * ```ts
 * const network = describeNetwork({ workers: 3 })
 * network.node("head").ports.rest // 6000
 * ```
 */
export function describeNetwork(options: DevnetOptions = {}): NetworkDescription {
  const plan = planNetwork(options);
  const models = options.models ?? DEFAULT_MODELS;
  const nodes: NodeDescription[] = plan.withChain ? [chainNode(plan)] : [];
  nodes.push(headNode(plan));
  for (let i = 0; i < (options.workers ?? 3); i++) {
    if (i < plan.servers) nodes.push(inferenceNode(plan, i, models[i % models.length] as string));
    nodes.push(workerNode(plan, i, `inference-${(i % plan.servers) + 1}`));
  }
  if (options.dashboard ?? true) {
    nodes.push(
      dashboardNode(
        plan,
        nodes.filter((n) => n.kind === "worker").map((n) => n.name),
      ),
    );
  }
  const { topics, withChain, marketSeed, blockTimeMs } = plan;
  return makeNetworkDescription({
    nodes: nodes.map((node) => withNodeOptions(plan, node)),
    topics,
    chain: withChain,
    marketSeed,
    blockTimeMs,
  });
}

/** A network of `fields.nodes`, with its lookups: a node by name (throws naming a missing one), the workers. */
export function makeNetworkDescription(fields: Omit<NetworkDescription, "node" | "workers">): NetworkDescription {
  const { nodes } = fields;
  const byName = new Map(nodes.map((n) => [n.name, n]));
  return {
    ...fields,
    node(name) {
      const node = byName.get(name);
      if (!node) throw new Error(`the network has no node "${name}"`);
      return node;
    },
    workers: () => nodes.filter((n) => n.kind === "worker"),
  };
}
