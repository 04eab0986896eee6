/**
 * Runs functions as child processes through the worker's launcher (`python/launcher.py`), a small long-lived
 * process that starts each function with posix_spawn from a sandboxed thread: a Node process forks its whole heap on
 * every spawn, which costs milliseconds per run; the launcher's spawn costs a fraction of one. Each function gets its
 * own process group, exactly the environment asked for, the request's stdin, stdout and stderr captured separately
 * with caps, a wall-clock timeout that kills the whole group, and the sandbox of `python/sandbox.py` (Landlock
 * filesystem rules, rlimits, its own uid per run slot when the worker is root; see docs/WORKER.md, "Function
 * sandbox"). Usage: the wall clock around the process (interpreter start included) and the kernel's CPU and
 * peak-memory account of it. The launcher makes each run's scratch folder (its cwd, HOME and TMPDIR) and removes it
 * after answering. The launcher dies with the worker, and the functions with the launcher.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { makeLauncherEnv, makeSearchPath, parentDeathModulePath } from "@allora/node-function";
import { AlloraError, type Logger, type RuntimeOutput, type Usage } from "@allora/protocol";

/** What to run. */
export interface ExecutionRequest {
  requestId: string;
  command: string;
  args: readonly string[];
  /** The complete environment of the process: nothing else is inherited. */
  env: Readonly<Record<string, string>>;
  stdin?: string;
  timeoutMs: number;
  /** Folders (or files) the function may read and execute beside the system's: its package, main.py's folder. */
  readPaths?: readonly string[];
  /** Run it by forking the warm process of this Python entry (docs/WORKER.md, "Warm functions"); unset: cold. */
  warm?: WarmSpec;
}

/** What the launcher needs to keep a warm process for a Python function. */
export interface WarmSpec {
  /** The script the cold run starts (`args[0]`): the runner's runner.py, or a package's Python entry. */
  entry: string;
  /** The runner package: the warm process warms the worker's main.py and builds its argv with runner.py's plan(). */
  runner: boolean;
  /** The warm process's own environment: the run's, without anything the request chose. */
  serverEnv: Readonly<Record<string, string>>;
  /** Folders whose change (names, sizes, mtimes) replaces the warm process: main.py's, the package's. */
  watch: readonly string[];
}

/** Why a run did not complete normally. */
export type ExecutionErrorCode =
  | "FUNCTION_TIMEOUT"
  | "FUNCTION_OUTPUT_TOO_LARGE"
  | "FUNCTION_SPAWN_FAILED"
  | "FUNCTION_SANDBOX_FAILED";

/** A sandbox layer the operator can turn off (`--function-sandbox`). */
export type SandboxLayer = "landlock" | "uid" | "rlimits" | "reaper";
const SANDBOX_LAYERS: readonly SandboxLayer[] = ["landlock", "uid", "rlimits", "reaper"];

/** How functions are sandboxed (see docs/WORKER.md, "Function sandbox"). */
export interface SandboxOptions {
  layers: readonly SandboxLayer[];
  /** Never readable by a function, even inside a granted folder: key folder, data folder, mnemonic file. */
  secretPaths: readonly string[];
  /** Never granted whole, but what the worker names in it is (the data folder, which holds the packages). */
  privatePaths: readonly string[];
  /** Extra paths every function may read (`--function-read-paths`). */
  readPaths: readonly string[];
  /** Interpreters functions run with: their install prefixes are readable. */
  interpreters: readonly string[];
  /** First uid of the run slots when the worker is root; one uid per slot. */
  uidBase: number;
  uidSlots: number;
  limits: { memoryMib: number; processes: number; fileSizeMib: number; openFiles: number };
  /** Paths a slot's uid must be able to use, checked at start (otherwise no uid separation, with a warning). */
  uidChecks: ReadonlyArray<{ path: string; mode: "r" | "x"; what: string }>;
}

/** The sandbox in force, as the launcher probed it at start. */
export interface SandboxReport {
  landlock?: { abi: number; scoped: string[] };
  uid_separation?: { first: number; last: number };
  capabilities_dropped: boolean;
  rlimits?: {
    memory_mib: number;
    processes: number;
    file_size_mib: number;
    open_files: number;
    core: number;
    processes_counted: string;
  };
  spawn: string;
  subreaper: boolean;
  launcher_dumpable: boolean;
  /** Layers this host cannot give, each with why and what to do. */
  unavailable: Array<{ layer: string; reason: string; remedy: string }>;
  /** Layers turned off with --function-sandbox. */
  disabled: string[];
}

/** The outcome of a run. */
export interface ExecutionResult {
  output: RuntimeOutput;
  usage: Usage;
  errorCode?: ExecutionErrorCode;
  message?: string;
}

/** Options of {@link createExecutor}. */
export interface ExecutorOptions {
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

/** Runs functions. */
export interface Executor {
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

interface LauncherAnswer {
  id: string;
  stdout: string;
  stderr: string;
  exit_code: number;
  wall_ns: number;
  usage: Partial<Usage>;
  error_code?: ExecutionErrorCode;
  message?: string;
}

/** What the launcher says about its warm processes. */
interface WarmEvent {
  event: "ready" | "replaced" | "exited" | "timeout" | "failed";
  entry: string;
  pid?: number;
  imported?: number;
  failed?: Array<{ module: string | null; error: string }>;
  ms?: number;
  reason?: string;
  error?: string;
}

interface Pending {
  resolve(answer: LauncherAnswer): void;
  reject(err: Error): void;
}

/** Creates an executor; the launcher starts with the first run and restarts if it dies. */
export function createExecutor(options: ExecutorOptions): Executor {
  const { logger } = options;
  const pending = new Map<string, Pending>();
  let launcher: ChildProcessWithoutNullStreams | undefined;
  let stopped = false;
  let sequence = 0;
  let report: SandboxReport | undefined;
  let readyWaiters: Array<{ resolve(r: SandboxReport): void; reject(e: Error): void }> = [];
  const box = options.sandbox ?? {};
  const limits = box.limits ?? { memoryMib: 1024, processes: 256, fileSizeMib: 100, openFiles: 1024 };
  const launcherConfig = {
    config: {
      layers: box.layers ?? SANDBOX_LAYERS,
      secret_paths: box.secretPaths ?? [],
      private_paths: box.privatePaths ?? [],
      read_paths: box.readPaths ?? [],
      interpreters: box.interpreters ?? [options.python, process.execPath, "/bin/sh"],
      search_path: makeSearchPath(options.python),
      uid_base: box.uidBase ?? 2_000_000_000,
      uid_slots: box.uidSlots ?? 4,
      limits: {
        memory_mib: limits.memoryMib,
        processes: limits.processes,
        file_size_mib: limits.fileSizeMib,
        open_files: limits.openFiles,
      },
      // A slot's uid must reach its scratch folder, whatever else the worker asks to check.
      uid_checks: [...(box.uidChecks ?? []), { path: options.scratchRoot, mode: "x", what: "the scratch folders" }],
    },
  };

  const logWarmEvent = (event: WarmEvent) => {
    const { event: what, ...fields } = event;
    if (what === "ready") {
      const failed = event.failed ?? [];
      logger.info(
        fields,
        `warm process ${event.pid} of ${event.entry} ready: ${event.imported} modules in ${event.ms} ms`,
      );
      if (failed.length > 0) {
        logger.warn(
          { code: "WARM_IMPORT_FAILED", entry: event.entry, failed },
          `warm process of ${event.entry}: ${failed.length} import(s) failed; each run imports them again and fails as a cold run would`,
        );
      }
    } else if (what === "replaced") {
      logger.info(fields, `warm process of ${event.entry} replaced: ${event.reason}`);
    } else {
      logger.warn(
        { code: what === "timeout" ? "WARM_IMPORT_TIMEOUT" : "WARM_PROCESS_FAILED", ...fields },
        what === "timeout"
          ? `warm process of ${event.entry} was still importing after ${event.ms} ms; killed, its runs go cold until its folder changes`
          : `warm process of ${event.entry} ${what === "exited" ? "exited" : `failed to start: ${event.error}`}; the next run starts a new one`,
      );
    }
  };

  const failAll = (reason: string) => {
    for (const [id, p] of pending) {
      pending.delete(id);
      p.reject(new AlloraError("FUNCTION_SPAWN_FAILED", reason));
    }
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
    let buffered = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      buffered += chunk;
      let nl = buffered.indexOf("\n");
      while (nl !== -1) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        nl = buffered.indexOf("\n");
        let answer: LauncherAnswer & { ready?: boolean; warm?: WarmEvent };
        try {
          answer = JSON.parse(line);
        } catch {
          logger.warn({ code: "LAUNCHER_PROTOCOL" }, `unreadable line from the launcher: ${line.slice(0, 200)}`);
          continue;
        }
        if (answer.warm) {
          logWarmEvent(answer.warm);
          continue;
        }
        if (answer.ready) {
          report = (answer as unknown as { sandbox: SandboxReport }).sandbox;
          for (const w of readyWaiters.splice(0)) w.resolve(report);
          continue;
        }
        const waiter = pending.get(answer.id);
        if (waiter) {
          pending.delete(answer.id);
          waiter.resolve(answer);
        }
      }
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (text: string) => logger.warn({ code: "LAUNCHER_STDERR" }, text.trim().slice(0, 2000)));
    child.stdin.on("error", () => {});
    child.on("error", (err) => {
      logger.error({ code: "LAUNCHER_FAILED", python: options.python }, `cannot start the launcher: ${err.message}`);
    });
    child.on("exit", (code, signal) => {
      if (launcher === child) launcher = undefined;
      if (!stopped) {
        logger.error(
          { code: "LAUNCHER_EXITED", exit: code, signal },
          "the function launcher exited; runs in progress failed, the next run starts a new one",
        );
      }
      failAll(`the function launcher exited (${signal ?? code}) during the run`);
      for (const w of readyWaiters.splice(0)) w.reject(new AlloraError("LAUNCHER_FAILED", "the launcher exited"));
    });
    child.stdin.write(`${JSON.stringify(launcherConfig)}\n`);
    return child;
  };

  const request = (payload: Record<string, unknown>, id: string, timeoutMs: number): Promise<LauncherAnswer> => {
    launcher ??= startLauncher();
    const child = launcher;
    return new Promise<LauncherAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new AlloraError("FUNCTION_SPAWN_FAILED", `the launcher did not answer within ${timeoutMs} ms`));
        child.kill("SIGKILL");
      }, timeoutMs);
      pending.set(id, {
        resolve: (a) => {
          clearTimeout(timer);
          resolve(a);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      child.stdin.write(`${JSON.stringify(payload)}\n`);
    });
  };

  return {
    start() {
      launcher ??= startLauncher();
      if (report) return Promise.resolve(report);
      return new Promise<SandboxReport>((resolve, reject) => {
        const timer = setTimeout(() => {
          readyWaiters = readyWaiters.filter((w) => w !== waiter);
          reject(new AlloraError("LAUNCHER_FAILED", `the launcher was not ready within ${LAUNCHER_READY_MS} ms`));
        }, LAUNCHER_READY_MS);
        const waiter = {
          resolve: (r: SandboxReport) => {
            clearTimeout(timer);
            resolve(r);
          },
          reject: (e: Error) => {
            clearTimeout(timer);
            reject(e);
          },
        };
        readyWaiters.push(waiter);
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
      try {
        const answer = await request(
          {
            id,
            command: run.command,
            args: run.args,
            env: { HOME: scratch, TMPDIR: scratch, ...run.env },
            cwd: scratch,
            read_paths: run.readPaths ?? [],
            ...(run.warm
              ? {
                  warm: {
                    entry: run.warm.entry,
                    runner: run.warm.runner,
                    server_env: run.warm.serverEnv,
                    watch: run.warm.watch,
                  },
                }
              : {}),
            ...(run.stdin ? { stdin: run.stdin } : {}),
            timeout_ms: run.timeoutMs,
            max_stdout: options.maxStdoutBytes,
            max_stderr: options.maxStderrBytes,
          },
          id,
          run.timeoutMs + LAUNCHER_SLACK_MS,
        );
        const usage: Usage = { wall_clock_time: Math.max(0, Math.round(answer.wall_ns)) };
        for (const key of ["cpu_user_time", "cpu_sys_time", "memory_max_kb"] as const) {
          const v = answer.usage[key];
          if (typeof v === "number" && Number.isInteger(v) && v >= 0) usage[key] = v;
        }
        return {
          output: { stdout: answer.stdout, stderr: answer.stderr, exit_code: answer.exit_code },
          usage,
          ...(answer.error_code ? { errorCode: answer.error_code, message: answer.message } : {}),
        };
      } catch (err) {
        return {
          output: { stdout: "", stderr: "", exit_code: 127 },
          usage: { wall_clock_time: 0 },
          errorCode: "FUNCTION_SPAWN_FAILED",
          message: (err as Error).message,
        };
      }
    },
  };
}
