/**
 * The worker node's composition root: builds every module (keys, host, function store and policy, executor, head
 * sessions, roll-call intake, gossip intake, chain side, HTTP face) and wires them; `start` probes the sandbox,
 * subscribes and listens; `stop` undoes everything in reverse. The decisions live in the modules it wires.
 */
import { join } from "node:path";
import { defaultFunctionAliases, runnerPackageCid } from "@allora/node-function";
import { createBootNodeKeeper, createP2pHost, type P2pHost, parseBootNodes } from "@allora/p2p";
import {
  ensureKeyFolder,
  errorMessage,
  type Logger,
  type MsgWorkerHello,
  parseFunctionAliases,
} from "@allora/protocol";
import {
  chainAccountOptionsOf,
  httpLimitsOf,
  limitHttpServer,
  type NodeDeps,
  type StartableNode,
} from "@allora/service";
import { createWorkerChain, type WorkerChain } from "./chain/worker-chain.js";
import type { WorkerConfig } from "./config.js";
import { createLauncherClient, type LauncherClient } from "./execution/launcher-client.js";
import { type FunctionMode, parseFunctionEnv, type RunPlanSettings } from "./execution/run-plan.js";
import { logSandbox, openDataDirForSlots, sandboxOptions } from "./execution/sandbox.js";
import { Semaphore } from "./execution/semaphore.js";
import { createFunctionIntake, type FunctionIntake } from "./functions/function-intake.js";
import { createFunctionStore, type FunctionStore } from "./functions/function-store.js";
import { buildWorkerHttpApp } from "./http/app.js";
import { createWorkerMetrics, type WorkerMetrics } from "./metrics.js";
import { createGossipIntake } from "./network/gossip-intake.js";
import { createHeadLinks, type HeadLinks } from "./network/head-links.js";
import { createRequestRunner } from "./requests/request-runner.js";
import { createRollCallAdmission } from "./roll-call/roll-call-admission.js";
import { createRollCallBook } from "./roll-call/roll-call-book.js";
import { createRollCallIntake } from "./roll-call/roll-call-intake.js";
import { prepareWorker, resetScratch, type WorkerSetup } from "./setup.js";
import type { WorkerStatus } from "./status.js";
import { createFunctionPolicy, type FunctionPolicy } from "./trust/function-policy.js";
import { createRefusalLog, type Refuse } from "./trust/refusal-log.js";
import { createTrustedHeads, type TrustedHeads } from "./trust/trusted-heads.js";

/** How long an execute waits for the roll call it belongs to (sent together, the gossip may arrive second). */
const ROLL_CALL_WAIT_MS = 3000;

/** Dependencies of {@link createWorkerNode}. */
export type WorkerNodeDeps = NodeDeps;

/** A worker node. */
export interface WorkerNode extends StartableNode {
  readonly peerId: string;
  readonly host: P2pHost;
  status(): WorkerStatus;
  /** The HTTP face's URL once started. */
  httpAddress(): string;
}

/** Builds a worker: its host listens at once (its address is what the chain registers); `start` does the rest. */
export async function createWorkerNode(config: WorkerConfig, deps: WorkerNodeDeps): Promise<WorkerNode> {
  const { logger, version } = deps;
  const log = (module: string) => logger.child({ module });
  const setup = await prepareWorker(config);
  const { identity, host, addresses, chain } = await createPeer(config, setup, logger);
  const metrics = createWorkerMetrics(config.name);
  const refuse = createRefusalLog(metrics.refusals, log("roll-call"));
  const { store, trust, policy } = await createFunctionTrust(config, setup, log);
  const executor = await createRunExecutor(config, setup, log);
  const links = createHeadLinks({
    host,
    logger: log("sessions"),
    isTrusted: (peer) => trust.isTrusted(peer),
    hello: () => makeWorkerHello(config, setup, version, chain),
    // Sessions open once `start` runs, so the intakes below exist by the first message.
    handlers: {
      onExecute: (message, channel) => requests.intake.takeExecute(message, channel),
      onRollCall: (message, head) => requests.intake.takeRollCall(message, head),
      onHeadFunctions: (head, cids) => functionIntake.prefetch(head, cids),
    },
  });
  const functionIntake = createFunctionIntake({
    host,
    store,
    policy,
    links,
    refuse,
    topics: setup.topics,
    logger: log("functions"),
  });
  const requests = wireRequests({
    config,
    setup,
    store,
    trust,
    policy,
    executor,
    chain,
    metrics,
    refuse,
    links,
    functionIntake,
    log,
  });
  const gossip = createGossipIntake({
    host,
    refuse,
    topicNames: setup.topicNames,
    isTrusted: (peer) => trust.isTrusted(peer),
    logger: log("roll-call"),
    onRollCall: requests.intake.takeRollCall,
    onInstall: functionIntake.installFromGossip,
  });
  const keeper = createBootKeeper(host, config, trust, links, metrics, log("boot-nodes"));
  const status = (): WorkerStatus => ({
    name: config.name,
    version,
    peer_id: identity.peerId,
    addresses: addresses(),
    topics: setup.topics.map(String),
    boot_nodes: keeper.connected(),
    heads: links.heads(),
    trusted_heads: trust.list(),
    allowed_functions: policy.extra(),
    functions: store.list().map((f) => ({ cid: f.cid, name: f.manifest.name, version: f.manifest.version })),
    running: requests.semaphore.inUse,
    max_concurrency: config.maxConcurrency,
    executed_total: requests.runner.executedTotal(),
    ...(executor.sandbox() ? { sandbox: executor.sandbox() } : {}),
    ...(chain ? { chain: chain.status() } : {}),
  });
  const http = buildWorkerHttpApp({ status, metrics: metrics.registry, logger: log("http") });
  let httpAddress = "";

  const stop = async () => {
    keeper.stop();
    gossip.stop();
    chain?.stop();
    executor.killAll();
    await links.closeAll();
    await http.close();
    await host.stop();
  };
  const start = async () => {
    await probeSandbox(executor, config, log("sandbox"));
    gossip.start();
    keeper.start();
    chain?.start();
    limitHttpServer(http.server, httpLimitsOf(config));
    httpAddress = await http.listen({ host: config.httpHost, port: config.httpPort });
    logger.info(
      {
        peerId: identity.peerId,
        addresses: addresses(),
        topics: setup.topicNames,
        http: httpAddress,
        bootNodes: config.bootNodes,
      },
      `worker ${config.name} started: serving topics ${setup.topics.join(", ")}`,
    );
  };
  return { peerId: identity.peerId, host, status, httpAddress: () => httpAddress, ...makeLifecycle(start, stop) };
}

/**
 * `start` and `stop` as a node offers them: each runs once, a start that fails half way stops what it started (so
 * nothing is left listening), and a stop before any start still releases what the build opened (the host).
 */
function makeLifecycle(start: () => Promise<void>, stop: () => Promise<void>) {
  let started: Promise<void> | undefined;
  let stopped: Promise<void> | undefined;
  const stopOnce = () => {
    stopped ??= stop();
    return stopped;
  };
  return {
    start() {
      started ??= start().catch(async (err) => {
        await stopOnce().catch(() => undefined);
        throw err;
      });
      return started;
    },
    stop: stopOnce,
  };
}

/** The first frame of every session: what this worker serves and how. */
function makeWorkerHello(
  config: WorkerConfig,
  setup: WorkerSetup,
  version: string,
  chain: WorkerChain | undefined,
): MsgWorkerHello {
  return {
    type: "MsgWorkerHello",
    version,
    topics: setup.topicNames,
    function_timeout_ms: setup.functionTimeoutMs,
    max_concurrency: config.maxConcurrency,
    ...(chain ? { chain_address: chain.address } : {}),
  };
}

/** The parts {@link wireRequests} connects. */
interface RequestParts {
  config: WorkerConfig;
  setup: WorkerSetup;
  store: FunctionStore;
  trust: TrustedHeads;
  policy: FunctionPolicy;
  executor: LauncherClient;
  chain: WorkerChain | undefined;
  metrics: WorkerMetrics;
  refuse: Refuse;
  links: HeadLinks;
  functionIntake: FunctionIntake;
  log: (module: string) => Logger;
}

/** A request's way through the worker: the roll-call book and decisions, the intake, the run slots and the runner. */
function wireRequests(parts: RequestParts) {
  const { config, log } = parts;
  // Hand-sent requests never take the round slots, and the chain's rounds wait first in line.
  const semaphore = new Semaphore(config.maxConcurrency, config.roundSlots);
  const book = createRollCallBook({
    capacity: () => config.maxConcurrency + config.maxQueued,
    reservedForRounds: () => semaphore.reserved,
    load: () => semaphore.load,
    unseenWaitMs: ROLL_CALL_WAIT_MS,
  });
  const runner = createRequestRunner({
    store: parts.store,
    executor: parts.executor,
    semaphore,
    metrics: parts.metrics,
    chain: parts.chain,
    settings: runnerSettings(config, parts.setup),
    headSource: parts.functionIntake.headSource,
    logger: log("execute"),
  });
  const admission = createRollCallAdmission({
    topics: parts.setup.topics,
    isTrusted: (peer) => parts.trust.isTrusted(peer),
    book,
    checkFunction: (topicId, functionId) => parts.policy.check(topicId, functionId),
    describeLoad: () =>
      `${semaphore.inUse} runs in progress and ${semaphore.load - semaphore.inUse + book.reservations()} waiting; the limits are ${config.maxConcurrency} and ${config.maxQueued}`,
    refuse: parts.refuse,
    logger: log("roll-call"),
  });
  const intake = createRollCallIntake({
    admission,
    book,
    runner,
    links: parts.links,
    refuse: parts.refuse,
    install: parts.functionIntake.install,
    answered: parts.metrics.rollCalls,
    unseenWaitMs: ROLL_CALL_WAIT_MS,
    logger: log("roll-call"),
    executeLogger: log("execute"),
  });
  return { semaphore, runner, intake };
}

/** Keeps the boot nodes connected; a head whose id changed at a pinned address is hung up on. */
function createBootKeeper(
  host: P2pHost,
  config: WorkerConfig,
  trust: TrustedHeads,
  links: HeadLinks,
  metrics: WorkerMetrics,
  logger: Logger,
) {
  return createBootNodeKeeper({
    host,
    bootNodes: parseBootNodes(config.bootNodes),
    logger,
    onConnected: (peer, addr) => {
      void trust
        .admitBootConnection(addr.toString(), peer.toString())
        .then((admitted) => {
          if (admitted) return links.open(peer).then(() => undefined);
          metrics.refusals.inc({ code: "HEAD_ID_CHANGED" });
          return host.hangUp(peer).then(() => undefined);
        })
        .catch(() => undefined);
    },
  });
}

/** The function store (installed packages re-verified), the trusted heads and the function policy. */
async function createFunctionTrust(config: WorkerConfig, setup: WorkerSetup, log: (module: string) => Logger) {
  const aliases = config.functionAliases
    ? parseFunctionAliases(config.functionAliases.join(","))
    : defaultFunctionAliases();
  const store = createFunctionStore({
    dir: join(setup.dataDir, "functions"),
    aliases,
    gateways: config.functionGateways,
    logger: log("functions"),
  });
  await store.start();
  const trust = await createTrustedHeads({
    bootNodes: config.bootNodes,
    explicit: config.trustedHeads,
    knownHeadsFile: join(setup.dataDir, "known-heads.json"),
    logger: log("trust"),
  });
  const policy = createFunctionPolicy({
    aliases,
    allow: config.allowFunctions,
    runnerCid: runnerPackageCid(),
    ...(config.chainRest ? { chainRest: config.chainRest } : {}),
    logger: log("trust"),
  });
  if (config.bootNodes.length === 0 && config.trustedHeads.length === 0) {
    log("trust").warn(
      { code: "NO_TRUSTED_HEAD" },
      "no --boot-nodes and no --trusted-heads: this worker obeys no head and will run nothing",
    );
  }
  return { store, trust, policy };
}

/** The worker as a peer: its libp2p key and host (listening), and its chain account when it has one. */
async function createPeer(config: WorkerConfig, setup: WorkerSetup, logger: Logger) {
  const identity = await ensureKeyFolder(setup.keyDir);
  logger.info(
    { peerId: identity.peerId, keyDir: setup.keyDir },
    identity.created ? "created a new libp2p identity" : "loaded libp2p identity",
  );
  const host = await createP2pHost({
    privateKey: identity.privateKey,
    listen: [`/ip4/${config.p2pHost}/tcp/${config.p2pPort}`],
    announce: config.announce,
  });
  const addresses = () => host.getMultiaddrs().map((a) => a.toString());
  const ownAddress = `/ip4/${config.p2pHost}/tcp/${config.p2pPort}/p2p/${identity.peerId}`;
  const chainLogger = logger.child({ module: "chain" });
  const chain = await createChainSide(config, setup, identity.peerId, addresses()[0] ?? ownAddress, chainLogger);
  return { identity, host, addresses, chain };
}

/** The chain side, when `--chain-rpc` is set (the setup has checked its mnemonic and REST URL). */
async function createChainSide(
  config: WorkerConfig,
  setup: WorkerSetup,
  libp2pKey: string,
  multiAddress: string,
  logger: Logger,
): Promise<WorkerChain | undefined> {
  if (!config.chainRpc || !setup.mnemonic) return undefined;
  return createWorkerChain({
    ...chainAccountOptionsOf({ ...config, chainRpc: config.chainRpc }, setup.mnemonic),
    topics: setup.topics,
    libp2pKey,
    multiAddress,
    logger,
  });
}

/** The executor of function runs in their sandbox (its launcher starts with the node). */
async function createRunExecutor(config: WorkerConfig, setup: WorkerSetup, log: (module: string) => Logger) {
  const scratchRoot = await resetScratch(setup.dataDir);
  if (config.functionSandbox.includes("uid")) await openDataDirForSlots(setup.dataDir);
  return createLauncherClient({
    scratchRoot,
    maxStdoutBytes: config.maxStdoutBytes,
    maxStderrBytes: config.maxStderrBytes,
    python: config.python,
    logger: log("executor"),
    sandbox: sandboxOptions({
      layers: config.functionSandbox,
      dataDir: setup.dataDir,
      keyDir: setup.keyDir,
      mnemonicFile: config.chainMnemonicFile,
      mainPy: setup.mainPy,
      python: config.python,
      readPaths: config.functionReadPaths,
      uidBase: config.functionUidBase,
      slots: config.maxConcurrency,
      limits: {
        memoryMib: config.functionMaxMemory,
        processes: config.functionMaxProcesses,
        fileSizeMib: config.functionMaxFileSize,
        openFiles: config.functionMaxOpenFiles,
      },
    }),
  });
}

function runnerSettings(config: WorkerConfig, setup: WorkerSetup): RunPlanSettings {
  return {
    mainPy: setup.mainPy,
    python: config.python,
    functionEnv: parseFunctionEnv(config.functionEnv),
    defaultTimeoutMs: setup.functionTimeoutMs,
    functionMode: config.functionMode as FunctionMode,
  };
}

/** Starts the launcher, which probes the sandbox, so its report is logged at start, not at the first request. */
async function probeSandbox(executor: LauncherClient, config: WorkerConfig, logger: Logger): Promise<void> {
  await executor.start().then(
    (report) => {
      logSandbox(report, logger);
      logger.info(
        { function_mode: config.functionMode },
        config.functionMode === "warm"
          ? "function mode warm: Python functions fork a sandboxed process that imported their modules once"
          : "function mode cold: every run starts a fresh interpreter",
      );
    },
    (err) =>
      logger.error(
        { code: "LAUNCHER_FAILED", python: config.python },
        `the function launcher did not start: ${errorMessage(err)}; runs will fail until --python works`,
      ),
  );
}
