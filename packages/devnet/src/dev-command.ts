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
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { sampleMainPyPath } from "@allora/node-function";
import { isAlloraError } from "@allora/protocol";
import { readPackageVersion } from "@allora/service";
import { formatBanner } from "./banner.js";
import {
  DEFAULT_MODELS,
  describeNetwork,
  type NodeKind,
  PORT_BLOCK_SIZE,
  type PortPlan,
  portPlanFrom,
} from "./description.js";
import { createLineFormatter } from "./log-format.js";
import { reapLeftovers } from "./pidfile.js";
import { findTakenPorts } from "./ports.js";
import { NodeStartError, type ProcessNetwork, StartAbortedError, startProcessNetwork } from "./process-runner.js";
import { prepareNetwork } from "./state.js";
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
                     chain REST n+3, dashboard n+4, inference servers n+10…, worker p2p n+30…, worker HTTP n+60…),
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

export async function runDev(control: StopControl): Promise<number> {
  let args: ReturnType<typeof parseArgs>["values"];
  try {
    args = parseArgs({
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
    }).values;
  } catch (err) {
    process.stderr.write(`pnpm dev: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (args.version) {
    process.stdout.write(`allora-devnet ${readPackageVersion(import.meta.url)}\n`);
    return 0;
  }
  const workers = Number(args.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 30) {
    process.stderr.write(`pnpm dev: --workers must be an integer from 1 to 30, got "${String(args.workers)}"\n`);
    return 2;
  }
  const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
  const root = resolve(String(args.root));
  const bind = String(args.bind);
  if (!/^(\d{1,3}\.){3}\d{1,3}$/.test(bind)) {
    process.stderr.write(`pnpm dev: --bind must be an IPv4 address such as 127.0.0.1 or 0.0.0.0, got "${bind}"\n`);
    return 2;
  }
  let ports: PortPlan | undefined;
  if (args["port-base"] !== undefined) {
    const base = Number(args["port-base"]);
    if (!Number.isInteger(base) || base < 1024 || base + PORT_BLOCK_SIZE > 65_536) {
      process.stderr.write(
        `pnpm dev: --port-base must be an integer from 1024 to ${65_536 - PORT_BLOCK_SIZE}, got "${String(args["port-base"])}"\n`,
      );
      return 2;
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
  const say = (text: string) => process.stdout.write(`${color ? `\u001b[1m${text}\u001b[0m` : text}\n`);
  const stoppedDuringStartup = (what: string) => {
    say(`${control.signal ?? "signal"} during start-up: ${what}. Nothing is left running.`);
    return 130;
  };

  // Before the port check: what an earlier runner of this folder left holds the very ports this run needs.
  try {
    for (const r of await reapLeftovers(root)) {
      say(`Stopped ${r.node} (pid ${r.pid}, ${r.how}), left running by an earlier pnpm dev of ${root}`);
    }
  } catch (err) {
    if (!isAlloraError(err, "DEVNET_STATE_IN_USE")) throw err;
    process.stderr.write(`pnpm dev: ${err.message} [${err.code}]\n`);
    return 1;
  }
  if (control.startup.signal.aborted) return stoppedDuringStartup("no node had started");

  const taken = await findTakenPorts(network);
  if (taken.length > 0) {
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

  say(args.fresh ? `Starting a fresh network in ${root}` : `Starting the network (state in ${root})`);
  const prepared = await prepareNetwork(network, { root, mainPy: sampleMainPyPath, fresh: args.fresh === true });
  if (prepared.created) say("Generated keys, chain accounts and genesis (reused on the next run; --fresh starts over)");
  if (control.startup.signal.aborted) return stoppedDuringStartup("no node had started");
  const format = createLineFormatter(
    network.nodes.map((n) => n.name),
    color,
  );
  let net: ProcessNetwork;
  try {
    net = await startProcessNetwork(network, prepared, {
      signal: control.startup.signal,
      onProgress: (m) => say(`  ${m}`),
      onLine: args.quiet
        ? ({ node, line }) => {
            if (/"level":"(warn|error|fatal)"/.test(line)) process.stdout.write(`${format(node, line)}\n`);
          }
        : ({ node, line }) => process.stdout.write(`${format(node, line)}\n`),
      onNodeExit: (exit) => {
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
      },
    });
  } catch (err) {
    if (err instanceof StartAbortedError) {
      return stoppedDuringStartup(
        err.stopped.length === 0 ? "no node had started" : `stopped ${err.stopped.join(", ")}`,
      );
    }
    process.stderr.write(
      `\npnpm dev: the network did not start.\n${err instanceof NodeStartError ? err.message : String(err)}\n`,
    );
    return 1;
  }
  const models = new Map(
    network.workers().map((w, i) => [w.name, DEFAULT_MODELS[i % DEFAULT_MODELS.length] as string]),
  );
  process.stdout.write(`${formatBanner(network, prepared, models)}\n`);

  const stopWatching = args.watch ? watchSources(net, say) : () => {};
  return new Promise<number>((done) => {
    control.onSignal = (signal: string) => {
      say(`\n${signal}: stopping every node…`);
      stopWatching();
      const started = Date.now();
      void net.stop().then(() => {
        say(`Stopped in ${Date.now() - started} ms. State kept in ${root} (use --fresh to start over).`);
        done(0);
      });
    };
    // A signal that came while the banner was printed.
    if (control.signal) control.onSignal(control.signal);
  });
}

const APP_FILTERS = ["head", "worker", "chain", "inference-server", "dashboard"].map(
  (app) => `--filter=@allora/${app}`,
);

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
  const kindsOf: Array<[string, NodeKind[]]> = [
    ["apps/head/src", ["head"]],
    ["apps/worker/src", ["worker"]],
    ["apps/chain/src", ["chain"]],
    ["apps/inference-server/src", ["inference-server"]],
    ["apps/dashboard/src", ["dashboard"]],
    ["packages/protocol/src", ["chain", "head", "worker", "inference-server", "dashboard"]],
    ["packages/service/src", ["chain", "head", "worker", "inference-server", "dashboard"]],
    ["packages/p2p/src", ["head", "worker"]],
    ["packages/node-function/python", ["head", "worker"]],
  ];
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
      spawn("pnpm", ["turbo", "run", "build", "--output-logs=errors-only", ...APP_FILTERS], {
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
  const watchers = kindsOf.map(([dir, kinds]) =>
    watch(join(repo, dir), { recursive: true }, () => {
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
