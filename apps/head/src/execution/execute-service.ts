/**
 * One execute request, start to finish: check it, roll-call the topic's workers over gossip, choose per
 * `number_of_nodes`, dispatch on the chosen workers' sessions, collect within their timeouts, aggregate like b7s
 * and answer with the string codes. The head answers as soon as it has every answer it can get; `message` explains
 * every outcome that is not a plain success.
 */
import { randomUUID } from "node:crypto";
import type { P2pHost } from "@allora/p2p";
import {
  AlloraError,
  type ChainRound,
  type EnvVar,
  type ExecuteRequest,
  type ExecuteResponse,
  encodeP2pMessage,
  isReservedEnvName,
  type Logger,
  type MsgExecute,
  type MsgExecuteResponse,
  type PeerFailure,
  parseTopicId,
  type ResultCode,
  type Usage,
  workerTopicName,
} from "@allora/protocol";
import type { FunctionCatalog } from "../functions/function-catalog.js";
import type { WorkerSessions } from "../network/worker-sessions.js";
import type { Admission } from "./admission.js";
import { aggregateResults } from "./aggregate.js";

/** A chain round's bundles, handed to the chain submitter. */
export interface RoundBundles {
  topicId: bigint;
  nonce: bigint;
  /** Base64 `WorkerDataBundle`s, with the peer that sent each. */
  bundles: Array<{ peer: string; bundle: string }>;
}

/** Options of {@link createExecuteService}. */
export interface ExecuteServiceOptions {
  host: P2pHost;
  sessions: WorkerSessions;
  catalog: FunctionCatalog;
  /** Whether the head may ask workers to run a function: it serves it or installed it. */
  isExecutable: (cid: string) => boolean;
  /** The longest a worker may run a function, whatever timeout it announces. */
  maxExecutionMs: number;
  logger: Logger;
  defaultRollCallMs: number;
  executionGraceMs: number;
  onRound?: (round: RoundBundles) => void;
  /** Of the answering peers, those not registered on the topic (undefined: not known, or not checked). */
  unregistered?: (topicId: bigint, peers: readonly string[]) => string[] | undefined;
  onOutcome?: (code: ResultCode, ms: number) => void;
  /** Who goes first: the chain's rounds straight through, hand-sent requests in a bounded lane. */
  admission?: Admission;
}

const DEFAULT_THRESHOLD = 0.6;
const DEFAULT_FUNCTION_TIMEOUT_MS = 20_000;

function shortPeer(peer: string): string {
  return peer.length > 16 ? `${peer.slice(0, 8)}…${peer.slice(-6)}` : peer;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** The execute flow. */
export function createExecuteService(options: ExecuteServiceOptions) {
  const { host, sessions, catalog, logger } = options;

  const chainRoundOf = (topicId: bigint, env: readonly EnvVar[]): ChainRound | undefined => {
    const height = env.find((e) => e.name === "ALLORA_BLOCK_HEIGHT_CURRENT")?.value;
    if (height === undefined || height === "") return undefined;
    if (!/^[0-9]{1,19}$/.test(height) || BigInt(height) === 0n) {
      throw new AlloraError(
        "REQUEST_INVALID",
        `ALLORA_BLOCK_HEIGHT_CURRENT "${height}" is not a positive block height`,
      );
    }
    return { topic_id: topicId.toString(), block_height: height };
  };

  /** The chain round a request names in its env vars, if any (validated later by `run`). */
  const claimedRound = (request: ExecuteRequest): { topic: string; nonce: string } | undefined => {
    const nonce = request.config?.env_vars?.find((e) => e.name === "ALLORA_BLOCK_HEIGHT_CURRENT")?.value;
    if (nonce === undefined || !/^[0-9]{1,19}$/.test(nonce) || !/^[0-9]{1,20}$/.test(request.topic ?? "")) return;
    return { topic: BigInt(request.topic as string).toString(), nonce: BigInt(nonce).toString() };
  };

  /** Runs a request; every outcome, including early 408s and 500s, is logged and counted. */
  return async function execute(request: ExecuteRequest, client = "local"): Promise<ExecuteResponse> {
    const admitted = await options.admission?.admit(claimedRound(request), client);
    const started = performance.now();
    let response: ExecuteResponse;
    try {
      response = await run(request, started, admitted?.priority === true);
    } finally {
      admitted?.release();
    }
    const ms = Math.round(performance.now() - started);
    const fields = {
      request: response.request_id,
      topic: request.topic,
      code: response.code,
      results: response.results?.length ?? 0,
      ms,
    };
    if (response.code === "200") logger.info(fields, "execute 200");
    else logger.warn(fields, `execute ${response.code}: ${response.message ?? ""}`);
    options.onOutcome?.(response.code, ms);
    return response;
  };

  async function run(request: ExecuteRequest, started: number, priority: boolean): Promise<ExecuteResponse> {
    const elapsed = () => Math.round(performance.now() - started);
    if (request.topic === undefined || request.topic === "") {
      throw new AlloraError(
        "TOPIC_INVALID",
        'topic is required: the id of the topic whose workers run the function, e.g. "1"',
      );
    }
    const topicId = parseTopicId(request.topic);
    const config = request.config ?? {};
    const envVars = (config.env_vars ?? []).filter((e) => e.name !== "TOPIC_ID");
    const reserved = envVars.filter((e) => isReservedEnvName(e.name)).map((e) => e.name);
    if (reserved.length > 0) {
      throw new AlloraError(
        "ENV_VAR_RESERVED",
        `env vars ${reserved.join(", ")} are reserved for the runtime; remove them from config.env_vars`,
      );
    }
    const cid = catalog.resolve(request.function_id);
    if (!options.isExecutable(cid)) {
      throw new AlloraError(
        "FUNCTION_NOT_SERVED",
        `function ${request.function_id} is neither served by this head nor installed through it, so no worker is asked to run it: install it first (POST /api/v1/functions/install) or use a function the head serves (GET /api/v1/status lists them)`,
      );
    }
    const served = catalog.get(cid);
    if (served && !served.methods.includes(request.method)) {
      throw new AlloraError(
        "FUNCTION_METHOD_UNKNOWN",
        `method "${request.method}" is not one of function ${served.name}'s methods: ${served.methods.join(", ")}`,
      );
    }
    const chainRound = chainRoundOf(topicId, envVars);
    const requestId = randomUUID();
    const topic = workerTopicName(topicId);
    const windowMs =
      config.timeout !== undefined && config.timeout > 0 ? config.timeout * 1000 : options.defaultRollCallMs;
    const wanted = config.number_of_nodes !== undefined && config.number_of_nodes >= 1 ? config.number_of_nodes : -1;
    const threshold = config.threshold ?? DEFAULT_THRESHOLD;
    const log = logger.child({ request: requestId, topic: topicId.toString() });

    // Roll call: who can run it now? Only connected workers subscribed to the topic can answer.
    const connectedWorkers = sessions.all().filter((s) => s.hello);
    const expected = new Set(
      host.services.pubsub
        .getSubscribers(topic)
        .filter((peer) => host.getConnections(peer).length > 0)
        .map((peer) => peer.toString()),
    );
    const noWorkers = (detail: string): ExecuteResponse => ({
      code: "408",
      request_id: requestId,
      message: `roll call for topic ${topicId} (${topic}) got no worker: ${detail}`,
      cluster: {},
    });
    if (expected.size === 0) {
      const otherTopics = [...new Set(connectedWorkers.flatMap((s) => s.hello?.topics ?? []))];
      return noWorkers(
        connectedWorkers.length === 0
          ? `no worker is connected to this head; answered in ${elapsed()} ms`
          : `none of the ${plural(connectedWorkers.length, "connected worker")} is subscribed to ${topic} (they serve ${otherTopics.join(", ") || "no topic"}); answered in ${elapsed()} ms`,
      );
    }
    if (wanted > expected.size) {
      return noWorkers(
        `the request asks for ${wanted} workers but only ${plural(expected.size, "connected worker")} serve${expected.size === 1 ? "s" : ""} it; answered in ${elapsed()} ms`,
      );
    }

    // The execute each chosen worker gets.
    const requestedMs =
      config.execution_timeout !== undefined ? Math.max(1, Math.round(config.execution_timeout * 1000)) : undefined;
    const message: MsgExecute = {
      type: "MsgExecute",
      request_id: requestId,
      function_id: cid,
      method: request.method,
      topic,
      parameters: (request.parameters ?? []).map((p) => p.value).filter((v) => v !== ""),
      env_vars: [...envVars, { name: "TOPIC_ID", value: topicId.toString() }],
      ...(typeof config.stdin === "string" ? { stdin: config.stdin } : {}),
      ...(requestedMs !== undefined ? { timeout_ms: requestedMs } : {}),
      ...(chainRound ? { chain_round: chainRound } : {}),
      timestamp: new Date().toISOString(),
    };
    type Answer = { peer: string; response?: MsgExecuteResponse; error?: PeerFailure };
    const runOn = async (peer: string): Promise<Answer> => {
      // Whatever a worker announces, the head bounds how long it waits for it.
      const workerMs = Math.min(
        sessions.get(peer)?.hello?.function_timeout_ms ?? DEFAULT_FUNCTION_TIMEOUT_MS,
        options.maxExecutionMs,
      );
      const limit = Math.min(workerMs, requestedMs ?? workerMs) + options.executionGraceMs;
      try {
        return { peer, response: await sessions.execute(peer, message, limit) };
      } catch (err) {
        const e = err instanceof AlloraError ? err : new AlloraError("WORKER_NO_ANSWER", String(err));
        return { peer, error: { code: e.code, message: e.message } };
      }
    };

    // Roll call. With number_of_nodes -1 every worker that accepts is chosen, so each subscribed worker gets its
    // execute together with the roll call and runs it once it has accepted (a worker that declines drops it): the
    // roll call and the runs overlap. With N, the first N acceptors get their execute once N have accepted.
    const accepted: string[] = [];
    const declined = new Map<string, PeerFailure>();
    const running = new Map<string, Promise<Answer>>();
    let finishRollCall: (end: "complete" | "timeout") => void = () => {};
    const rollCallDone = new Promise<"complete" | "timeout">((resolve) => {
      finishRollCall = resolve;
    });
    const check = () => {
      const answered = accepted.length + declined.size;
      if (wanted > 0 && accepted.length >= wanted) return finishRollCall("complete");
      if ([...expected].every((p) => accepted.includes(p) || declined.has(p))) return finishRollCall("complete");
      if (wanted > 0 && accepted.length + (expected.size - answered) < wanted) return finishRollCall("complete");
    };
    const stopListening = sessions.listenRollCall(requestId, (peer, response) => {
      if (accepted.includes(peer) || declined.has(peer) || response.function_id !== cid) return;
      if (response.code === "202") {
        accepted.push(peer);
        if (wanted < 0 && !running.has(peer)) running.set(peer, runOn(peer));
      } else {
        declined.set(peer, {
          code: response.error_code ?? `ROLL_CALL_${response.code}`,
          message: response.message ?? `declined with ${response.code}`,
        });
      }
      expected.add(peer);
      check();
    });
    const windowTimer = setTimeout(() => finishRollCall("timeout"), windowMs);
    // The roll call goes to every subscribed worker's session first (a fraction of a millisecond) and then on the
    // topic's gossip (which reaches every subscriber, with or without a session, a millisecond or two later); a
    // worker answers the first copy it gets. With number_of_nodes -1 the execute follows on the session at once.
    const rollCall = {
      type: "MsgRollCall" as const,
      origin: host.peerId.toString(),
      function_id: cid,
      request_id: requestId,
      topic,
      consensus: 0,
      ...(priority && chainRound ? { chain_round: chainRound } : {}),
    };
    for (const peer of expected) {
      const session = sessions.get(peer);
      if (!session || session.channel.isClosed) continue;
      try {
        session.channel.send(rollCall);
      } catch {
        continue; // the gossip copy still reaches it
      }
      if (wanted < 0 && !running.has(peer)) running.set(peer, runOn(peer));
    }
    try {
      await host.services.pubsub.publish(topic, encodeP2pMessage(rollCall));
    } catch (err) {
      clearTimeout(windowTimer);
      stopListening();
      return {
        code: "500",
        request_id: requestId,
        message: `could not publish the roll call on ${topic}: ${(err as Error).message}`,
        cluster: {},
      };
    }
    let rollCallEnd: "complete" | "timeout";
    try {
      rollCallEnd = await rollCallDone;
    } finally {
      clearTimeout(windowTimer);
      stopListening();
    }
    const rollCallMs = elapsed();
    const chosen = wanted > 0 ? accepted.slice(0, wanted) : [...accepted];
    for (const peer of running.keys()) if (!chosen.includes(peer)) sessions.cancel(requestId, peer);
    if (chosen.length === 0 || (wanted > 0 && chosen.length < wanted)) {
      const reasons = [...declined].map(([peer, f]) => `${shortPeer(peer)}: ${f.code} (${f.message})`);
      const counted = `${plural(expected.size, "connected worker")} subscribed, ${accepted.length + declined.size} answered, ${accepted.length} accepted`;
      const why =
        rollCallEnd === "timeout"
          ? `roll call for topic ${topicId} timed out after ${windowMs} ms: ${counted}`
          : `roll call for topic ${topicId} ended after ${rollCallMs} ms without enough workers: ${counted}`;
      return {
        code: "408",
        request_id: requestId,
        message: `${why}${wanted > 0 ? ` (needed ${wanted})` : ""}${reasons.length > 0 ? `; declined: ${reasons.join("; ")}` : ""}`,
        ...(declined.size > 0 ? { failures: Object.fromEntries(declined) } : {}),
        cluster: {},
      };
    }
    const answers = await Promise.all(chosen.map((peer) => running.get(peer) ?? runOn(peer)));

    const outputs: Array<{ peer: string; output: NonNullable<MsgExecuteResponse["result"]> }> = [];
    const usage: Record<string, Usage> = {};
    const failures: Record<string, PeerFailure> = Object.fromEntries(declined);
    const unanswered: string[] = [];
    const bundles: RoundBundles["bundles"] = [];
    for (const answer of answers) {
      if (answer.error) {
        unanswered.push(answer.peer);
        failures[answer.peer] = answer.error;
        continue;
      }
      const response = answer.response as MsgExecuteResponse;
      // A run the worker had to kill (timeout, output cap) or could not start is a failure, not a result.
      if (response.result && !response.error_code) outputs.push({ peer: answer.peer, output: response.result });
      if (response.usage) usage[answer.peer] = response.usage;
      if (response.error_code)
        failures[answer.peer] = { code: response.error_code, message: response.message ?? response.error_code };
      if (response.bundle) bundles.push({ peer: answer.peer, bundle: response.bundle });
      else if (response.bundle_error)
        failures[answer.peer] ??= { code: response.bundle_error.code, message: response.bundle_error.message };
    }
    const ratio = outputs.length / chosen.length;
    const code: ResultCode = ratio >= threshold ? "200" : ratio > 0 ? "206" : "204";
    const notes: string[] = [];
    if (code !== "200")
      notes.push(
        `${outputs.length} of ${plural(chosen.length, "chosen worker")} returned a result (threshold ${Math.round(threshold * 100)}%)`,
      );
    if (unanswered.length > 0) {
      notes.push(`no answer from ${unanswered.map((p) => `${p} (${failures[p]?.code})`).join(", ")}`);
    }
    const failed = Object.entries(failures).filter(([p]) => !unanswered.includes(p) && !declined.has(p));
    if (declined.size > 0) {
      notes.push(`declined the roll call: ${[...declined].map(([p, f]) => `${shortPeer(p)} ${f.code}`).join(", ")}`);
    }
    if (failed.length > 0)
      notes.push(`failed: ${failed.map(([p, f]) => `${shortPeer(p)} ${f.code}: ${f.message}`).join("; ")}`);
    const unregistered = options.unregistered?.(
      topicId,
      outputs.map((o) => o.peer),
    );
    if (unregistered && unregistered.length > 0) {
      notes.push(`not registered on the chain for topic ${topicId}: ${unregistered.map(shortPeer).join(", ")}`);
    }
    const response: ExecuteResponse = {
      code,
      request_id: requestId,
      ...(notes.length > 0
        ? { message: `${notes.join("; ")}; roll call ${rollCallMs} ms, total ${elapsed()} ms` }
        : {}),
      results: aggregateResults(outputs),
      usage,
      ...(Object.keys(failures).length > 0 ? { failures } : {}),
      ...(unanswered.length > 0 ? { unanswered_peers: unanswered } : {}),
      ...(unregistered && unregistered.length > 0 ? { unregistered_peers: unregistered } : {}),
      cluster: { main: chosen[0] as string, peers: chosen },
    };
    log.debug({ chosen: chosen.length, rollCallMs, unanswered: unanswered.length }, "execute collected");
    if (chainRound && bundles.length > 0) {
      options.onRound?.({ topicId, nonce: BigInt(chainRound.block_height), bundles });
    }
    return response;
  }
}

/** The execute function. */
export type ExecuteService = ReturnType<typeof createExecuteService>;
