/**
 * Runs one function as a child process: its own process group, a clean environment, stdin from the request,
 * stdout and stderr captured separately with size caps, a wall-clock timeout that kills the whole group, and usage
 * figures (wall clock measured here around the process, interpreter start included; CPU and peak memory as the
 * function reports them on fd 3).
 */
import { spawn } from "node:child_process";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
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
}

/** Why a run did not complete normally. */
export type ExecutionErrorCode = "FUNCTION_TIMEOUT" | "FUNCTION_OUTPUT_TOO_LARGE" | "FUNCTION_SPAWN_FAILED";

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
  logger: Logger;
}

/** Runs functions. */
export interface Executor {
  run(request: ExecutionRequest): Promise<ExecutionResult>;
  /** Kills every running function (on shutdown). */
  killAll(): void;
}

const SIGKILL_EXIT = 137;
/** Scratch folders kept ready ahead of runs. */
const POOL_SIZE = 2;

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // the group is already gone
  }
}

class CappedBuffer {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  overflowed = false;
  constructor(private readonly cap: number) {}
  push(chunk: Buffer): boolean {
    if (this.size + chunk.length > this.cap) {
      this.chunks.push(chunk.subarray(0, this.cap - this.size));
      this.size = this.cap;
      this.overflowed = true;
      return false;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    return true;
  }
  toString(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}

/** Creates an executor. */
export function createExecutor(options: ExecutorOptions): Executor {
  const running = new Set<number>();
  // Scratch folders are made ahead and removed after the answer is sent, so neither is on a request's path.
  const ready: string[] = [];
  let counter = 0;
  const prepare = async (): Promise<string> => {
    const dir = join(options.scratchRoot, `run-${process.pid}-${Date.now().toString(36)}-${counter++}`);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return dir;
  };
  let creating = 0;
  const refill = () => {
    if (ready.length + creating >= POOL_SIZE) return;
    creating++;
    void prepare()
      .then((dir) => ready.push(dir))
      .finally(() => creating--)
      .catch((err: Error) =>
        options.logger.warn({ code: "SCRATCH_CREATE_FAILED" }, `cannot create a scratch folder: ${err.message}`),
      );
  };
  const dispose = (dir: string) => {
    void rm(dir, { recursive: true, force: true })
      .then(refill)
      .catch((err: Error) =>
        options.logger.warn({ code: "SCRATCH_CLEANUP_FAILED", dir }, `cannot remove scratch folder: ${err.message}`),
      );
  };
  refill();
  return {
    killAll() {
      for (const pid of running) killGroup(pid);
    },
    async run(request) {
      const scratch = ready.shift() ?? (await prepare());
      const env = { HOME: scratch, TMPDIR: scratch, ...request.env };
      const started = process.hrtime.bigint();
      try {
        return await new Promise<ExecutionResult>((resolve) => {
          const stdout = new CappedBuffer(options.maxStdoutBytes);
          const stderr = new CappedBuffer(options.maxStderrBytes);
          let report = "";
          let errorCode: ExecutionErrorCode | undefined;
          let message: string | undefined;
          let exitCode: number | null = null;
          let signal: NodeJS.Signals | null = null;
          let wallNs: bigint | undefined;

          const child = spawn(request.command, [...request.args], {
            cwd: scratch,
            env,
            detached: true,
            stdio: ["pipe", "pipe", "pipe", "pipe"],
          });
          const pid = child.pid;
          if (pid !== undefined) running.add(pid);
          const timer = setTimeout(() => {
            errorCode = "FUNCTION_TIMEOUT";
            message = `the function ran longer than ${request.timeoutMs} ms and was killed with its process group`;
            killGroup(pid);
          }, request.timeoutMs);

          const overflow = (stream: string) => {
            if (errorCode) return;
            errorCode = "FUNCTION_OUTPUT_TOO_LARGE";
            message = `the function's ${stream} exceeded ${stream === "stdout" ? options.maxStdoutBytes : options.maxStderrBytes} bytes; it was killed`;
            killGroup(pid);
          };
          child.stdout.on("data", (chunk: Buffer) => {
            if (!stdout.push(chunk)) overflow("stdout");
          });
          child.stderr.on("data", (chunk: Buffer) => {
            if (!stderr.push(chunk)) overflow("stderr");
          });
          const usagePipe = child.stdio[3] as NodeJS.ReadableStream | null;
          usagePipe?.on("data", (chunk: Buffer) => {
            if (report.length < 4096) report += chunk.toString("utf8");
          });
          usagePipe?.on("error", () => {});
          child.stdin.on("error", () => {
            // a function that exits without reading stdin closes the pipe; that is not an error of the run
          });
          child.stdin.end(request.stdin ?? "");

          child.on("error", (err) => {
            errorCode = "FUNCTION_SPAWN_FAILED";
            message = `cannot start ${request.command}: ${err.message}`;
          });
          child.on("exit", (code, sig) => {
            wallNs = process.hrtime.bigint() - started;
            exitCode = code;
            signal = sig;
            // Reap anything the function left running in its group, so no process outlives the run.
            killGroup(pid);
          });
          child.on("close", () => {
            clearTimeout(timer);
            if (pid !== undefined) running.delete(pid);
            const usage: Usage = { wall_clock_time: Number(wallNs ?? process.hrtime.bigint() - started) };
            try {
              const reported = JSON.parse(report) as Partial<Usage>;
              for (const key of ["cpu_user_time", "cpu_sys_time", "memory_max_kb"] as const) {
                const v = reported[key];
                if (typeof v === "number" && Number.isInteger(v) && v >= 0) usage[key] = v;
              }
            } catch {
              // functions that do not report usage leave only the wall clock
            }
            const exit =
              errorCode === "FUNCTION_SPAWN_FAILED"
                ? 127
                : (exitCode ?? (signal === "SIGKILL" ? SIGKILL_EXIT : 128 + 15));
            resolve({
              output: { stdout: stdout.toString(), stderr: stderr.toString(), exit_code: exit },
              usage,
              ...(errorCode ? { errorCode, message } : {}),
            });
          });
        });
      } finally {
        dispose(scratch);
      }
    },
  };
}
