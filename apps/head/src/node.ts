/**
 * The head node's composition root: builds and wires every module (keys, host, function catalog, worker sessions,
 * the execute flow, the chain side, status, metrics, the REST API). `createHeadNode` loads keys and functions and
 * builds the modules; `start` opens the session and package protocols, starts the chain side and listens; `stop`
 * undoes it in reverse.
 */
import { join, resolve } from "node:path";
import { createP2pHost, serveFunctionPackages } from "@allora/p2p";
import { type ExecuteResponse, ensureKeyFolder, type Logger, type StatusResponse } from "@allora/protocol";
import {
  chainAccountOptionsOf,
  httpLimitsOf,
  limitHttpServer,
  type NodeDeps,
  readChainKey,
  type StartableNode,
} from "@allora/service";
import { createHeadChain, type HeadChain } from "./chain/head-chain.js";
import { createRegistrationView } from "./chain/registrations.js";
import type { HeadConfig } from "./config.js";
import { createAdmission } from "./execution/admission.js";
import { createExecuteService } from "./execution/execute-service.js";
import { ResultCache } from "./execution/result-cache.js";
import { functionAliasesOf, loadFunctionCatalog } from "./functions/function-catalog.js";
import { createFunctionInstalls } from "./functions/function-install.js";
import { buildHeadApi } from "./http/app.js";
import { createHeadMetrics } from "./metrics.js";
import { createWorkerSessions } from "./network/worker-sessions.js";
import { createHeadStatus } from "./status/head-status.js";

/** Dependencies of {@link createHeadNode}. */
export type HeadNodeDeps = NodeDeps;

/** A head node. */
export interface HeadNode extends StartableNode {
  readonly peerId: string;
  /** The REST API's base URL once started. */
  restAddress(): string;
  status(): StatusResponse;
}

/** Builds a head: keys and functions loaded, the libp2p host up, every module wired; `start` opens it to the world. */
export async function createHeadNode(config: HeadConfig, deps: HeadNodeDeps): Promise<HeadNode> {
  const { logger, version } = deps;
  const log = (module: string) => logger.child({ module });
  const startedAt = Date.now();
  const identity = await loadIdentity(config, logger);
  const chain = await createChainSide(config, log("chain"));
  const catalog = await loadFunctionCatalog({
    aliases: functionAliasesOf(config.functionAliases),
    functionsDir: config.functionsDir,
    logger: log("functions"),
  });
  const metrics = createHeadMetrics(config.name);
  const host = await createP2pHost({
    privateKey: identity.privateKey,
    listen: [`/ip4/${config.p2pHost}/tcp/${config.p2pPort}`],
    announce: config.announce,
  });
  const sessions = createWorkerSessions({
    host,
    logger: log("sessions"),
    trustedWorkers: config.trustedWorkers,
    headHello: () => ({ type: "MsgHeadHello", version, functions: catalog.list().map((f) => f.cid) }),
    onChange: () => metrics.workers.set(sessions.all().length),
  });
  const installs = createFunctionInstalls({ host, sessions, catalog, allowInstallFrom: config.allowInstallFrom });
  const results = new ResultCache<ExecuteResponse>(config.resultCacheSize);
  const execute = createExecuteService({
    host,
    sessions,
    catalog,
    isExecutable: (cid) => installs.isExecutable(cid),
    ...executeTimingsOf(config),
    logger: log("execute"),
    onRound: (round) => chain?.submit(round),
    admission: createAdmission({ ...admissionLimitsOf(config), chainRest: config.chainRest, logger: log("admission") }),
    // Without --trusted-workers any peer may answer: mark those the chain does not know for the topic.
    ...(config.chainRest && config.trustedWorkers.length === 0
      ? { unregistered: createRegistrationView({ rest: config.chainRest, logger: log("chain") }).unregistered }
      : {}),
    onOutcome: (code, ms) => {
      metrics.requests.inc({ code });
      metrics.latency.observe(ms / 1000);
    },
    results,
  });
  const status = createHeadStatus({ peerId: identity.peerId, version, host, sessions, catalog, chain, startedAt });
  const api = buildHeadApi({
    execute,
    install: (request) => installs.install(request),
    result: (id) => results.get(id),
    status,
    metrics: metrics.registry,
    logger: log("api"),
    maxBodyBytes: config.maxBodyBytes,
  });

  let restAddress = "";
  let started = false;
  let stopped = false;
  return {
    peerId: identity.peerId,
    restAddress: () => restAddress,
    status,
    async start() {
      if (started) return;
      started = true;
      await serveFunctionPackages(host, (cid) => catalog.get(cid)?.bytes, log("functions"));
      await sessions.start();
      chain?.start();
      limitHttpServer(api.server, httpLimitsOf(config));
      restAddress = await api.listen({ host: config.restHost, port: config.restPort });
      logger.info(
        { peerId: identity.peerId, addresses: host.getMultiaddrs().map((a) => a.toString()), rest: restAddress },
        `head ${config.name} started: REST ${restAddress}, p2p port ${config.p2pPort}`,
      );
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await api.close();
      chain?.stop();
      await sessions.stop();
      await host.stop();
    },
  };
}

/** How long the execute flow waits for a roll call and for each worker, in ms. */
function executeTimingsOf(config: HeadConfig) {
  return {
    maxExecutionMs: Math.round(config.maxExecutionTime * 1000),
    executionGraceMs: Math.round(config.executionGrace * 1000),
    defaultRollCallMs: Math.round(config.rollCallTimeout * 1000),
  };
}

/** The bounded lane of hand-sent requests. */
function admissionLimitsOf(config: HeadConfig) {
  return {
    maxActive: config.maxRestExecutes,
    maxQueued: config.maxRestQueued,
    maxWaitMs: Math.round(config.maxRestWait * 1000),
    maxPerClient: config.maxRestPerClient,
  };
}

/** The head's libp2p identity, created on first start. */
async function loadIdentity(config: HeadConfig, logger: Logger) {
  const keyDir = resolve(config.keyDir ?? join(resolve(config.dataDir), "keys"));
  const identity = await ensureKeyFolder(keyDir);
  logger.info(
    { peerId: identity.peerId, keyDir },
    identity.created ? "created a new libp2p identity" : "loaded libp2p identity",
  );
  return identity;
}

/** The chain side, when the head submits rounds (`--chain-rpc`); its key is loaded, the chain may come up later. */
async function createChainSide(config: HeadConfig, logger: Logger): Promise<HeadChain | undefined> {
  const mnemonic = await readChainKey(
    config,
    "the head needs its key to submit rounds, and the chain's REST face to check registrations",
  );
  if (!config.chainRpc || !mnemonic) return undefined;
  return createHeadChain({
    ...chainAccountOptionsOf({ ...config, chainRpc: config.chainRpc }, mnemonic),
    logger,
    maxConcurrent: config.chainMaxSubmissions,
    maxQueued: config.chainMaxQueued,
    rebroadcastMs: config.chainRebroadcastMs,
    deadlineMs: config.chainSubmitDeadline * 1000,
  });
}
