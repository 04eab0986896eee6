/**
 * Runs a tool (docker, docker-compose, python3) with a deadline: output captured (and optionally streamed line by
 * line for progress), the whole process group killed when the deadline passes or allocmd gets SIGINT, SIGTERM or
 * SIGHUP, and a missing binary reported as such instead of an uncaught ENOENT. Where util-linux's `setpriv` exists
 * (Linux), the tool is also tied to allocmd with PR_SET_PDEATHSIG, so it dies even when allocmd is killed with
 * SIGKILL.
 */
import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";

const SETPRIV = process.platform === "linux" ? ["/usr/bin/setpriv", "/bin/setpriv"].find(existsSync) : undefined;

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The file `command` names, as spawn would find it (PATH of `env`), or undefined when there is none. */
function findCommand(command: string, env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  if (command.includes("/")) {
    const path = isAbsolute(command) ? command : resolve(cwd, command);
    return executable(path) ? path : undefined;
  }
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const path = join(isAbsolute(dir) ? dir : resolve(cwd, dir), command);
    if (executable(path)) return path;
  }
  return undefined;
}

/**
 * Spawns `command` in a process group of its own, tied to this process: with `setpriv --pdeathsig KILL` where
 * available, so the kernel kills it when allocmd dies however it dies. A command that cannot be found is spawned
 * as is, so the caller sees the usual ENOENT.
 */
function spawnTied(
  command: string,
  args: readonly string[],
  options: SpawnOptions & { env: NodeJS.ProcessEnv },
): ChildProcess {
  const found = SETPRIV ? findCommand(command, options.env, String(options.cwd ?? process.cwd())) : undefined;
  const [file, argv] = SETPRIV && found ? [SETPRIV, ["--pdeathsig", "KILL", "--", found, ...args]] : [command, args];
  return spawn(file, [...argv], { ...options, detached: true });
}

/** SIGKILLs the process group led by `pid` (a child spawned with `detached: true`); a group already gone is fine. */
function killProcessGroup(pid: number | undefined): void {
  try {
    if (pid !== undefined) process.kill(-pid, "SIGKILL");
  } catch {
    // the group is gone
  }
}

/** The signals that stop the tools allocmd runs. */
/** The signals on which allocmd stops what it runs. */
export const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** The outcome of {@link runProcess}. */
export interface ProcessResult {
  /** Exit code; 127 when the program could not start, 124 on timeout. */
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Set when the program could not be started (e.g. not installed). */
  spawnError?: string;
  durationMs: number;
}

/** Options of {@link runProcess}. */
export interface RunProcessOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  timeoutMs: number;
  /** Called with each complete output line (stdout and stderr), for progress. */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
  /** Kept bytes of each stream (default 4 MiB). */
  maxBytes?: number;
  /** Inherit the terminal instead of capturing (for `logs --follow`). */
  inherit?: boolean;
}

/** Runs `command` with `args` and waits for it (or the deadline). */
export function runProcess(
  command: string,
  args: readonly string[],
  options: RunProcessOptions,
): Promise<ProcessResult> {
  const started = Date.now();
  const maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
  return new Promise((resolve) => {
    const child = spawnTied(command, args, {
      ...(options.cwd ? { cwd: options.cwd } : {}),
      env: (options.env ?? process.env) as NodeJS.ProcessEnv,
      stdio: options.inherit ? ["ignore", "inherit", "inherit"] : ["ignore", "pipe", "pipe"],
    });
    const buffers = { stdout: "", stderr: "" };
    const partial = { stdout: "", stderr: "" };
    let timedOut = false;
    let spawnError: string | undefined;
    const killGroup = () => killProcessGroup(child.pid);
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutMs);
    for (const stream of ["stdout", "stderr"] as const) {
      child[stream]?.on("data", (chunk: Buffer) => {
        const text = chunk.toString("utf8");
        if (buffers[stream].length < maxBytes) buffers[stream] += text.slice(0, maxBytes - buffers[stream].length);
        if (options.onLine) {
          partial[stream] += text;
          let nl = partial[stream].indexOf("\n");
          while (nl !== -1) {
            options.onLine(partial[stream].slice(0, nl).replace(/\r$/, ""), stream);
            partial[stream] = partial[stream].slice(nl + 1);
            nl = partial[stream].indexOf("\n");
          }
        }
      });
    }
    // Ctrl-C (or SIGTERM, a closed terminal) on allocmd also stops the tool it started (it runs in its own group).
    const onSignal = () => killGroup();
    for (const signal of STOP_SIGNALS) process.once(signal, onSignal);
    child.on("error", (err) => {
      spawnError =
        (err as NodeJS.ErrnoException).code === "ENOENT" ? `${command} is not installed (not on PATH)` : err.message;
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
      if (options.onLine) {
        for (const stream of ["stdout", "stderr"] as const)
          if (partial[stream]) options.onLine(partial[stream], stream);
      }
      resolve({
        code: spawnError ? 127 : timedOut ? 124 : (code ?? (signal ? 128 : 1)),
        stdout: buffers.stdout,
        stderr: buffers.stderr,
        timedOut,
        ...(spawnError ? { spawnError } : {}),
        durationMs: Date.now() - started,
      });
    });
  });
}

/** The last `lines` lines of a text. */
export function tail(text: string, lines = 15): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
