/**
 * The head node: the composition root that builds and wires every module (keys, host, function catalog, worker
 * sessions, the execute flow, the chain side, the REST API) and owns their start and stop.
 */
import { join, resolve } from "node:path";
import { defaultFunctionAliases } from "@allora/node-function";
import { createP2pHost, type P2pHost, serveFunctionPackages } from "@allora/p2p";
import {
  AlloraError,
  type ExecuteResponse,
  ensureKeyFolder,
  type Logger,
  parseFunctionAliases,
  type StatusResponse,
} from "@allora/protocol";
import {
  type ConfigOf,
  Counter,
  createMetricsRegistry,
  Gauge,
  Histogram,
  httpLimitsOf,
  limitHttpServer,
  readSecretFile,
} from "@allora/service";
import { buildHeadApi } from "./api/app.js";
import { createHeadChain, type HeadChain } from "./chain/head-chain.js";
import { createRegistrationView } from "./chain/registrations.js";
import type { headConfig } from "./config.js";
import { createAdmission } from "./execution/admission.js";
import { createExecuteService } from "./execution/execute-service.js";
import { ResultCache } from "./execution/result-cache.js";
import { loadFunctionCatalog } from "./functions/function-catalog.js";
import { createFunctionInstalls } from "./functions/function-install.js";
import { createWorkerSessions } from "./network/worker-sessions.js";

/** The head's config. */
export type HeadConfig = ConfigOf<typeof headConfig>;

/** A started head. */
export interface HeadNode {
  readonly peerId: string;
  readonly host: P2pHost;
  restAddress(): string;
  status(): StatusResponse;
  stop(): Promise<void>;
}

/** Builds and starts a head. */
export async function startHeadNode(config: HeadConfig, deps: { logger: Logger; version: string }): Promise<HeadNode> {
  const { logger, version } = deps;
  const log = (module: string) => logger.child({ module });
  const startedAt = Date.now();
  const keyDir = resolve(config.keyDir ?? join(resolve(config.dataDir), "keys"));
  const identity = await ensureKeyFolder(keyDir);
  logger.info(
    { peerId: identity.peerId, keyDir },
    identity.created ? "created a new libp2p identity" : "loaded libp2p identity",
  );

  const mnemonic = config.chainMnemonicFile
    ? await readSecretFile(config.chainMnemonicFile, "chain mnemonic")
    : undefined;
  if (config.chainRpc && (!mnemonic || !config.chainRest)) {
    throw new AlloraError(
      "CONFIG_INVALID",
      `--chain-rpc is set but ${mnemonic ? "--chain-rest" : "--chain-mnemonic-file"} is not: the head needs its key to submit rounds, and the chain's REST face to check registrations`,
    );
  }
  const aliases = config.functionAliases
    ? parseFunctionAliases(config.functionAliases.join(","))
    : defaultFunctionAliases();
  const catalog = await loadFunctionCatalog({ aliases, functionsDir: config.functionsDir, logger: log("functions") });

  const metrics = createMetricsRegistry(config.name);
  const requests = new Counter({
    name: "allora_head_requests_total",
    help: "execute requests by result code",
    labelNames: ["code"],
    registers: [metrics],
  });
  const latency = new Histogram({
    name: "allora_head_execute_seconds",
    help: "execute latency",
    registers: [metrics],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  const workersGauge = new Gauge({
    name: "allora_head_connected_workers",
    help: "workers with an open session",
    registers: [metrics],
  });

  const host = await createP2pHost({
    privateKey: identity.privateKey,
    listen: [`/ip4/${config.p2pHost}/tcp/${config.p2pPort}`],
    announce: config.announce,
  });
  await serveFunctionPackages(host, (cid) => catalog.get(cid)?.bytes, log("functions"));
  const sessions = createWorkerSessions({
    host,
    logger: log("sessions"),
    trustedWorkers: config.trustedWorkers,
    headHello: () => ({ type: "MsgHeadHello", version, functions: catalog.list().map((f) => f.cid) }),
    onChange: () => workersGauge.set(sessions.all().length),
  });
  await sessions.start();

  const chain: HeadChain | undefined =
    config.chainRpc && mnemonic
      ? await createHeadChain({
          rpc: config.chainRpc,
          rest: config.chainRest,
          chainId: config.chainId,
          mnemonic,
          gasPrice: config.chainGasPrice,
          faucetUrl: config.faucetUrl,
          logger: log("chain"),
          maxConcurrent: config.chainMaxSubmissions,
          maxQueued: config.chainMaxQueued,
          rebroadcastMs: config.chainRebroadcastMs,
          deadlineMs: config.chainSubmitDeadline * 1000,
        })
      : undefined;
  chain?.start();

  const registrations =
    config.chainRest && config.trustedWorkers.length === 0
      ? createRegistrationView({ rest: config.chainRest, logger: log("chain") })
      : undefined;
  const installs = createFunctionInstalls({
    host,
    sessions,
    catalog,
    allowInstallFrom: config.allowInstallFrom,
  });
  const cache = new ResultCache<ExecuteResponse>(config.resultCacheSize);
  const execute = createExecuteService({
    host,
    sessions,
    catalog,
    isExecutable: (cid) => installs.isExecutable(cid),
    maxExecutionMs: Math.round(config.maxExecutionTime * 1000),
    logger: log("execute"),
    defaultRollCallMs: Math.round(config.rollCallTimeout * 1000),
    executionGraceMs: Math.round(config.executionGrace * 1000),
    onRound: (round) => chain?.submit(round),
    admission: createAdmission({
      maxActive: config.maxRestExecutes,
      maxQueued: config.maxRestQueued,
      maxWaitMs: Math.round(config.maxRestWait * 1000),
      maxPerClient: config.maxRestPerClient,
      chainRest: config.chainRest,
      logger: log("admission"),
    }),
    // Without --trusted-workers any peer may answer: mark those the chain does not know for the topic.
    ...(registrations ? { unregistered: registrations.unregistered } : {}),
    onOutcome: (code, ms) => {
      requests.inc({ code });
      latency.observe(ms / 1000);
    },
  });

  const status = (): StatusResponse => ({
    peer_id: identity.peerId,
    addresses: host.getMultiaddrs().map((a) => a.toString()),
    version,
    uptime_seconds: Math.round((Date.now() - startedAt) / 1000),
    workers: sessions.all().map((s) => {
      const topics = s.hello?.topics ?? [];
      return {
        peer_id: s.peerId,
        addresses: host
          .getConnections()
          .filter((c) => c.remotePeer.toString() === s.peerId)
          .map((c) => c.remoteAddr.toString()),
        topics,
        subscribed: topics.filter((t) => host.services.pubsub.getSubscribers(t).some((p) => p.toString() === s.peerId)),
        ...(s.hello?.version ? { version: s.hello.version } : {}),
        ...(s.hello?.chain_address ? { chain_address: s.hello.chain_address } : {}),
      };
    }),
    functions: catalog.list(),
    ...(chain ? { chain: chain.status() } : {}),
  });

  const api = buildHeadApi({
    async execute(request, client) {
      const response = await execute(request, client);
      cache.set(response.request_id, response);
      return response;
    },
    install: (request) => installs.install(request),
    result: (id) => cache.get(id),
    status,
    metrics,
    logger: log("api"),
    maxBodyBytes: config.maxBodyBytes,
  });
  limitHttpServer(api.server, httpLimitsOf(config));
  const restAddress = await api.listen({ host: config.restHost, port: config.restPort });
  logger.info(
    { peerId: identity.peerId, addresses: host.getMultiaddrs().map((a) => a.toString()), rest: restAddress },
    `head ${config.name} started: REST ${restAddress}, p2p port ${config.p2pPort}`,
  );

  return {
    peerId: identity.peerId,
    host,
    restAddress: () => restAddress,
    status,
    async stop() {
      await api.close();
      chain?.stop();
      await sessions.stop();
      await host.stop();
    },
  };
}
