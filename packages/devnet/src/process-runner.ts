/**
 * Runs a network as OS processes on loopback: starts nodes in dependency order, each gated on its health probe
 * (never a sleep), writes each node's output to its own log file, and reports the network ready when every node is
 * healthy and the head sees every worker subscribed to its topics. A node that dies or never gets healthy is named,
 * with the tail of its log. Stopping sends SIGTERM (then SIGKILL after a deadline) and leaves no process behind.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { appBin } from "./apps.js";
import type { NetworkDescription, NodeDescription, Resolve } from "./description.js";
import { probeJson, startTiers, waitForWorkersOnHead } from "./readiness.js";
import { type PreparedNetwork, pathsOf } from "./state.js";

/** A line a node printed. */
export interface NodeLine {
  node: string;
  stream: "stdout" | "stderr";
  line: string;
}

/** Options of {@link startProcessNetwork}. */
export interface ProcessRunnerOptions {
  /** Called for every line any node prints (for live output). */
  onLine?: (line: NodeLine) => void;
  /** Milliseconds a node gets to become healthy (default 60 000). */
  healthTimeoutMs?: number;
  /** Milliseconds the network gets to become ready after all nodes are healthy (default 30 000). */
  readyTimeoutMs?: number;
  /** Progress messages ("starting head", "head healthy in 420 ms"). */
  onProgress?: (message: string) => void;
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

const LOCAL = "127.0.0.1";

async function tailOf(file: string, lines: number): Promise<string> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/** Starts every node of a prepared network and waits until it is ready. */
export async function startProcessNetwork(
  network: NetworkDescription,
  prepared: PreparedNetwork,
  options: ProcessRunnerOptions = {},
): Promise<ProcessNetwork> {
  const healthTimeout = options.healthTimeoutMs ?? 60_000;
  const progress = options.onProgress ?? (() => {});
  const resolve: Resolve = (node, port) => {
    const target = network.node(node).ports[port];
    if (target === undefined) throw new Error(`node ${node} has no port "${port}"`);
    return { host: LOCAL, port: target };
  };
  const url = (node: string, port: string) => {
    const e = resolve(node, port);
    return `http://${e.host}:${e.port}`;
  };
  const running = new Map<string, RunningNode>();
  const logs = new Map<string, WriteStream>();
  const exits = new Map<string, Promise<void>>();

  const killAllNow = () => {
    for (const r of running.values()) if (r.process.exitCode === null) r.process.kill("SIGKILL");
  };
  process.on("exit", killAllNow);

  const launch = (node: NodeDescription): RunningNode => {
    const logFile = join(prepared.logDir, `${node.name}.log`);
    let log = logs.get(node.name);
    if (!log) {
      log = createWriteStream(logFile, { flags: "a" });
      logs.set(node.name, log);
    }
    const child = spawn(process.execPath, [appBin(node.kind), ...node.args(resolve, pathsOf(prepared, node))], {
      cwd: prepared.root,
      env: {
        PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
        HOME: process.env.HOME ?? prepared.root,
        LANG: "C.UTF-8",
      },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group: a terminal's Ctrl-C reaches only the runner, which stops the nodes in order
      // (workers first, the chain last) instead of every node at once.
      detached: true,
    });
    const entry: RunningNode = { description: node, process: child, logFile };
    running.set(node.name, entry);
    exits.set(node.name, new Promise<void>((done) => child.once("exit", () => done())));
    for (const stream of ["stdout", "stderr"] as const) {
      let buffered = "";
      child[stream]?.on("data", (chunk: Buffer) => {
        log?.write(chunk);
        if (!options.onLine) return;
        buffered += chunk.toString("utf8");
        let nl = buffered.indexOf("\n");
        while (nl !== -1) {
          options.onLine({ node: node.name, stream, line: buffered.slice(0, nl) });
          buffered = buffered.slice(nl + 1);
          nl = buffered.indexOf("\n");
        }
      });
    }
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
      if ((await probeJson(probe, 1000)) !== undefined) {
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
    if (!entry || entry.process.exitCode !== null || entry.process.signalCode !== null) return;
    const exited = exits.get(name);
    entry.process.kill(signal);
    const timer = setTimeout(() => entry.process.kill("SIGKILL"), 8000);
    await exited;
    clearTimeout(timer);
  };

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
    async stop() {
      const levels = startTiers(network.nodes).reverse();
      for (const level of levels) await Promise.all(level.map((n) => kill(n.name, "SIGTERM")));
      process.off("exit", killAllNow);
      for (const log of logs.values()) log.end();
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

  for (const level of startTiers(network.nodes)) {
    progress(`starting ${level.map((n) => n.name).join(", ")}`);
    await Promise.all(level.map((node) => waitHealthyOrThrow(node, launch(node))));
  }
  try {
    await networkView.waitReady();
  } catch (err) {
    await networkView.stop();
    throw err;
  }
  return networkView;
}
