/**
 * Runs a network as OS processes on loopback: starts nodes in dependency order, each gated on its health probe
 * (never a sleep), has each node write its output straight into its own log file (followed for the live view), and
 * reports the network ready when every node is healthy and the head sees every worker subscribed to its topics. A
 * node that dies or never gets healthy is named, with the tail of its log. Stopping sends SIGTERM (then SIGKILL
 * after a deadline) and leaves no process behind.
 *
 * Nothing outlives the runner either: each node gets one end of a pipe on fd 3 (`ALLORA_RUNNER_FD`) and stops when
 * it reads end-of-file, which the kernel delivers when the runner dies however it dies (see @allora/service's
 * runner-link.ts); an abort signal stops a start-up half way; and the state folder's pidfile lets the next runner
 * stop what a runner killed before it left (see pidfile.ts).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, fstatSync, openSync } from "node:fs";
import { open } from "node:fs/promises";
import type { Socket } from "node:net";
import { join } from "node:path";
import { RUNNER_FD_ENV } from "@allora/service";
import { appBin } from "./apps.js";
import { type NetworkDescription, type NodeDescription, portOf, type Resolve } from "./description.js";
import { followLog } from "./log-follow.js";
import { type RecordedProcess, reapLeftovers, recordProcess, removePidFile, writePidFile } from "./pidfile.js";
import { probeJson, startTiers, waitForWorkersOnHead } from "./readiness.js";
import { type PreparedNetwork, pathsOf } from "./state.js";

/** A line a node printed (stdout and stderr both go to its log file). */
export interface NodeLine {
  node: string;
  line: string;
}

/** A node that exited on its own after it was healthy (not stopped by the runner). */
export interface NodeExit {
  node: string;
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  logFile: string;
  /** The last lines of its log. */
  tail: string;
}

/** Options of {@link startProcessNetwork}. */
export interface ProcessRunnerOptions {
  /** Called for every line any node prints (for live output). */
  onLine?: (line: NodeLine) => void;
  /** Called when a healthy node exits on its own; the other nodes keep running. */
  onNodeExit?: (exit: NodeExit) => void;
  /** Milliseconds a node gets to become healthy (default 60 000). */
  healthTimeoutMs?: number;
  /** Milliseconds the network gets to become ready after all nodes are healthy (default 30 000). */
  readyTimeoutMs?: number;
  /** Progress messages ("starting head", "head healthy in 420 ms"). */
  onProgress?: (message: string) => void;
  /** Aborting it during start-up stops every node started so far; the start rejects with {@link StartAbortedError}. */
  signal?: AbortSignal;
}

/** A node process. */
export interface RunningNode {
  readonly description: NodeDescription;
  readonly process: ChildProcess;
  readonly logFile: string;
}

/** A running network. */
export interface ProcessNetwork {
  readonly description: NetworkDescription;
  readonly prepared: PreparedNetwork;
  /** `http://127.0.0.1:<port>` of a node's port role. */
  url(node: string, port: string): string;
  /** The loopback multiaddr of a node's p2p port. */
  p2pAddress(node: string): string;
  running(node: string): RunningNode | undefined;
  /** Sends a signal to a node and waits until it has exited. */
  kill(node: string, signal?: NodeJS.Signals): Promise<void>;
  /** Starts a stopped node again and waits for its health. */
  start(node: string): Promise<void>;
  /** Waits until every node is healthy and the head sees every worker on its topics. */
  waitReady(timeoutMs?: number): Promise<void>;
  logTail(node: string, lines?: number): Promise<string>;
  /** Stops every node (reverse start order) and removes the pidfile. */
  stop(): Promise<void>;
}

/** A node that failed to start, with the tail of its log. */
export class NodeStartError extends Error {
  override readonly name = "NodeStartError";
  constructor(
    readonly node: string,
    reason: string,
    readonly tail: string,
  ) {
    super(`${node} ${reason}\n--- last lines of ${node}'s log ---\n${tail}`);
  }
}

/** The start was aborted (a signal during start-up); every node it had started was stopped. */
export class StartAbortedError extends Error {
  override readonly name = "StartAbortedError";
  readonly code = "DEVNET_START_ABORTED";
  constructor(readonly stopped: readonly string[]) {
    super(
      stopped.length === 0
        ? "start-up aborted before any node started"
        : `start-up aborted; stopped the ${stopped.length} node(s) that had started: ${stopped.join(", ")}`,
    );
  }
}

const LOCAL = "127.0.0.1";

/** Bytes read from the end of a log for its tail: logs grow across runs, a tail never reads all of one. */
const TAIL_BYTES = 256 * 1024;

async function tailOf(file: string, lines: number): Promise<string> {
  const handle = await open(file, "r").catch(() => undefined);
  if (!handle) return "";
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const text = buffer.toString("utf8").trimEnd().split("\n");
    return (length < size ? text.slice(1) : text).slice(-lines).join("\n"); // the first line may be cut
  } finally {
    await handle.close();
  }
}

/** Starts every node of a prepared network and waits until it is ready. */
export async function startProcessNetwork(
  network: NetworkDescription,
  prepared: PreparedNetwork,
  options: ProcessRunnerOptions = {},
): Promise<ProcessNetwork> {
  const healthTimeout = options.healthTimeoutMs ?? 60_000;
  const progress = options.onProgress ?? (() => {});
  const resolve: Resolve = (node, port) => ({ host: LOCAL, port: portOf(network.node(node), port) });
  const url = (node: string, port: string) => {
    const e = resolve(node, port);
    return `http://${e.host}:${e.port}`;
  };
  const running = new Map<string, RunningNode>();
  const exits = new Map<string, Promise<void>>();
  /** Nodes the runner is stopping (their exit is expected) and nodes that reached health (their exit is news). */
  const expected = new Set<string>();
  const healthy = new Set<string>();
  let closed = false;

  const killAllNow = () => {
    for (const r of running.values()) if (r.process.exitCode === null) r.process.kill("SIGKILL");
  };
  process.on("exit", killAllNow);

  for (const r of await reapLeftovers(prepared.root)) {
    progress(`stopped ${r.node} (pid ${r.pid}, ${r.how}), left running by an earlier runner of ${prepared.root}`);
  }
  const pids: { runner: RecordedProcess; nodes: Record<string, RecordedProcess> } = {
    runner: await recordProcess(process.pid),
    nodes: {},
  };
  let pidWrites: Promise<void> = writePidFile(prepared.root, pids);
  const savePids = () => {
    const snapshot = { runner: pids.runner, nodes: { ...pids.nodes } };
    pidWrites = pidWrites.then(() => writePidFile(prepared.root, snapshot)).catch(() => {});
  };

  const launch = (node: NodeDescription): RunningNode => {
    if (closed) throw new NodeStartError(node.name, "was not started: the network is stopping", "");
    const logFile = join(prepared.logDir, `${node.name}.log`);
    const fd = openSync(logFile, "a");
    const from = fstatSync(fd).size;
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [appBin(node.kind), ...node.args(resolve, pathsOf(prepared, node))], {
        cwd: prepared.root,
        env: {
          PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
          HOME: process.env.HOME ?? prepared.root,
          LANG: "C.UTF-8",
          [RUNNER_FD_ENV]: "3",
        },
        // Output straight into the log file: nothing is lost when the runner dies, and a node never blocks on it.
        // fd 3: the node's end of the pipe whose other end only this runner holds.
        stdio: ["ignore", fd, fd, "pipe"],
        // Its own process group: a terminal's Ctrl-C reaches only the runner, which stops the nodes in order
        // (workers first, the chain last) instead of every node at once.
        detached: true,
      });
    } finally {
      closeSync(fd);
    }
    const link = child.stdio[3] as Socket | null;
    // Read (and drop) so the node's exit closes this end; never keep the runner alive for it.
    link?.on("error", () => {});
    link?.resume();
    link?.unref();
    const follower = options.onLine
      ? followLog(logFile, from, (line) => options.onLine?.({ node: node.name, line }))
      : undefined;
    const entry: RunningNode = { description: node, process: child, logFile };
    running.set(node.name, entry);
    expected.delete(node.name);
    healthy.delete(node.name);
    if (child.pid !== undefined) {
      const pid = child.pid;
      void recordProcess(pid).then((r) => {
        if (running.get(node.name) !== entry || child.exitCode !== null || child.signalCode !== null) return;
        pids.nodes[node.name] = r;
        savePids();
      });
    }
    exits.set(
      node.name,
      new Promise<void>((done) =>
        child.once("exit", (code, signal) => {
          if (running.get(node.name) === entry) {
            delete pids.nodes[node.name];
            savePids();
          }
          void (async () => {
            await follower?.close();
            if (healthy.has(node.name) && !expected.has(node.name) && !closed && options.onNodeExit) {
              options.onNodeExit({ node: node.name, code, signal, logFile, tail: await tailOf(logFile, 25) });
            }
            done();
          })();
        }),
      ),
    );
    return entry;
  };

  const waitHealthy = async (node: NodeDescription, entry: RunningNode): Promise<void> => {
    const started = Date.now();
    const probe = `${url(node.name, node.health.port)}${node.health.path}`;
    for (;;) {
      if (entry.process.exitCode !== null || entry.process.signalCode !== null) {
        throw new NodeStartError(
          node.name,
          `exited with ${entry.process.exitCode ?? entry.process.signalCode} before it was healthy`,
          await tailOf(entry.logFile, 25),
        );
      }
      if (closed) throw new NodeStartError(node.name, "was stopped before it was healthy", "");
      if ((await probeJson(probe, 1000)) !== undefined) {
        healthy.add(node.name);
        progress(`${node.name} healthy in ${Date.now() - started} ms`);
        return;
      }
      if (Date.now() - started > healthTimeout) {
        throw new NodeStartError(
          node.name,
          `was not healthy within ${healthTimeout} ms (probe ${probe})`,
          await tailOf(entry.logFile, 25),
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const kill = async (name: string, signal: NodeJS.Signals = "SIGTERM"): Promise<void> => {
    const entry = running.get(name);
    if (!entry) return;
    const exited = exits.get(name);
    if (entry.process.exitCode === null && entry.process.signalCode === null) {
      expected.add(name);
      entry.process.kill(signal);
      const timer = setTimeout(() => entry.process.kill("SIGKILL"), 8000);
      await exited;
      clearTimeout(timer);
    } else {
      await exited;
    }
  };

  let stopped: Promise<void> | undefined;
  const networkView: ProcessNetwork = {
    description: network,
    prepared,
    url,
    p2pAddress: (node) => `/ip4/${LOCAL}/tcp/${resolve(node, "p2p").port}`,
    running: (node) => running.get(node),
    kill,
    async start(name) {
      const node = network.node(name);
      await waitHealthyOrThrow(node, launch(node));
    },
    async waitReady(timeoutMs = options.readyTimeoutMs ?? 30_000) {
      const head = network.nodes.find((n) => n.kind === "head");
      if (!head) return;
      await waitForWorkersOnHead({
        headRestUrl: url(head.name, "rest"),
        workers: network.workers().map((w) => ({
          name: w.name,
          peer: prepared.nodes.get(w.name)?.peerId,
          topics: w.topics ?? [],
        })),
        timeoutMs,
        pollMs: 100,
        progress,
        tails: async (missing) =>
          (
            await Promise.all(
              missing.map(async (m) => `--- ${m} ---\n${await tailOf(join(prepared.logDir, `${m}.log`), 10)}`),
            )
          ).join("\n"),
      });
    },
    logTail: (node, lines = 30) => tailOf(join(prepared.logDir, `${node}.log`), lines),
    stop() {
      stopped ??= (async () => {
        closed = true;
        const levels = startTiers(network.nodes).reverse();
        for (const level of levels) await Promise.all(level.map((n) => kill(n.name, "SIGTERM")));
        // Nodes launched outside the tiers (none today) go last.
        await Promise.all([...running.keys()].map((name) => kill(name, "SIGTERM")));
        process.off("exit", killAllNow);
        await pidWrites;
        await removePidFile(prepared.root);
      })();
      return stopped;
    },
  };

  const waitHealthyOrThrow = async (node: NodeDescription, entry: RunningNode) => {
    try {
      await waitHealthy(node, entry);
    } catch (err) {
      await networkView.stop();
      throw err;
    }
  };

  const startAll = async () => {
    for (const level of startTiers(network.nodes)) {
      progress(`starting ${level.map((n) => n.name).join(", ")}`);
      await Promise.all(level.map((node) => waitHealthy(node, launch(node))));
    }
    await networkView.waitReady();
  };
  const abort = options.signal;
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new StartAbortedError([]));
  });
  aborted.catch(() => {});
  if (abort?.aborted) onAbort();
  abort?.addEventListener("abort", onAbort, { once: true });
  const starting = startAll();
  starting.catch(() => {}); // after an abort, what it was doing fails on the stopping network: already answered
  try {
    await Promise.race([starting, aborted]);
  } catch (err) {
    const started = [...running.keys()];
    await networkView.stop();
    throw abort?.aborted ? new StartAbortedError(started) : err;
  } finally {
    abort?.removeEventListener("abort", onAbort);
  }
  return networkView;
}
