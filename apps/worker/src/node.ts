/**
 * The worker node: the composition root that builds and wires every module (keys, host, function store, executor,
 * head sessions, roll-call handling, chain side, HTTP face) and owns their start and stop.
 */
import { mkdir, rm, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { defaultFunctionAliases, runnerPackageCid } from "@allora/node-function";
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
  type MsgInstallFunction,
  type MsgRollCall,
  parseFunctionAliases,
  workerTopicName,
} from "@allora/protocol";
import type { ConfigOf } from "@allora/service";
import {
  Counter,
  createMetricsRegistry,
  Gauge,
  Histogram,
  httpLimitsOf,
  limitHttpServer,
  readSecretFile,
} from "@allora/service";
import type { PeerId } from "@libp2p/interface";
import { peerIdFromString } from "@libp2p/peer-id";
import type { FastifyInstance } from "fastify";
import { parseInferenceOutput } from "./chain/inference-output.js";
import { createWorkerChain, type WorkerChain } from "./chain/worker-chain.js";
import type { workerConfig } from "./config.js";
import { createLauncherClient } from "./execution/launcher-client.js";
import type { SandboxReport } from "./execution/launcher-protocol.js";
import { type FunctionMode, parseFunctionEnv, planRun } from "./execution/run-plan.js";
import { logSandbox, openDataDirForSlots, sandboxOptions } from "./execution/sandbox.js";
import { Semaphore } from "./execution/semaphore.js";
import { createFunctionStore, type PackageSource, urlSource } from "./functions/function-store.js";
import { buildWorkerHttpApp } from "./http/app.js";
import { createHeadLinks } from "./network/head-links.js";
import { createRollCallBook } from "./roll-call/roll-call-book.js";
import { createFunctionPolicy } from "./trust/function-policy.js";
import { createTrustedHeads } from "./trust/trusted-heads.js";

/** How long an execute waits for the roll call it belongs to (sent together, the gossip may arrive second). */
const ROLL_CALL_WAIT_MS = 3000;

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
  trusted_heads: Array<{ peer: string; source: string }>;
  allowed_functions: string[];
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
  const trust = await createTrustedHeads({
    bootNodes: config.bootNodes,
    explicit: config.trustedHeads,
    knownHeadsFile: join(dataDir, "known-heads.json"),
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
    logger.warn(
      { code: "NO_TRUSTED_HEAD" },
      "no --boot-nodes and no --trusted-heads: this worker obeys no head and will run nothing",
    );
  }

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
  const refusals = new Counter({
    name: "allora_worker_refusals_total",
    help: "messages refused by the worker's trust checks, by code",
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
  const executor = createLauncherClient({
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
    (report) => {
      logSandbox(report, log("sandbox"));
      log("sandbox").info(
        { function_mode: config.functionMode },
        config.functionMode === "warm"
          ? "function mode warm: Python functions fork a sandboxed process that imported their modules once"
          : "function mode cold: every run starts a fresh interpreter",
      );
    },
    (err) =>
      log("sandbox").error(
        { code: "LAUNCHER_FAILED", python: config.python },
        `the function launcher did not start: ${errorMessage(err)}; runs will fail until --python works`,
      ),
  );
  // Hand-sent requests never take the round slots, and the chain's rounds wait first in line.
  const semaphore = new Semaphore(config.maxConcurrency, config.roundSlots);
  const settings = {
    mainPy,
    python: config.python,
    functionEnv: parseFunctionEnv(config.functionEnv),
    defaultTimeoutMs: functionTimeoutMs,
    functionMode: config.functionMode as FunctionMode,
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

  const execute = async (
    message: MsgExecute,
    channel: MessageChannel,
    ownFunction: boolean,
    priority: boolean,
  ): Promise<void> => {
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
    const release = await semaphore.acquire(priority);
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
      const roundTopic = normaliseTopic(message.chain_round.topic_id);
      if (!ownFunction || roundTopic !== normaliseTopic(message.topic)) {
        response.bundle_error = {
          code: "BUNDLE_REFUSED",
          message: !ownFunction
            ? `function ${message.function_id} is not topic ${roundTopic}'s own function; nothing is signed for it`
            : `the chain round is for topic ${roundTopic}, the roll call for ${message.topic}; nothing is signed`,
        };
      } else if (!chain) {
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

  const rollLog = log("roll-call");
  const book = createRollCallBook({
    capacity: () => config.maxConcurrency + config.maxQueued,
    reservedForRounds: () => semaphore.reserved,
    load: () => semaphore.load,
    unseenWaitMs: ROLL_CALL_WAIT_MS,
  });
  // Refusals are logged once per peer and code (a hostile peer cannot flood the log) and always counted.
  const refusedOnce = new Set<string>();
  const refuse = (code: string, peer: string, text: string) => {
    refusals.inc({ code });
    const key = `${code}/${peer}`;
    if (refusedOnce.has(key)) return;
    if (refusedOnce.size > 10_000) refusedOnce.clear();
    refusedOnce.add(key);
    rollLog.warn({ code, peer }, text);
  };

  const links = createHeadLinks({
    host,
    logger: log("sessions"),
    isTrusted: (peer) => trust.isTrusted(peer),
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
        void book
          .outcomeOf(message.request_id)
          .then((outcome) => {
            book.release(message.request_id);
            if (outcome.decision === "accepted") {
              const facts = outcome.facts;
              // The execute must be the one the accepted roll call announced: same head, function and topic.
              const mismatch =
                facts.origin !== channel.remotePeer
                  ? "it comes from another head than the roll call"
                  : facts.functionId !== message.function_id
                    ? `its function ${message.function_id} is not the roll call's ${facts.functionId}`
                    : normaliseTopic(message.topic) !== facts.topicId
                      ? `its topic ${message.topic} is not the roll call's (${facts.topicId})`
                      : undefined;
              if (mismatch) {
                refuse("EXECUTE_MISMATCH", channel.remotePeer, `refusing an execute: ${mismatch}`);
                return respond(channel, {
                  type: "MsgExecuteResponse",
                  request_id: message.request_id,
                  code: "403",
                  error_code: "EXECUTE_MISMATCH",
                  message: `this worker refuses the execute: ${mismatch}`,
                });
              }
              return execute(message, channel, facts.own, facts.priority === true);
            }
            respond(channel, {
              type: "MsgExecuteResponse",
              request_id: message.request_id,
              code: outcome.decision === "declined" ? "503" : "409",
              error_code: outcome.decision === "declined" ? "ROLL_CALL_DECLINED" : "ROLL_CALL_UNSEEN",
              message:
                outcome.decision === "declined"
                  ? "this worker declined the roll call of this request, so it does not run it"
                  : `this worker never received the roll call of this request within ${ROLL_CALL_WAIT_MS} ms`,
            });
          })
          .catch((err) => execLog.error({ code: "INTERNAL", err, request: message.request_id }, "execute failed"));
      },
      onRollCall: (message, head) => intake(message, head),
      onHeadFunctions: (head, cids) => {
        for (const cid of cids) {
          if (store.get(cid)) continue;
          void isAllowedAnywhere(cid).then((allowed) => {
            if (!allowed) return;
            return store
              .ensure(cid, peerSource(head))
              .then(() => undefined)
              .catch((err) =>
                log("functions").warn(
                  { code: (err as AlloraError).code, cid },
                  `prefetch failed: ${errorMessage(err)}`,
                ),
              );
          });
        }
      },
    },
  });

  /** Whether `cid` is allowed on any topic this worker serves (for installs, which name no topic). */
  const isAllowedAnywhere = async (cid: string): Promise<boolean> => {
    for (const topic of topics) if ((await policy.check(topic, cid)).allowed) return true;
    return false;
  };

  /**
   * The one intake for roll calls, from a head's session or from gossip (judged by the gossip's signed author):
   * trust, topic, function policy, rate, capacity, then install and accept.
   */
  const intake = (message: MsgRollCall, origin: PeerId) => {
    void answerRollCall(message, origin).catch((err) =>
      rollLog.warn(
        { code: "ROLL_CALL_REPLY_FAILED", request: message.request_id },
        `cannot answer roll call: ${errorMessage(err)}`,
      ),
    );
  };

  // Chain rounds that already got priority here, oldest first (bounded: a round is over within minutes).
  const claimedRounds = new Set<string>();
  const firstClaim = (key: string): boolean => {
    if (claimedRounds.has(key)) return false;
    claimedRounds.add(key);
    if (claimedRounds.size > 4096) claimedRounds.delete(claimedRounds.values().next().value as string);
    return true;
  };

  const answerRollCall = async (message: MsgRollCall, origin: PeerId) => {
    const head = origin.toString();
    if (!trust.isTrusted(head)) {
      // No answer, no session, no install: an untrusted peer learns nothing from this worker.
      return refuse("ROLL_CALL_UNTRUSTED", head, "ignoring roll calls from a peer that is not a trusted head");
    }
    // The head sends each roll call twice (its session, then gossip): answer the first copy only.
    if (!book.firstSight(message.request_id)) return;
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
    const decline = (code: string, errorCode: string, text: string) => {
      book.decide(message.request_id, "declined");
      return reply(code, { error_code: errorCode, message: text });
    };
    const topicId = normaliseTopic(message.topic);
    if (!topics.includes(topicId)) {
      return decline("400", "TOPIC_NOT_SERVED", `this worker does not serve topic ${message.topic}`);
    }
    // The chain's round gets priority once per (topic, nonce), whatever a head claims after that.
    const chainRound =
      message.chain_round !== undefined &&
      normaliseTopic(message.chain_round.topic_id) === topicId &&
      firstClaim(`${topicId}/${message.chain_round.block_height}`);
    if (!chainRound && !book.withinRate(head)) {
      return decline("429", "ROLL_CALL_RATE_LIMITED", "this head sends roll calls faster than this worker takes them");
    }
    const verdict = await policy.check(topicId, message.function_id);
    if (!verdict.allowed) {
      refuse(verdict.code, head, verdict.message);
      return decline("403", verdict.code, verdict.message);
    }
    if (!book.hasRoom(chainRound)) {
      return decline(
        "503",
        "WORKER_BUSY",
        `${semaphore.inUse} runs in progress and ${semaphore.load - semaphore.inUse + book.reservations()} waiting; the limits are ${config.maxConcurrency} and ${config.maxQueued}`,
      );
    }
    book.reserve(message.request_id);
    try {
      await store.ensure(message.function_id, peerSource(origin));
    } catch (err) {
      rollLog.warn(
        { code: (err as AlloraError).code, request: message.request_id },
        `cannot accept roll call: ${errorMessage(err)}`,
      );
      book.release(message.request_id);
      return decline("500", (err as AlloraError).code ?? "FUNCTION_INSTALL_FAILED", errorMessage(err));
    }
    book.decide(message.request_id, "accepted", {
      origin: head,
      topicId,
      functionId: message.function_id,
      own: verdict.own,
      priority: chainRound,
    });
    return reply("202");
  };

  const installFromGossip = async (message: MsgInstallFunction, from: PeerId) => {
    if (!(await isAllowedAnywhere(message.cid))) {
      return refuse(
        "FUNCTION_NOT_ALLOWED",
        from.toString(),
        `not installing ${message.cid}: it is not the function of a topic this worker serves; allow it with --allow-functions`,
      );
    }
    const head = peerSource(from);
    await store.ensure(
      message.cid,
      message.uri
        ? {
            describe: `uri ${message.uri} or head`,
            fetch: (cid) =>
              urlSource(message.uri as string)
                .fetch(cid)
                .catch(() => head.fetch(cid)),
          }
        : head,
    );
    const channel = await links.open(from);
    channel.send({ type: "MsgInstallFunctionResponse", code: "202", cid: message.cid, message: "installed" });
  };

  host.services.pubsub.addEventListener("message", (evt) => {
    const msg = evt.detail;
    if (!topicNames.includes(msg.topic) || msg.type !== "signed") return;
    // Gossip is judged by its signed author, before anything else is read from it.
    if (!trust.isTrusted(msg.from.toString())) {
      return refuse(
        "ROLL_CALL_UNTRUSTED",
        msg.from.toString(),
        "ignoring gossip from a peer that is not a trusted head",
      );
    }
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
      refuse("ROLL_CALL_ORIGIN_MISMATCH", msg.from.toString(), "ignoring a message whose origin is not its signer");
      return;
    }
    if (decoded.type === "MsgRollCall") intake(decoded, msg.from);
    else {
      void installFromGossip(decoded, msg.from).catch((err) =>
        rollLog.warn({ code: (err as AlloraError).code, cid: decoded.cid }, `install failed: ${errorMessage(err)}`),
      );
    }
  });
  for (const name of topicNames) host.services.pubsub.subscribe(name);

  const keeper = createBootNodeKeeper({
    host,
    bootNodes: parseBootNodes(config.bootNodes),
    logger: log("boot-nodes"),
    onConnected: (peer, addr) => {
      void trust
        .admitBootConnection(addr.toString(), peer.toString())
        .then((admitted) => {
          if (admitted) return links.open(peer).then(() => undefined);
          refusals.inc({ code: "HEAD_ID_CHANGED" });
          return host.hangUp(peer).then(() => undefined);
        })
        .catch(() => undefined);
    },
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
    trusted_heads: trust.list(),
    allowed_functions: policy.extra(),
    functions: store.list().map((f) => ({ cid: f.cid, name: f.manifest.name, version: f.manifest.version })),
    running: semaphore.inUse,
    max_concurrency: config.maxConcurrency,
    executed_total: executedTotal,
    ...(executor.sandbox() ? { sandbox: executor.sandbox() } : {}),
    ...(chain ? { chain: chain.status() } : {}),
  });

  const http: FastifyInstance = buildWorkerHttpApp({ status, metrics, logger: log("http") });
  limitHttpServer(http.server, httpLimitsOf(config));
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
