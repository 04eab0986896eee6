/**
 * The line protocol between the worker and its launcher (`python/launcher.py`): what the worker asks for and what it
 * reads back, as plain data and pure functions (one JSON object per line each way; the launcher's docstring has the
 * grammar). The launcher client (launcher-client.ts) moves these lines; nothing here starts a process.
 */
import { makeSearchPath } from "@allora/node-function";
import type { Logger, RuntimeOutput, Usage } from "@allora/protocol";

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
interface WarmSpec {
  /** The script the cold run starts (`args[0]`): the runner's exec_main_py.py, or a package's Python entry. */
  entry: string;
  /** The runner package: the warm process warms the worker's main.py and builds its argv with the runner's plan(). */
  runner: boolean;
  /** The warm process's own environment: the run's, without anything the request chose. */
  serverEnv: Readonly<Record<string, string>>;
  /** Folders whose change (names, sizes, mtimes) replaces the warm process: main.py's, the package's. */
  watch: readonly string[];
}

/** Why a run did not complete normally. */
type ExecutionErrorCode =
  | "FUNCTION_TIMEOUT"
  | "FUNCTION_OUTPUT_TOO_LARGE"
  | "FUNCTION_SPAWN_FAILED"
  | "FUNCTION_SANDBOX_FAILED";

/** A sandbox layer the operator can turn off (`--function-sandbox`). */
export type SandboxLayer = "landlock" | "uid" | "rlimits" | "reaper";

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

/** The output caps every run message carries. */
export interface RunMessageLimits {
  maxStdoutBytes: number;
  maxStderrBytes: number;
}

/** An answer to one run, as the launcher writes it. */
export interface LauncherAnswer {
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
export interface WarmEvent {
  event: "ready" | "replaced" | "exited" | "timeout" | "failed";
  entry: string;
  pid?: number;
  imported?: number;
  failed?: Array<{ module: string | null; error: string }>;
  ms?: number;
  reason?: string;
  error?: string;
}

/** One line from the launcher, by kind. */
export type LauncherLine =
  | { kind: "answer"; answer: LauncherAnswer }
  | { kind: "ready"; sandbox: SandboxReport }
  | { kind: "warm"; event: WarmEvent }
  | { kind: "unreadable"; line: string };

const SANDBOX_LAYERS: readonly SandboxLayer[] = ["landlock", "uid", "rlimits", "reaper"];
const DEFAULT_LIMITS: SandboxOptions["limits"] = { memoryMib: 1024, processes: 256, fileSizeMib: 100, openFiles: 1024 };

/** The launcher's first line: the sandbox it must put in force for every run. */
export function makeLauncherConfig(
  python: string,
  scratchRoot: string,
  box: Partial<SandboxOptions> = {},
): { config: Record<string, unknown> } {
  const limits = box.limits ?? DEFAULT_LIMITS;
  return {
    config: {
      layers: box.layers ?? SANDBOX_LAYERS,
      secret_paths: box.secretPaths ?? [],
      private_paths: box.privatePaths ?? [],
      read_paths: box.readPaths ?? [],
      interpreters: box.interpreters ?? [python, process.execPath, "/bin/sh"],
      search_path: makeSearchPath(python),
      uid_base: box.uidBase ?? 2_000_000_000,
      uid_slots: box.uidSlots ?? 4,
      limits: {
        memory_mib: limits.memoryMib,
        processes: limits.processes,
        file_size_mib: limits.fileSizeMib,
        open_files: limits.openFiles,
      },
      // A slot's uid must reach its scratch folder, whatever else the worker asks to check.
      uid_checks: [...(box.uidChecks ?? []), { path: scratchRoot, mode: "x", what: "the scratch folders" }],
    },
  };
}

/** The request line of one run; `scratch` is its cwd, HOME and TMPDIR (the launcher creates and removes it). */
export function makeRunMessage(
  run: ExecutionRequest,
  id: string,
  scratch: string,
  limits: RunMessageLimits,
): Record<string, unknown> {
  return {
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
    max_stdout: limits.maxStdoutBytes,
    max_stderr: limits.maxStderrBytes,
  };
}

/** Reads one line the launcher wrote. */
export function parseLauncherLine(line: string): LauncherLine {
  let parsed: LauncherAnswer & { ready?: boolean; warm?: WarmEvent; sandbox?: SandboxReport };
  try {
    parsed = JSON.parse(line);
  } catch {
    return { kind: "unreadable", line };
  }
  if (parsed === null || typeof parsed !== "object") return { kind: "unreadable", line };
  if (parsed.warm) return { kind: "warm", event: parsed.warm };
  if (parsed.ready) return { kind: "ready", sandbox: parsed.sandbox as SandboxReport };
  return { kind: "answer", answer: parsed };
}

/** The result of a run from the launcher's answer: usage only from whole, non-negative counts. */
export function readRunAnswer(answer: LauncherAnswer): ExecutionResult {
  const usage: Usage = { wall_clock_time: Math.max(0, Math.round(answer.wall_ns)) };
  for (const key of ["cpu_user_time", "cpu_sys_time", "memory_max_kb"] as const) {
    const v = answer.usage?.[key];
    if (typeof v === "number" && Number.isInteger(v) && v >= 0) usage[key] = v;
  }
  return {
    output: { stdout: answer.stdout, stderr: answer.stderr, exit_code: answer.exit_code },
    usage,
    ...(answer.error_code ? { errorCode: answer.error_code, message: answer.message } : {}),
  };
}

/** The result of a run the launcher never answered (it could not start, died or went silent). */
export function spawnFailure(message: string): ExecutionResult {
  return {
    output: { stdout: "", stderr: "", exit_code: 127 },
    usage: { wall_clock_time: 0 },
    errorCode: "FUNCTION_SPAWN_FAILED",
    message,
  };
}

/** Logs what the launcher says about a warm process: ready (and which imports failed), replaced, gone. */
export function logWarmEvent(logger: Logger, event: WarmEvent): void {
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
}
