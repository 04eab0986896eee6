/**
 * Runs a project's main.py offline exactly as a worker runs it: `python3 main.py <topic> 0 0 <arg>` (heights "0",
 * as for a request sent by hand), in main.py's folder, with a clean environment built from scratch (a fixed PATH and
 * locale, config.yaml's function env, the request's env vars, TOPIC_ID, a private HOME and TMPDIR), its own process
 * group, stdout and stderr kept apart, and a deadline that kills the whole group.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { killProcessGroup, spawnTied } from "../docker/run-process.js";

/** The PATH a worker gives functions. */
const SAFE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** What to run. */
export interface MainPyRun {
  mainPy: string;
  python: string;
  topic: number;
  arg: string;
  /** config.yaml's function env plus INFERENCE_API_ADDRESS. */
  functionEnv: Readonly<Record<string, string>>;
  timeoutMs: number;
  /** Bytes of stdout/stderr kept (the worker's defaults: 256 KiB and 64 KiB). */
  maxStdoutBytes?: number;
  maxStderrBytes?: number;
}

/** How the run ended. */
export interface MainPyResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** stdout or stderr passed its cap and the run was killed. */
  overflow?: "stdout" | "stderr";
  spawnError?: string;
  durationMs: number;
  /** The exact command line and environment used (for the report). */
  argv: string[];
  env: Record<string, string>;
}

/** The environment main.py gets, as the worker builds it. */
export function functionEnvironment(
  run: Pick<MainPyRun, "python" | "topic" | "arg" | "functionEnv">,
  scratch: string,
): Record<string, string> {
  const path = isAbsolute(run.python) ? `${dirname(run.python)}:${SAFE_PATH}` : SAFE_PATH;
  return {
    HOME: scratch,
    TMPDIR: scratch,
    PATH: path,
    LANG: "C.UTF-8",
    LC_ALL: "C.UTF-8",
    PYTHONDONTWRITEBYTECODE: "1",
    PYTHONUNBUFFERED: "1",
    ...run.functionEnv,
    // What the guide's request (and `allocmd request`) sends, and what the head adds.
    BLS_REQUEST_PATH: "/api",
    ALLORA_ARG_PARAMS: run.arg,
    TOPIC_ID: String(run.topic),
  };
}

/** Runs main.py once. */
export async function runMainPy(run: MainPyRun): Promise<MainPyResult> {
  const scratch = await mkdtemp(join(tmpdir(), "allocmd-test-"));
  const env = functionEnvironment(run, scratch);
  const argv = [run.python, run.mainPy, String(run.topic), "0", "0", run.arg];
  const maxOut = run.maxStdoutBytes ?? 262_144;
  const maxErr = run.maxStderrBytes ?? 65_536;
  const started = performance.now();
  try {
    return await new Promise<MainPyResult>((resolve) => {
      // Tied to allocmd: killed with it even by SIGKILL (where setpriv exists), like a worker's function.
      const child = spawnTied(run.python, argv.slice(1), {
        cwd: dirname(run.mainPy),
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let outBytes = 0;
      let errBytes = 0;
      let timedOut = false;
      let overflow: "stdout" | "stderr" | undefined;
      let spawnError: string | undefined;
      const killGroup = () => killProcessGroup(child.pid);
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup();
      }, run.timeoutMs);
      child.stdout?.on("data", (chunk: Buffer) => {
        outBytes += chunk.length;
        if (outBytes > maxOut) {
          overflow ??= "stdout";
          killGroup();
        } else out.push(chunk);
      });
      child.stderr?.on("data", (chunk: Buffer) => {
        errBytes += chunk.length;
        if (errBytes > maxErr) {
          overflow ??= "stderr";
          killGroup();
        } else err.push(chunk);
      });
      child.on("error", (e) => {
        spawnError =
          (e as NodeJS.ErrnoException).code === "ENOENT" ? `${run.python} is not installed (not on PATH)` : e.message;
      });
      child.on("exit", () => killGroup()); // nothing main.py started outlives it, as on the worker
      child.on("close", (exitCode, signal) => {
        clearTimeout(timer);
        resolve({
          stdout: Buffer.concat(out).toString("utf8"),
          stderr: Buffer.concat(err).toString("utf8"),
          exitCode: spawnError ? 127 : exitCode,
          signal,
          timedOut,
          ...(overflow ? { overflow } : {}),
          ...(spawnError ? { spawnError } : {}),
          durationMs: performance.now() - started,
          argv,
          env,
        });
      });
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
