/**
 * `pnpm dev` itself (see bin/dev.ts, which installs the signal handlers first): prepares keys and genesis on first
 * run (reused after), starts every node as a process gated on its health, streams their logs with a colored prefix
 * per node, and prints what to do next. Ctrl-C stops everything, at any moment (start-up included), and a node that
 * dies is named with the tail of its log while the others keep running. Nodes die with this runner even when it is
 * killed (they watch a pipe it holds), and the next run stops whatever an earlier runner of the same state folder
 * left.
 */
import { spawn } from "node:child_process";
import { watch } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { sampleMainPyPath } from "@allora/node-function";
import { isAlloraError } from "@allora/protocol";
import { readPackageVersion } from "@allora/service";
import { appBuildFilters, makeWatchPlan, readAppGraph } from "./app-sources.js";
import { APP_PACKAGES } from "./apps.js";
import { formatBanner } from "./banner.js";
import {
  DEFAULT_MODELS,
  describeNetwork,
  type NetworkDescription,
  type NodeKind,
  PORT_BLOCK_SIZE,
  type PortPlan,
  portPlanFrom,
} from "./description.js";
import { createLineFormatter } from "./log-format.js";
import { reapLeftovers } from "./pidfile.js";
import { findTakenPorts } from "./ports.js";
import {
  type NodeExit,
  NodeStartError,
  type ProcessNetwork,
  StartAbortedError,
  startProcessNetwork,
} from "./process-runner.js";
import { type PreparedNetwork, prepareNetwork } from "./state.js";
import type { StopControl } from "./stop-control.js";

const HELP = `pnpm dev: run the whole network locally (chain, head, workers, inference servers)

Usage: pnpm dev [options]

  --workers <n>      number of workers, each with its own inference server (default 3)
  --no-chain         run without the chain (requests still work; nothing is scored)
  --no-dashboard     do not start the dashboard (the page on http://localhost:3000)
  --fresh            delete the network's state (keys, chain data) and start over
  --watch            rebuild and restart nodes when their source changes
  --quiet            print the banner and errors only, not every log line
  --root <dir>       where state and logs live (default ./.devnet)
  --bind <addr>      address every node listens on (default 127.0.0.1: nothing is reachable from elsewhere;
                     0.0.0.0 lets a container on Docker's bridge join, e.g. allocmd run --join … --network-mode bridge)
  --port-base <n>    put every port in a block of ${PORT_BLOCK_SIZE} from n (head REST n, head p2p n+1, chain RPC n+2,
                     chain REST n+3, dashboard n+4, inference servers n+10…, worker p2p n+40…, worker HTTP n+70…),
                     so a second network (with its own --root) can run beside the default one
  --log-level <lvl>  trace, debug, info, warn or error (default info)
  --version          print the version
  --help             show this help

Examples:
  pnpm dev
  pnpm dev --fresh --workers 5
  pnpm dev --watch --quiet
  pnpm dev --root .devnet-2 --port-base 20000

A node that exits on its own is named with the last lines of its log; the others keep running (it is not
restarted: fix what its log says and run pnpm dev again). Ctrl-C at any moment stops every node started so far.
`;

/** What `pnpm dev` was asked to do, parsed and checked. */
interface DevOptions {
  network: NetworkDescription;
  root: string;
  fresh: boolean;
  watch: boolean;
  quiet: boolean;
  color: boolean;
}

/** The parsed flags, or the exit code when parsing already answered (help, version, a bad flag). */
function parseDevFlags(): ReturnType<typeof parseArgs>["values"] | number {
  try {
    const { values } = parseArgs({
      options: {
        workers: { type: "string", default: "3" },
        "no-chain": { type: "boolean", default: false },
        "no-dashboard": { type: "boolean", default: false },
        fresh: { type: "boolean", default: false },
        watch: { type: "boolean", default: false },
        quiet: { type: "boolean", default: false },
        root: { type: "string", default: ".devnet" },
        bind: { type: "string", default: "127.0.0.1" },
        "log-level": { type: "string", default: "info" },
        "port-base": { type: "string" },
        version: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
      strict: true,
    });
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    if (values.version) {
      process.stdout.write(`allora-devnet ${readPackageVersion(import.meta.url)}\n`);
      return 0;
    }
    return values;
  } catch (err) {
    process.stderr.write(`pnpm dev: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
}

/** A usage error: its message on stderr, exit code 2. */
function usage(message: string): number {
  process.stderr.write(`pnpm dev: ${message}\n`);
  return 2;
}

/** The options of this run, or the exit code when the command line already decided it. */
function parseDevOptions(): DevOptions | number {
  const args = parseDevFlags();
  if (typeof args === "number") return args;
  const workers = Number(args.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 30) {
    return usage(`--workers must be an integer from 1 to 30, got "${String(args.workers)}"`);
  }
  const bind = String(args.bind);
  if (!/^(\d{1,3}\.){3}\d{1,3}$/.test(bind)) {
    return usage(`--bind must be an IPv4 address such as 127.0.0.1 or 0.0.0.0, got "${bind}"`);
  }
  let ports: PortPlan | undefined;
  if (args["port-base"] !== undefined) {
    const base = Number(args["port-base"]);
    if (!Number.isInteger(base) || base < 1024 || base + PORT_BLOCK_SIZE > 65_536) {
      return usage(
        `--port-base must be an integer from 1024 to ${65_536 - PORT_BLOCK_SIZE}, got "${String(args["port-base"])}"`,
      );
    }
    ports = portPlanFrom(base);
  }
  const network = describeNetwork({
    workers,
    chain: !args["no-chain"],
    dashboard: !args["no-dashboard"],
    logLevel: String(args["log-level"]),
    bindHost: bind,
    ...(ports ? { ports } : {}),
  });
  return {
    network,
    root: resolve(String(args.root)),
    fresh: args.fresh === true,
    watch: args.watch === true,
    quiet: args.quiet === true,
    color: process.stdout.isTTY === true && !process.env.NO_COLOR,
  };
}

/** Stops what an earlier runner of this folder left; undefined when done, else the exit code. */
async function reapEarlierRun(root: string, say: Say): Promise<number | undefined> {
  try {
    for (const r of await reapLeftovers(root)) {
      say(`Stopped ${r.node} (pid ${r.pid}, ${r.how}), left running by an earlier pnpm dev of ${root}`);
    }
  } catch (err) {
    if (!isAlloraError(err, "DEVNET_STATE_IN_USE")) throw err;
    process.stderr.write(`pnpm dev: ${err.message} [${err.code}]\n`);
    return 1;
  }
  return undefined;
}

/** Checks every port of the network; undefined when all are free, else the exit code (after naming the owners). */
async function checkPorts(network: NetworkDescription): Promise<number | undefined> {
  const taken = await findTakenPorts(network);
  if (taken.length === 0) return undefined;
  process.stderr.write(
    [
      "pnpm dev: these ports are already in use, so the network cannot start:",
      ...groupByOwner(taken),
      "",
      "Is another `pnpm dev` running? Stop it with Ctrl-C, or stop the process above.",
      "",
    ].join("\n"),
  );
  return 1;
}

/** Prints a node's unexpected exit with the tail of its log. */
function reportNodeExit(exit: NodeExit): void {
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  process.stderr.write(
    [
      "",
      `pnpm dev: ${exit.node} ${how} [NODE_EXITED]; the other nodes keep running. It is not restarted:`,
      `fix what its log says, then restart pnpm dev. Last lines of ${exit.logFile}:`,
      ...exit.tail.split("\n").map((l) => `  ${l}`),
      "",
    ].join("\n"),
  );
}

/** Starts every node with its logs streamed (or only warnings and errors with --quiet); the exit code on failure. */
async function startNodes(
  options: DevOptions,
  prepared: PreparedNetwork,
  control: StopControl,
  say: Say,
): Promise<ProcessNetwork | number> {
  const { network } = options;
  const format = createLineFormatter(
    network.nodes.map((n) => n.name),
    options.color,
  );
  try {
    return await startProcessNetwork(network, prepared, {
      signal: control.startup.signal,
      onProgress: (m) => say(`  ${m}`),
      onLine: options.quiet
        ? ({ node, line }) => {
            if (/"level":"(warn|error|fatal)"/.test(line)) process.stdout.write(`${format(node, line)}\n`);
          }
        : ({ node, line }) => process.stdout.write(`${format(node, line)}\n`),
      onNodeExit: reportNodeExit,
    });
  } catch (err) {
    if (err instanceof StartAbortedError) {
      return stoppedDuringStartup(
        control,
        say,
        err.stopped.length === 0 ? "no node had started" : `stopped ${err.stopped.join(", ")}`,
      );
    }
    process.stderr.write(
      `\npnpm dev: the network did not start.\n${err instanceof NodeStartError ? err.message : String(err)}\n`,
    );
    return 1;
  }
}

function stoppedDuringStartup(control: StopControl, say: Say, what: string): number {
  say(`${control.signal ?? "signal"} during start-up: ${what}. Nothing is left running.`);
  return 130;
}

/** Runs until a signal, then stops every node and resolves 0. */
function runUntilSignal(control: StopControl, net: ProcessNetwork, options: DevOptions, say: Say): Promise<number> {
  const stopWatching = options.watch ? watchSources(net, say) : () => {};
  return new Promise<number>((done) => {
    control.onSignal = (signal: string) => {
      say(`\n${signal}: stopping every node…`);
      stopWatching();
      const started = Date.now();
      void net.stop().then(() => {
        say(`Stopped in ${Date.now() - started} ms. State kept in ${options.root} (use --fresh to start over).`);
        done(0);
      });
    };
    // A signal that came while the banner was printed.
    if (control.signal) control.onSignal(control.signal);
  });
}

type Say = (text: string) => void;

export async function runDev(control: StopControl): Promise<number> {
  const options = parseDevOptions();
  if (typeof options === "number") return options;
  const { network, root } = options;
  const say: Say = (text) => process.stdout.write(`${options.color ? `\u001b[1m${text}\u001b[0m` : text}\n`);
  // Before the port check: what an earlier runner of this folder left holds the very ports this run needs.
  const reaped = await reapEarlierRun(root, say);
  if (reaped !== undefined) return reaped;
  if (control.startup.signal.aborted) return stoppedDuringStartup(control, say, "no node had started");
  const blocked = await checkPorts(network);
  if (blocked !== undefined) return blocked;

  say(options.fresh ? `Starting a fresh network in ${root}` : `Starting the network (state in ${root})`);
  const prepared = await prepareNetwork(network, { root, mainPy: sampleMainPyPath, fresh: options.fresh });
  if (prepared.created) say("Generated keys, chain accounts and genesis (reused on the next run; --fresh starts over)");
  if (control.startup.signal.aborted) return stoppedDuringStartup(control, say, "no node had started");
  const net = await startNodes(options, prepared, control, say);
  if (typeof net === "number") return net;
  const models = new Map(
    network.workers().map((w, i) => [w.name, DEFAULT_MODELS[i % DEFAULT_MODELS.length] as string]),
  );
  process.stdout.write(`${formatBanner(network, prepared, models)}\n`);
  return runUntilSignal(control, net, options, say);
}

/** One line per process holding ports: "6000, 9010 (head) held by pid 42: node …/head.js …". */
function groupByOwner(taken: Awaited<ReturnType<typeof findTakenPorts>>): string[] {
  const groups = new Map<string, typeof taken>();
  for (const t of taken) {
    const owner = t.owner ?? "another process";
    groups.set(owner, [...(groups.get(owner) ?? []), t]);
  }
  return [...groups].map(([owner, ports]) => {
    const nodes = [...new Set(ports.map((p) => p.node))].join(", ");
    const cmd = owner.length > 100 ? `${owner.slice(0, 100)}…` : owner;
    return `  ${ports.map((p) => p.port).join(", ")} (${nodes}) held by ${cmd}`;
  });
}

/** Rebuilds on source changes and restarts the nodes whose code changed. */
function watchSources(net: ProcessNetwork, say: (text: string) => void): () => void {
  const repo = process.cwd();
  const plan = makeWatchPlan(readAppGraph(Object.keys(APP_PACKAGES) as NodeKind[]));
  const pending = new Set<NodeKind>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let busy = false;
  const rebuild = async () => {
    if (busy || pending.size === 0) return;
    busy = true;
    const kinds = [...pending];
    pending.clear();
    say(`Source changed (${kinds.join(", ")}): rebuilding…`);
    const code = await new Promise<number>((r) =>
      // Only what nodes run: the apps and (through turbo's ^build) the packages they import.
      spawn("pnpm", ["turbo", "run", "build", "--output-logs=errors-only", ...appBuildFilters()], {
        cwd: repo,
        stdio: "inherit",
      }).on("exit", (c) => r(c ?? 1)),
    );
    if (code !== 0) {
      say("Build failed; nodes keep running the previous code. Fix the error and save again.");
    } else {
      for (const node of net.description.nodes.filter((n) => kinds.includes(n.kind))) {
        say(`Restarting ${node.name}`);
        await net.kill(node.name);
        await net.start(node.name).catch((err) => say(`${node.name} did not come back: ${(err as Error).message}`));
      }
    }
    busy = false;
    if (pending.size > 0) void rebuild();
  };
  const watchers = plan.map(({ dir, kinds }) =>
    watch(dir, { recursive: true }, () => {
      for (const k of kinds) pending.add(k);
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void rebuild(), 400);
    }),
  );
  say("Watching sources: saving a file rebuilds and restarts the nodes that use it.");
  return () => {
    for (const w of watchers) w.close();
    if (timer) clearTimeout(timer);
  };
}
