/**
 * The worker's side of its launcher (`python/launcher.py`), a small long-lived Python process that starts each
 * function with posix_spawn from a sandboxed thread: a Node process forks its whole heap on every spawn, which costs
 * milliseconds per run; the launcher's spawn costs a fraction of one. Each function gets its own process group,
 * exactly the environment asked for, the request's stdin, stdout and stderr captured separately with caps, a
 * wall-clock timeout that kills the whole group, and the sandbox of `python/sandbox.py` (Landlock filesystem rules,
 * rlimits, its own uid per run slot when the worker is root; see docs/WORKER.md, "Function sandbox"). Usage: the
 * wall clock around the process (interpreter start included) and the kernel's CPU and peak-memory account of it.
 * The launcher makes each run's scratch folder (its cwd, HOME and TMPDIR) and removes it after answering. The
 * launcher dies with the worker, and the functions with the launcher (`parent_death.py`).
 *
 * This client starts the launcher, writes it one line per run (launcher-protocol.ts), matches its answers to the
 * runs waiting for them, each with a deadline, and restarts it when it dies.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { makeLauncherEnv, parentDeathModulePath } from "@allora/node-function";
import { awaitReply, type ReplySettler } from "@allora/p2p/pending-reply";
import { AlloraError, type Logger } from "@allora/protocol";
import {
  type ExecutionRequest,
  type ExecutionResult,
  type LauncherAnswer,
  logWarmEvent,
  makeLauncherConfig,
  makeRunMessage,
  parseLauncherLine,
  readRunAnswer,
  type SandboxOptions,
  type SandboxReport,
  spawnFailure,
} from "./launcher-protocol.js";

/** Options of {@link createLauncherClient}. */
export interface LauncherClientOptions {
  /** Per-run scratch folders (cwd, HOME, TMPDIR) are created under it and removed after. */
  scratchRoot: string;
  maxStdoutBytes: number;
  maxStderrBytes: number;
  /** The Python that runs the launcher (the worker's `--python`). */
  python: string;
  logger: Logger;
  /** Default: every layer, no secret paths, the default limits. */
  sandbox?: Partial<SandboxOptions>;
}

/** Runs functions through the launcher. */
export interface LauncherClient {
  /** Starts the launcher now and resolves with the sandbox it put in force. */
  start(): Promise<SandboxReport>;
  /** The sandbox of the running launcher (undefined before it is ready). */
  sandbox(): SandboxReport | undefined;
  run(request: ExecutionRequest): Promise<ExecutionResult>;
  /** Kills every running function and the launcher (on shutdown). */
  killAll(): void;
}

/** The launcher script, shipped beside `dist/` in the worker package. */
const LAUNCHER_PATH = fileURLToPath(new URL("../../python/launcher.py", import.meta.url));

/** How long beyond a run's own timeout the worker waits for the launcher's answer before giving up on it. */
const LAUNCHER_SLACK_MS = 5000;
/** How long the launcher may take to probe its sandbox and say it is ready. */
const LAUNCHER_READY_MS = 15_000;

/** Calls `onLine` with each complete line of a text stream. */
function onLines(stream: Readable, onLine: (line: string) => void): void {
  let buffered = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    buffered += chunk;
    let nl = buffered.indexOf("\n");
    while (nl !== -1) {
      onLine(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
      nl = buffered.indexOf("\n");
    }
  });
}

/** Creates a launcher client; the launcher starts with the first run (or start()) and restarts if it dies. */
export function createLauncherClient(options: LauncherClientOptions): LauncherClient {
  const { logger } = options;
  const pending = new Map<string, ReplySettler<LauncherAnswer>>();
  let launcher: ChildProcessWithoutNullStreams | undefined;
  let stopped = false;
  let sequence = 0;
  let report: SandboxReport | undefined;
  const readyWaiters = new Set<ReplySettler<SandboxReport>>();
  const config = makeLauncherConfig(options.python, options.scratchRoot, options.sandbox);

  const failAll = (reason: string) => {
    for (const [id, p] of pending) {
      pending.delete(id);
      p.reject(new AlloraError("FUNCTION_SPAWN_FAILED", reason));
    }
  };

  const onLine = (line: string) => {
    const read = parseLauncherLine(line);
    if (read.kind === "unreadable") {
      logger.warn({ code: "LAUNCHER_PROTOCOL" }, `unreadable line from the launcher: ${line.slice(0, 200)}`);
    } else if (read.kind === "warm") {
      logWarmEvent(logger, read.event);
    } else if (read.kind === "ready") {
      report = read.sandbox;
      for (const w of readyWaiters) w.resolve(read.sandbox);
    } else {
      const waiter = pending.get(read.answer.id);
      pending.delete(read.answer.id);
      waiter?.resolve(read.answer);
    }
  };

  const onExit = (child: ChildProcessWithoutNullStreams, code: number | null, signal: NodeJS.Signals | null) => {
    if (launcher === child) launcher = undefined;
    if (!stopped) {
      logger.error(
        { code: "LAUNCHER_EXITED", exit: code, signal },
        "the function launcher exited; runs in progress failed, the next run starts a new one",
      );
    }
    failAll(`the function launcher exited (${signal ?? code}) during the run`);
    for (const w of readyWaiters) w.reject(new AlloraError("LAUNCHER_FAILED", "the launcher exited"));
  };

  const startLauncher = (): ChildProcessWithoutNullStreams => {
    // A relative path (./venv/bin/python3) is the worker's, not the launcher's working directory's.
    const python = options.python.includes("/") ? resolve(options.python) : options.python;
    const child = spawn(python, [LAUNCHER_PATH, parentDeathModulePath], {
      env: makeLauncherEnv(options.python),
      // A working directory every slot uid can enter (the launcher may chdir back to it from a sandboxed thread).
      cwd: "/",
      stdio: ["pipe", "pipe", "pipe"],
    });
    onLines(child.stdout, onLine);
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (text: string) => logger.warn({ code: "LAUNCHER_STDERR" }, text.trim().slice(0, 2000)));
    child.stdin.on("error", () => {});
    child.on("error", (err) => {
      logger.error({ code: "LAUNCHER_FAILED", python: options.python }, `cannot start the launcher: ${err.message}`);
    });
    child.on("exit", (code, signal) => onExit(child, code, signal));
    child.stdin.write(`${JSON.stringify(config)}\n`);
    return child;
  };

  const request = (payload: Record<string, unknown>, id: string, timeoutMs: number): Promise<LauncherAnswer> => {
    launcher ??= startLauncher();
    const child = launcher;
    return awaitReply<LauncherAnswer>({
      timeoutMs,
      onTimeout: () => {
        pending.delete(id);
        child.kill("SIGKILL");
        return new AlloraError("FUNCTION_SPAWN_FAILED", `the launcher did not answer within ${timeoutMs} ms`);
      },
      register: (settler) => {
        pending.set(id, settler);
        child.stdin.write(`${JSON.stringify(payload)}\n`);
      },
    });
  };

  return {
    start() {
      launcher ??= startLauncher();
      if (report) return Promise.resolve(report);
      let waiter: ReplySettler<SandboxReport> | undefined;
      return awaitReply<SandboxReport>({
        timeoutMs: LAUNCHER_READY_MS,
        onTimeout: () =>
          new AlloraError("LAUNCHER_FAILED", `the launcher was not ready within ${LAUNCHER_READY_MS} ms`),
        register: (settler) => {
          waiter = settler;
          readyWaiters.add(settler);
        },
      }).finally(() => {
        if (waiter) readyWaiters.delete(waiter);
      });
    },
    sandbox: () => report,
    killAll() {
      stopped = true;
      void rm(options.scratchRoot, { recursive: true, force: true }).catch(() => undefined);
      failAll("the worker is stopping");
      launcher?.kill("SIGTERM");
    },
    async run(run) {
      const id = `${run.requestId}#${sequence++}`;
      // The launcher creates this folder before the run and removes it after answering, off the event loop.
      const scratch = join(options.scratchRoot, `run-${process.pid}-${sequence}`);
      const message = makeRunMessage(run, id, scratch, options);
      try {
        return readRunAnswer(await request(message, id, run.timeoutMs + LAUNCHER_SLACK_MS));
      } catch (err) {
        return spawnFailure((err as Error).message);
      }
    },
  };
}
