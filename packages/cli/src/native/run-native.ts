/**
 * `allocmd run --native`: the project's dev network as processes on this machine, no Docker: chain, head, the sample
 * model, the dashboard and THIS project's worker (its keys, its main.py), each started by `@allora/devnet`'s process
 * runner (the one `pnpm dev` uses: health-gated, one log file per node, stopped in order), from the programs this
 * allocmd ships. Before it says ready, one request goes through the head to the worker, so a main.py that crashes is
 * reported now, in one line, with nothing left running. Then it runs in the foreground until Ctrl-C (or `allocmd
 * stop` from another terminal), and stops every node.
 */
import { chmod, stat } from "node:fs/promises";
import { join } from "node:path";
import { formatBanner } from "@allora/devnet/banner";
import type { NetworkDescription } from "@allora/devnet/description";
import { createLineFormatter } from "@allora/devnet/log-format";
import { findTakenPorts } from "@allora/devnet/ports";
import {
  NodeStartError,
  type ProcessNetwork,
  StartAbortedError,
  startProcessNetwork,
} from "@allora/devnet/process-runner";
import { type PreparedNetwork, prepareNetwork } from "@allora/devnet/state";
import { createHeadClient, errorMessage, makeGuideExecuteRequest } from "@allora/protocol";
import type { Project } from "../config/load-config.js";
import { runProcess } from "../docker/run-process.js";
import { CliError } from "../errors.js";
import { checkMainPyRun } from "../main-py/check-output.js";
import type { CliIo, Output } from "../output.js";
import { formatMs } from "../output.js";
import { clearJoinRecord } from "../project/join-record.js";
import { requireIdentity } from "../project/worker-identity.js";
import { describeProjectNetwork, NATIVE_STATE_DIR } from "./native-network.js";
import { clearNativeRecord, isRunnerAlive, loadNativeRecord, saveNativeRecord } from "./native-record.js";

/** Options of {@link runNative}. */
export interface NativeRunOptions {
  /** How long the nodes get to be healthy and the head to see the worker on its topics. */
  timeoutMs: number;
  /** Print only the nodes' warnings and errors (every line is in their log files anyway). */
  quiet: boolean;
}

async function requirePython(): Promise<void> {
  const res = await runProcess("python3", ["--version"], { timeoutMs: 10_000 });
  if (res.code !== 0) {
    throw new CliError("PYTHON_MISSING", `python3 does not run here (${res.spawnError ?? `exit ${res.code}`})`, {
      hint: "the worker runs main.py with python3: install Python 3 (e.g. apt install python3), then allocmd doctor",
    });
  }
}

/** Fails naming every port of the network that something else holds. */
async function requireFreePorts(network: ReturnType<typeof describeProjectNetwork>): Promise<void> {
  const taken = await findTakenPorts(network);
  if (taken.length === 0) return;
  const list = taken.map((t) => `${t.port} (${t.node} ${t.role})${t.owner ? ` held by ${t.owner}` : ""}`);
  throw new CliError("PORTS_TAKEN", `ports the native network needs are in use: ${list.join("; ")}`, {
    hint:
      "stop what holds them (another network: Ctrl-C in its terminal, or `allocmd stop` in its project), " +
      "or move the ports in config.yaml's dev, inference and worker sections and run allocmd init",
  });
}

/**
 * Sends one request for the project's first topic through the head and judges this worker's answer with the same
 * contract check as `allocmd test`. Returns the value, or throws `MAIN_PY_FAILED` saying what main.py did.
 */
async function firstRun(project: Project, headUrl: string, peerId: string): Promise<string> {
  const { config } = project;
  const topic = config.topics[0] as { id: number; arg: string };
  const timeoutMs = config.worker.function_timeout * 1000;
  const head = createHeadClient(headUrl, { timeoutMs: timeoutMs + 30_000 });
  const res = await head.execute(makeGuideExecuteRequest({ topic: String(topic.id), arg: topic.arg, timeout: 2 }));
  const group = res.results?.find((g) => g.peers.includes(peerId));
  const failure = res.failures?.[peerId];
  const fix = "fix main.py (check it with `allocmd test`), then run again; nothing was left running";
  if (group) {
    const verdict = checkMainPyRun(
      {
        stdout: group.result.stdout,
        stderr: group.result.stderr,
        exitCode: group.result.exit_code,
        signal: null,
        timedOut: failure?.code === "FUNCTION_TIMEOUT",
        durationMs: 0,
        argv: [],
        env: {},
      },
      timeoutMs,
    );
    if (verdict.status === "ok") return verdict.value as string;
    const lastStderr = group.result.stderr.trim().split("\n").slice(-1)[0];
    const why = verdict.error ?? lastStderr ?? verdict.problems[0] ?? "no value";
    throw new CliError(
      "MAIN_PY_FAILED",
      `main.py failed on its first run (topic ${topic.id}, ${topic.arg}; exit code ${group.result.exit_code}): ${why}`,
      { hint: fix },
    );
  }
  const reason = failure ? `${failure.code}: ${failure.message}` : `the head answered code ${res.code}: ${res.message}`;
  throw new CliError("MAIN_PY_FAILED", `the worker gave no answer to its first request (${reason})`, { hint: fix });
}

/** The message of the last error (or fatal) line in a node's log tail, with its code. */
function lastError(tail: string): string | undefined {
  for (const line of tail.split("\n").reverse()) {
    try {
      const entry = JSON.parse(line) as { level?: string; msg?: string; code?: string };
      if (entry.level === "error" || entry.level === "fatal") {
        const msg = String(entry.msg ?? "")
          .split("\n")
          .map((l) => l.trim())
          .join(" ");
        return `${entry.code ? `${entry.code}: ` : ""}${msg}`;
      }
    } catch {
      // not a log line
    }
  }
  return undefined;
}

/** Refuses to start without a main.py, beside a native network of this project that still runs, or without Python. */
async function requireStartable(project: Project): Promise<string> {
  const { dir } = project;
  const mainPy = join(dir, "main.py");
  if (
    !(await stat(mainPy).then(
      (s) => s.isFile(),
      () => false,
    ))
  ) {
    throw new CliError("CONFIG_MISSING", `no main.py in ${dir}`, {
      hint: "allocmd init writes a sample main.py when the file is missing",
    });
  }
  const running = await loadNativeRecord(dir);
  if (running && (await isRunnerAlive(running))) {
    throw new CliError("NETWORK_RUNNING", `this project's native network already runs (pid ${running.pid})`, {
      hint: "use it (allocmd request, allocmd status), or stop it: Ctrl-C in its terminal, or allocmd stop",
    });
  }
  await requirePython();
  return mainPy;
}

/**
 * One set of signal handlers for the whole run: while starting, a signal aborts the start (the process runner
 * stops every node started so far); once running, `onSignal` is replaced to stop the network in order.
 */
function createSignalRelay(out: Output) {
  const startup = new AbortController();
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  const relay = {
    startup,
    aborted: new Promise<"aborted">((resolve) =>
      startup.signal.addEventListener("abort", () => resolve("aborted"), { once: true }),
    ),
    onSignal: (signal: string) => {
      out.progress(`${signal} while starting: stopping every node`);
      startup.abort(signal);
    },
    remove: () => {
      for (const s of signals) process.off(s, listener);
    },
  };
  const listener = (signal: string) => relay.onSignal(signal);
  for (const s of signals) process.on(s, listener);
  return relay;
}

type SignalRelay = ReturnType<typeof createSignalRelay>;

/** Starts every node, streaming their logs; a node that does not start fails with the reason its log gives. */
async function startNativeNodes(
  ctx: { project: Project; io: CliIo; out: Output; options: NativeRunOptions },
  network: NetworkDescription,
  prepared: PreparedNetwork,
  relay: SignalRelay,
): Promise<ProcessNetwork | 130> {
  const { io, out, options } = ctx;
  const format = createLineFormatter(
    network.nodes.map((n) => n.name),
    io.color,
  );
  try {
    return await startProcessNetwork(network, prepared, {
      healthTimeoutMs: options.timeoutMs,
      readyTimeoutMs: options.timeoutMs,
      signal: relay.startup.signal,
      onProgress: (m) => out.progress(`  ${m}`),
      onLine: ({ node, line }) => {
        if (!options.quiet || /"level":"(warn|error|fatal)"/.test(line)) io.stdout.write(`${format(node, line)}\n`);
      },
      onNodeExit: (exit) =>
        out.warn(
          `${exit.node} ${exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`}; ` +
            `the others keep running. Its log: ${exit.logFile}`,
        ),
    });
  } catch (err) {
    relay.remove();
    if (err instanceof StartAbortedError) return 130;
    const node = err instanceof NodeStartError ? err.node : ctx.project.config.name;
    const first = errorMessage(err).split("\n")[0] as string;
    const why = err instanceof NodeStartError ? lastError(err.tail) : undefined;
    throw new CliError("NODE_START_FAILED", `the native network did not start: ${first}${why ? `: ${why}` : ""}`, {
      hint: `${node}'s log says why: ${join(prepared.logDir, `${node}.log`)}; nothing was left running`,
    });
  }
}

/** The value of the first request through the head, or "aborted"; on failure the network is stopped. */
async function proveFirstRun(
  project: Project,
  net: ProcessNetwork,
  relay: SignalRelay,
  facts: { headUrl: string; peerId: string; logDir: string },
): Promise<string | "aborted"> {
  try {
    const first = await Promise.race([firstRun(project, facts.headUrl, facts.peerId), relay.aborted]);
    if (first === "aborted") {
      await net.stop();
      relay.remove();
    }
    return first;
  } catch (err) {
    await net.stop();
    relay.remove();
    if (err instanceof CliError) throw err;
    throw new CliError("MAIN_PY_FAILED", `the first request to the worker failed: ${errorMessage(err)}`, {
      hint: `the head's and ${project.config.name}'s logs are in ${facts.logDir}; nothing was left running`,
    });
  }
}

/** Runs until a signal stops the network in order (a second one kills every node); the exit code. */
function runUntilSignal(ctx: { dir: string; root: string; out: Output }, net: ProcessNetwork, relay: SignalRelay) {
  const { dir, out } = ctx;
  return new Promise<number>((done) => {
    let stopping = false;
    const finish = (code: number) => {
      relay.remove();
      done(code);
    };
    relay.onSignal = (signal: string) => {
      if (stopping) {
        out.progress("second signal: killing every node now");
        for (const node of net.description.nodes) net.running(node.name)?.process.kill("SIGKILL");
        void clearNativeRecord(dir).then(() => finish(130));
        return;
      }
      stopping = true;
      out.progress(`${signal}: stopping every node…`);
      const begun = Date.now();
      void net
        .stop()
        .then(() => clearNativeRecord(dir))
        .then(() => {
          out.progress(`stopped in ${formatMs(Date.now() - begun)}; state kept in ${ctx.root}`);
          finish(0);
        });
    };
  });
}

/** Keys, genesis and folders of the network, with this project's worker identity in place of a generated one. */
async function prepareNativeState(
  project: Project,
  network: NetworkDescription,
  identity: { peerId: string; address: string },
  mainPy: string,
  out: Output,
) {
  const { config, dir } = project;
  const root = join(dir, NATIVE_STATE_DIR);
  out.progress(`starting the native network: ${network.nodes.map((n) => n.name).join(", ")} (state in ${root})`);
  const prepared = await prepareNetwork(network, { root, mainPy });
  // Enterable (not listable) by others, so the worker can run main.py under a uid of its own; every secret in it
  // stays in a folder closed to others.
  await chmod(root, 0o711);
  const own = prepared.nodes.get(config.name);
  if (own) Object.assign(own, { peerId: identity.peerId, address: identity.address });
  // From now on status, request and friends talk to this network, not to a network joined before.
  await clearJoinRecord(dir);
  return { root, prepared };
}

/** Runs the network until a signal; returns the exit code. */
export async function runNative(project: Project, io: CliIo, out: Output, options: NativeRunOptions): Promise<number> {
  const { config, dir } = project;
  const identity = await requireIdentity(project);
  const mainPy = await requireStartable(project);
  const network = describeProjectNetwork(project);
  await requireFreePorts(network);
  const { root, prepared } = await prepareNativeState(project, network, identity, mainPy, out);
  const started = Date.now();
  const relay = createSignalRelay(out);
  const net = await startNativeNodes({ project, io, out, options }, network, prepared, relay);
  if (net === 130) return 130;
  const headUrl = `http://127.0.0.1:${config.dev.head_rest_port}`;
  const facts = { headUrl, peerId: identity.peerId, logDir: prepared.logDir };
  const value = await proveFirstRun(project, net, relay, facts);
  if (value === "aborted") return 130;
  await saveNativeRecord(dir, {
    pid: process.pid,
    nodes: network.nodes.map((n) => n.name),
    log_dir: prepared.logDir,
    head_url: headUrl,
    started_at: new Date().toISOString(),
  });
  io.stdout.write(
    `${formatBanner(network, prepared, new Map([[config.name, "this project's main.py"]]), "allocmd")}\n`,
  );
  out.out(
    `${out.green("ready")}: ${config.name} (peer ${identity.peerId}) serves topic(s) ${config.topics.map((t) => t.id).join(", ")} ` +
      `and answered ${value} to its first request (${formatMs(Date.now() - started)} after start)`,
  );
  out.out(`  account ${identity.address} (registers itself on the local chain, funded by its faucet)`);
  out.out(
    `Next, in another terminal: allocmd request    allocmd status    allocmd logs    allocmd stop (or Ctrl-C here)`,
  );
  return runUntilSignal({ dir, root, out }, net, relay);
}
