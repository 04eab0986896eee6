/**
 * Runs a project's main.py offline through the worker's own code (`@allora/worker`'s main.py session: the runner
 * package's plan, the launcher, the function sandbox and the function mode): `python3 main.py <topic> 0 0 <arg>`
 * (heights "0", as for a request sent by hand), in main.py's folder, with the environment a worker builds from
 * scratch (a fixed PATH and locale, config.yaml's function env, the request's env vars, TOPIC_ID, a private HOME and
 * TMPDIR), its own process group, stdout and stderr kept apart with the worker's caps, and a deadline that kills
 * the whole group. Cold (a fresh interpreter) and warm (forked from a process that imported main.py's modules).
 */
import { type ExecutionResult, type FunctionMode, type MainPySession, startMainPySession } from "@allora/worker";
import { STOP_SIGNALS } from "../docker/run-process.js";

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
  mode: FunctionMode;
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** stdout or stderr passed its cap and the run was killed. */
  overflow?: "stdout" | "stderr";
  spawnError?: string;
  /** The run's wall clock as the worker measures it (interpreter start included when cold). */
  durationMs: number;
  /** The exact command line and environment used (for the report). */
  argv: string[];
  env: Record<string, string>;
}

/** What a request sends beside the topic's argument (the guide's request, and `allocmd request`). */
const REQUEST_ENV = { BLS_REQUEST_PATH: "/api" };

/** A session run as `allocmd test` reports it. */
export function toMainPyResult(
  mode: FunctionMode,
  r: ExecutionResult & { argv: string[]; env: Record<string, string> },
): MainPyResult {
  const code = r.errorCode;
  return {
    mode,
    stdout: r.output.stdout,
    stderr: r.output.stderr,
    exitCode: r.output.exit_code,
    signal: null,
    timedOut: code === "FUNCTION_TIMEOUT",
    ...(code === "FUNCTION_OUTPUT_TOO_LARGE"
      ? { overflow: /stderr/.test(r.message ?? "") ? ("stderr" as const) : ("stdout" as const) }
      : {}),
    ...(code === "FUNCTION_SPAWN_FAILED" || code === "FUNCTION_SANDBOX_FAILED"
      ? { spawnError: r.message ?? code }
      : {}),
    durationMs: r.usage.wall_clock_time / 1e6,
    argv: r.argv,
    env: r.env,
  };
}

/** Runs main.py once per mode, in the order given, in one session (the warm process lives between warm runs). */
export async function runMainPy(run: MainPyRun, modes: readonly FunctionMode[]): Promise<MainPyResult[]> {
  let session: MainPySession;
  try {
    session = await startMainPySession(run);
  } catch (err) {
    const reason = `${run.python} cannot start the worker's launcher: ${(err as Error).message}`;
    return modes.map((mode) => ({
      mode,
      stdout: "",
      stderr: "",
      exitCode: 127,
      signal: null,
      timedOut: false,
      spawnError: reason,
      durationMs: 0,
      argv: [run.python, run.mainPy],
      env: {},
    }));
  }
  // Ctrl-C, SIGTERM or a closed terminal stops the launcher, its runs and its warm process, like every tool allocmd
  // runs (docker/run-process.ts); a SIGKILLed allocmd takes them along anyway (the launcher's parent-death signal).
  const onSignal = () => void session.stop();
  for (const signal of STOP_SIGNALS) process.once(signal, onSignal);
  try {
    const results: MainPyResult[] = [];
    for (const mode of modes) {
      const r = await session.run({ topic: run.topic, arg: run.arg, mode, env: REQUEST_ENV });
      results.push(toMainPyResult(mode, r));
    }
    return results;
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
    await session.stop();
  }
}
