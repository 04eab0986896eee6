/**
 * The worker node: the composition root that builds and wires every module (keys, host, function store, executor,
 * head sessions, roll-call handling, chain side, HTTP face) and owns their start and stop.
 */
import { mkdir, rm, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { defaultFunctionAliases } from "@allora/node-function";
import {
  createBootNodeKeeper,
  createP2pHost,
  fetchFunctionPackage,
  type MessageChannel,
  type P2pHost,
  parseBootNodes,
} from "@allora/p2p";
import {
  AlloraError,
  decodeP2pMessage,
  ensureKeyFolder,
  errorMessage,
  type Logger,
  type MsgExecute,
  type MsgExecuteResponse,
  type MsgRollCall,
  parseFunctionAliases,
  workerTopicName,
} from "@allora/protocol";
import type { ConfigOf } from "@allora/service";
import { Counter, createMetricsRegistry, Gauge, Histogram, readSecretFile } from "@allora/service";
import type { PeerId } from "@libp2p/interface";
import { peerIdFromString } from "@libp2p/peer-id";
import type { FastifyInstance } from "fastify";
import { parseInferenceOutput } from "./chain/inference-output.js";
import { createWorkerChain, type WorkerChain } from "./chain/worker-chain.js";
import type { workerConfig } from "./config.js";
import { createExecutor, type SandboxReport } from "./execution/executor.js";
import { parseFunctionEnv, planRun } from "./execution/function-runner.js";
import { logSandbox, openDataDirForSlots, sandboxOptions } from "./execution/sandbox.js";
import { Semaphore } from "./execution/semaphore.js";
import { createFunctionStore, type PackageSource, urlSource } from "./functions/function-store.js";
import { buildWorkerHttpApp } from "./http/app.js";
import { createHeadLinks } from "./network/head-links.js";

/** How long an execute waits for the roll call it belongs to (sent together, the gossip may arrive second). */
const ROLL_CALL_WAIT_MS = 3000;
/** How long a roll call's decision is kept for its execute. */
const DECISION_TTL_MS = 60_000;
/** How much longer an execute waits for a roll call that arrived but is still being decided (installing). */
const DECIDING_WAIT_MS = 30_000;

/** The worker's config. */
export type WorkerConfig = ConfigOf<typeof workerConfig>;

/** A snapshot of the worker for `/status`. */
export interface WorkerStatus {
  name: string;
  version: string;
  peer_id: string;
  addresses: string[];
  topics: string[];
  boot_nodes: Array<{ addr: string; peer: string }>;
  heads: string[];
  functions: Array<{ cid: string; name: string; version: string }>;
  running: number;
  max_concurrency: number;
  executed_total: number;
  /** The function sandbox in force (docs/WORKER.md, "Function sandbox"). */
  sandbox?: SandboxReport;
  chain?: ReturnType<WorkerChain["status"]>;
}

/** A started worker. */
export interface WorkerNode {
  readonly peerId: string;
  readonly host: P2pHost;
  status(): WorkerStatus;
  httpAddress(): string;
  stop(): Promise<void>;
}

function normaliseTopic(value: string): bigint {
  const m = /^allora-topic-(\d+)-worker$/.exec(value);
  return BigInt(m ? (m[1] as string) : value);
}

/** Builds and starts a worker. */
export async function startWorkerNode(
  config: WorkerConfig,
  deps: { logger: Logger; version: string },
): Promise<WorkerNode> {
  const { logger, version } = deps;
  const log = (module: string) => logger.child({ module });
  const dataDir = resolve(config.dataDir);
  const keyDir = resolve(config.keyDir ?? join(dataDir, "keys"));
  const topics = [...new Set(config.topics.map(normaliseTopic))];
  const topicNames = topics.map((t) => workerTopicName(t));
  const functionTimeoutMs = Math.round(config.functionTimeout * 1000);

  const identity = await ensureKeyFolder(keyDir);
  logger.info(
    { peerId: identity.peerId, keyDir },
    identity.created ? "created a new libp2p identity" : "loaded libp2p identity",
  );
  // Scratch folders left by a crash are removed; every run gets a fresh one.
  await rm(join(dataDir, "runs"), { recursive: true, force: true });
  await mkdir(join(dataDir, "runs"), { recursive: true });

  const mnemonic = config.chainMnemonicFile
    ? await readSecretFile(config.chainMnemonicFile, "chain mnemonic")
    : undefined;
  if (config.chainRpc && (!mnemonic || !config.chainRest)) {
    throw new AlloraError(
      "CONFIG_INVALID",
      `--chain-rpc is set but ${mnemonic ? "--chain-rest" : "--chain-mnemonic-file"} is not: the worker needs its key to register and sign, and the chain's REST face to check its registration`,
    );
  }
  const mainPy = resolve(config.mainPy);
  if (
    !(await stat(mainPy).then(
      (st) => st.isFile(),
      () => false,
    ))
  ) {
    throw new AlloraError(
      "MAIN_PY_MISSING",
      `--main-py ${mainPy} is not a file: the node function runs it for every request; point --main-py at your main.py`,
    );
  }

  const aliases = config.functionAliases
    ? parseFunctionAliases(config.functionAliases.join(","))
    : defaultFunctionAliases();
  const store = createFunctionStore({
    dir: join(dataDir, "functions"),
    aliases,
    gateways: config.functionGateways,
    logger: log("functions"),
  });
  await store.start();

  const metrics = createMetricsRegistry(config.name);
  const executions = new Counter({
    name: "allora_worker_executions_total",
    help: "function runs by outcome",
    labelNames: ["outcome"],
    registers: [metrics],
  });
  const rollCalls = new Counter({
    name: "allora_worker_roll_calls_total",
    help: "roll calls answered by code",
    labelNames: ["code"],
    registers: [metrics],
  });
  const runSeconds = new Histogram({
    name: "allora_worker_function_seconds",
    help: "function wall clock",
    registers: [metrics],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
  });
  const running = new Gauge({
    name: "allora_worker_running_functions",
    help: "functions running now",
    registers: [metrics],
  });

  const host = await createP2pHost({
    privateKey: identity.privateKey,
    listen: [`/ip4/${config.p2pHost}/tcp/${config.p2pPort}`],
    announce: config.announce,
  });
  const addresses = () => host.getMultiaddrs().map((a) => a.toString());

  const chain =
    config.chainRpc && mnemonic
      ? await createWorkerChain({
          rpc: config.chainRpc,
          rest: config.chainRest,
          chainId: config.chainId,
          mnemonic,
          gasPrice: config.chainGasPrice,
          faucetUrl: config.faucetUrl,
          topics,
          libp2pKey: identity.peerId,
          multiAddress: addresses()[0] ?? `/ip4/${config.p2pHost}/tcp/${config.p2pPort}/p2p/${identity.peerId}`,
          logger: log("chain"),
        })
      : undefined;

  if (config.functionSandbox.includes("uid")) await openDataDirForSlots(dataDir);
  const executor = createExecutor({
    scratchRoot: join(dataDir, "runs"),
    maxStdoutBytes: config.maxStdoutBytes,
    maxStderrBytes: config.maxStderrBytes,
    python: config.python,
    logger: log("executor"),
    sandbox: sandboxOptions({
      layers: config.functionSandbox,
      dataDir,
      keyDir,
      mnemonicFile: config.chainMnemonicFile,
      mainPy,
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
  // The launcher probes the sandbox now, so its report is logged at start, not at the first request.
  await executor.start().then(
    (report) => logSandbox(report, log("sandbox")),
    (err) =>
      log("sandbox").error(
        { code: "LAUNCHER_FAILED", python: config.python },
        `the function launcher did not start: ${errorMessage(err)}; runs will fail until --python works`,
      ),
  );
  const semaphore = new Semaphore(config.maxConcurrency);
  const settings = {
    mainPy,
    python: config.python,
    functionEnv: parseFunctionEnv(config.functionEnv),
    defaultTimeoutMs: functionTimeoutMs,
  };
  let executedTotal = 0;

  const peerSource = (peer: PeerId): PackageSource => ({
    describe: `head ${peer.toString()}`,
    fetch: (cid) => fetchFunctionPackage(host, peer, cid),
  });

  const execLog = log("execute");
  const respond = (channel: MessageChannel, response: MsgExecuteResponse) => {
    try {
      try {
        channel.send(response);
      } catch (err) {
        if ((err as AlloraError).code !== "P2P_MESSAGE_TOO_LARGE" || !response.result) throw err;
        // Escaping can make a capped output too large for one message: send the start of it and say so.
        channel.send({
          ...response,
          code: "200",
          result: {
            ...response.result,
            stdout: response.result.stdout.slice(0, 65_536),
            stderr: response.result.stderr.slice(0, 16_384),
          },
          error_code: "FUNCTION_OUTPUT_TOO_LARGE",
          message: "the function's output does not fit in one message once encoded; it was truncated",
        });
      }
    } catch (err) {
      execLog.warn(
        { code: "RESULT_UNDELIVERED", request: response.request_id, head: channel.remotePeer },
        `cannot deliver result: ${errorMessage(err)}`,
      );
    }
  };

  const execute = async (message: MsgExecute, channel: MessageChannel): Promise<void> => {
    const base = { type: "MsgExecuteResponse" as const, request_id: message.request_id };
    let fn: Awaited<ReturnType<typeof store.ensure>>;
    try {
      fn =
        store.get(message.function_id) ??
        (await store.ensure(message.function_id, peerSource(peerIdFromString(channel.remotePeer))));
    } catch (err) {
      executions.inc({ outcome: "install_failed" });
      return respond(channel, {
        ...base,
        code: "500",
        error_code: (err as AlloraError).code ?? "FUNCTION_INSTALL_FAILED",
        message: errorMessage(err),
      });
    }
    if (!fn.manifest.methods.includes(message.method)) {
      executions.inc({ outcome: "method_unknown" });
      return respond(channel, {
        ...base,
        code: "400",
        error_code: "FUNCTION_METHOD_UNKNOWN",
        message: `method "${message.method}" is not one of package ${fn.manifest.name}'s methods: ${fn.manifest.methods.join(", ")}`,
      });
    }
    const plan = planRun(message, fn, settings);
    if (plan.refusedEnv.length > 0) {
      execLog.warn(
        { code: "ENV_VAR_RESERVED", request: message.request_id, names: plan.refusedEnv },
        "ignored reserved env vars from the request",
      );
    }
    const release = await semaphore.acquire();
    running.inc();
    let result: Awaited<ReturnType<typeof executor.run>>;
    try {
      result = await executor.run(plan.request);
    } finally {
      release();
      running.dec();
    }
    executedTotal++;
    runSeconds.observe(result.usage.wall_clock_time / 1e9);
    executions.inc({ outcome: result.errorCode ?? (result.output.exit_code === 0 ? "ok" : "exit_nonzero") });
    const response: MsgExecuteResponse = {
      ...base,
      code:
        result.errorCode === "FUNCTION_TIMEOUT"
          ? "408"
          : result.errorCode === "FUNCTION_SPAWN_FAILED" || result.errorCode === "FUNCTION_SANDBOX_FAILED"
            ? "500"
            : "200",
      result: result.output,
      usage: result.usage,
      ...(result.errorCode ? { error_code: result.errorCode, message: result.message } : {}),
    };
    if (result.errorCode) {
      execLog.warn({ code: result.errorCode, request: message.request_id }, result.message ?? "function failed");
    } else {
      execLog.info(
        {
          request: message.request_id,
          exit: result.output.exit_code,
          ms: Math.round(result.usage.wall_clock_time / 1e6),
        },
        "function ran",
      );
    }
    if (message.chain_round) {
      if (!chain) {
        response.bundle_error = {
          code: "CHAIN_DISABLED",
          message: "this worker has no chain account (--chain-rpc unset)",
        };
      } else if (result.errorCode || result.output.exit_code !== 0) {
        response.bundle_error = {
          code: "INFERENCE_OUTPUT_INVALID",
          message: `the function failed (exit ${result.output.exit_code}); nothing to sign`,
        };
      } else {
        try {
          response.bundle = await chain.signBundle(message.chain_round, parseInferenceOutput(result.output.stdout));
        } catch (err) {
          response.bundle_error = {
            code: (err as AlloraError).code ?? "BUNDLE_SIGN_FAILED",
            message: errorMessage(err),
          };
        }
      }
      if (response.bundle_error)
        execLog.warn({ code: response.bundle_error.code, request: message.request_id }, response.bundle_error.message);
    }
    respond(channel, response);
  };

  const links = createHeadLinks({
    host,
    logger: log("sessions"),
    hello: () => ({
      type: "MsgWorkerHello",
      version,
      topics: topicNames,
      function_timeout_ms: functionTimeoutMs,
      max_concurrency: config.maxConcurrency,
      ...(chain ? { chain_address: chain.address } : {}),
    }),
    handlers: {
      onExecute: (message, channel) => {
        void decisionOf(message.request_id)
          .then((decision) => {
            release(message.request_id);
            if (decision === "accepted") {
              return execute(message, channel);
            }
            respond(channel, {
              type: "MsgExecuteResponse",
              request_id: message.request_id,
              code: decision === "declined" ? "503" : "409",
              error_code: decision === "declined" ? "ROLL_CALL_DECLINED" : "ROLL_CALL_UNSEEN",
              message:
                decision === "declined"
                  ? "this worker declined the roll call of this request, so it does not run it"
                  : `this worker never received the roll call of this request within ${ROLL_CALL_WAIT_MS} ms`,
            });
          })
          .catch((err) => execLog.error({ code: "INTERNAL", err, request: message.request_id }, "execute failed"));
      },
      onRollCall: (message, head) => {
        void answerRollCall(message, head).catch((err) =>
          rollLog.warn(
            { code: "ROLL_CALL_REPLY_FAILED", request: message.request_id },
            `cannot answer roll call: ${errorMessage(err)}`,
          ),
        );
      },
      onHeadFunctions: (head, cids) => {
        for (const cid of cids) {
          if (store.get(cid)) continue;
          void store
            .ensure(cid, peerSource(head))
            .catch((err) =>
              log("functions").warn({ code: (err as AlloraError).code, cid }, `prefetch failed: ${errorMessage(err)}`),
            );
        }
      },
    },
  });

  const rollLog = log("roll-call");
  // Each roll call's decision, by request id. An execute runs only for a roll call this worker accepted: with
  // number_of_nodes -1 the head sends the execute together with the roll call, so it may arrive first and waits here.
  type Decision = "accepted" | "declined";
  const decisions = new Map<
    string,
    { seen?: boolean; decision?: Decision; waiters: Array<(d: Decision | "unseen") => void> }
  >();
  const seen = (requestId: string) => {
    const entry = decisions.get(requestId) ?? { waiters: [] };
    entry.seen = true;
    decisions.set(requestId, entry);
  };
  const decide = (requestId: string, decision: Decision) => {
    const entry = decisions.get(requestId) ?? { waiters: [] };
    entry.decision = decision;
    decisions.set(requestId, entry);
    for (const waiter of entry.waiters.splice(0)) waiter(decision);
    setTimeout(() => decisions.delete(requestId), DECISION_TTL_MS).unref();
  };
  const decisionOf = (requestId: string): Promise<Decision | "unseen"> => {
    const entry = decisions.get(requestId);
    if (entry?.decision) return Promise.resolve(entry.decision);
    return new Promise((resolve) => {
      const e = entry ?? { waiters: [] };
      decisions.set(requestId, e);
      const giveUp = () => {
        e.waiters = e.waiters.filter((w) => w !== done);
        if (!e.decision && e.waiters.length === 0) decisions.delete(requestId);
        resolve("unseen");
      };
      // A roll call still being decided (e.g. installing its package) gets longer than one never seen at all.
      let timer = setTimeout(() => {
        if (e.seen) timer = setTimeout(giveUp, DECIDING_WAIT_MS);
        else giveUp();
      }, ROLL_CALL_WAIT_MS);
      const done = (d: Decision | "unseen") => {
        clearTimeout(timer);
        resolve(d);
      };
      e.waiters.push(done);
    });
  };
  // An accepted roll call holds a place until its execute arrives (or the head chooses others and it expires),
  // so a burst of roll calls cannot overcommit the worker.
  const reserved = new Map<string, ReturnType<typeof setTimeout>>();
  const release = (requestId: string) => {
    const timer = reserved.get(requestId);
    if (timer) clearTimeout(timer);
    reserved.delete(requestId);
  };
  const answerRollCall = async (message: MsgRollCall, origin: PeerId) => {
    // The head sends each roll call twice (its session, then gossip): answer the first copy only.
    if (decisions.get(message.request_id)?.seen) return;
    seen(message.request_id);
    const reply = async (code: string, extra: { message?: string; error_code?: string } = {}) => {
      rollCalls.inc({ code });
      const channel = await links.open(origin);
      channel.send({
        type: "MsgRollCallResponse",
        code,
        function_id: message.function_id,
        request_id: message.request_id,
        ...extra,
      });
    };
    if (semaphore.load + reserved.size >= config.maxConcurrency + config.maxQueued) {
      decide(message.request_id, "declined");
      return reply("503", {
        error_code: "WORKER_BUSY",
        message: `${semaphore.inUse} runs in progress and ${semaphore.load - semaphore.inUse + reserved.size} waiting; the limits are ${config.maxConcurrency} and ${config.maxQueued}`,
      });
    }
    reserved.set(message.request_id, setTimeout(() => reserved.delete(message.request_id), 30_000).unref());
    try {
      await store.ensure(message.function_id, peerSource(origin));
    } catch (err) {
      rollLog.warn(
        { code: (err as AlloraError).code, request: message.request_id },
        `cannot accept roll call: ${errorMessage(err)}`,
      );
      release(message.request_id);
      decide(message.request_id, "declined");
      return reply("500", {
        error_code: (err as AlloraError).code ?? "FUNCTION_INSTALL_FAILED",
        message: errorMessage(err),
      });
    }
    decide(message.request_id, "accepted");
    return reply("202");
  };

  host.services.pubsub.addEventListener("message", (evt) => {
    const msg = evt.detail;
    if (!topicNames.includes(msg.topic) || msg.type !== "signed") return;
    let decoded: ReturnType<typeof decodeP2pMessage>;
    try {
      decoded = decodeP2pMessage(msg.data, { accept: ["MsgRollCall", "MsgInstallFunction"] });
    } catch (err) {
      rollLog.warn(
        { code: (err as AlloraError).code, from: msg.from.toString() },
        `ignoring invalid gossip message: ${errorMessage(err)}`,
      );
      return;
    }
    if (decoded.origin !== msg.from.toString()) {
      rollLog.warn(
        { code: "ROLL_CALL_ORIGIN_MISMATCH", from: msg.from.toString() },
        "ignoring a message whose origin is not its signer",
      );
      return;
    }
    if (decoded.type === "MsgRollCall") {
      void answerRollCall(decoded, msg.from).catch((err) =>
        rollLog.warn(
          { code: "ROLL_CALL_REPLY_FAILED", request: decoded.request_id },
          `cannot answer roll call: ${errorMessage(err)}`,
        ),
      );
    } else {
      const from = peerSource(msg.from);
      void store
        .ensure(
          decoded.cid,
          decoded.uri
            ? {
                describe: `uri ${decoded.uri} or head`,
                fetch: (cid) =>
                  urlSource(decoded.uri as string)
                    .fetch(cid)
                    .catch(() => from.fetch(cid)),
              }
            : from,
        )
        .then(() => links.open(msg.from))
        .then((ch) =>
          ch.send({ type: "MsgInstallFunctionResponse", code: "202", cid: decoded.cid, message: "installed" }),
        )
        .catch((err) =>
          rollLog.warn({ code: (err as AlloraError).code, cid: decoded.cid }, `install failed: ${errorMessage(err)}`),
        );
    }
  });
  for (const name of topicNames) host.services.pubsub.subscribe(name);

  const keeper = createBootNodeKeeper({
    host,
    bootNodes: parseBootNodes(config.bootNodes),
    logger: log("boot-nodes"),
    onConnected: (peer) => void links.open(peer).catch(() => undefined),
  });
  keeper.start();
  chain?.start();

  const status = (): WorkerStatus => ({
    name: config.name,
    version,
    peer_id: identity.peerId,
    addresses: addresses(),
    topics: topics.map(String),
    boot_nodes: keeper.connected(),
    heads: links.heads(),
    functions: store.list().map((f) => ({ cid: f.cid, name: f.manifest.name, version: f.manifest.version })),
    running: semaphore.inUse,
    max_concurrency: config.maxConcurrency,
    executed_total: executedTotal,
    ...(executor.sandbox() ? { sandbox: executor.sandbox() } : {}),
    ...(chain ? { chain: chain.status() } : {}),
  });

  const http: FastifyInstance = buildWorkerHttpApp({ status, metrics, logger: log("http") });
  const httpAddress = await http.listen({ host: config.httpHost, port: config.httpPort });
  logger.info(
    {
      peerId: identity.peerId,
      addresses: addresses(),
      topics: topicNames,
      http: httpAddress,
      bootNodes: config.bootNodes,
    },
    `worker ${config.name} started: serving topics ${topics.join(", ")}`,
  );

  return {
    peerId: identity.peerId,
    host,
    status,
    httpAddress: () => httpAddress,
    async stop() {
      keeper.stop();
      chain?.stop();
      executor.killAll();
      await links.closeAll();
      await http.close();
      await host.stop();
    },
  };
}
