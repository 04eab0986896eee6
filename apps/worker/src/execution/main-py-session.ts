/**
 * Runs a main.py outside a network exactly as a worker runs it: the runner package's plan (argv, the environment
 * built from scratch), the launcher with the function sandbox, and the chosen function mode. `allocmd test` uses it,
 * so a laptop and a worker share one definition of how main.py runs.
 */
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { makeMainPyArgv, packageSources, runnerPackageDir } from "@allora/node-function";
import { type MsgExecute, silentLogger } from "@allora/protocol";
import { createLauncherClient } from "./launcher-client.js";
import type { ExecutionResult } from "./launcher-protocol.js";
import { type FunctionMode, planRun } from "./run-plan.js";

/** What every run of the session shares. */
interface MainPySessionOptions {
  mainPy: string;
  python: string;
  /** The operator's function env (`--function-env`, config.yaml's function_env). */
  functionEnv: Readonly<Record<string, string>>;
  timeoutMs: number;
  maxStdoutBytes?: number;
  maxStderrBytes?: number;
}

/** One run: the worker's execute with this topic, argument and request env. */
export interface MainPyRequest {
  topic: number;
  arg: string;
  mode: FunctionMode;
  /** More request env vars (e.g. BLS_REQUEST_PATH, as the guide's request sends). */
  env?: Readonly<Record<string, string>>;
}

/** A launcher kept for several runs (a warm process lives between them, as on a worker). */
export interface MainPySession {
  run(request: MainPyRequest): Promise<ExecutionResult & { argv: string[]; env: Record<string, string> }>;
  stop(): Promise<void>;
}

/** Starts a session: the launcher probes its sandbox now. */
export async function startMainPySession(options: MainPySessionOptions): Promise<MainPySession> {
  const scratchRoot = await mkdtemp(join(tmpdir(), "allora-main-py-"));
  await chmod(scratchRoot, 0o711); // a run slot's uid (worker as root) enters it, as the worker's runs folder
  const mainPy = resolve(options.mainPy);
  const launcher = createLauncherClient({
    scratchRoot,
    maxStdoutBytes: options.maxStdoutBytes ?? 262_144,
    maxStderrBytes: options.maxStderrBytes ?? 65_536,
    python: options.python,
    logger: silentLogger,
    sandbox: {
      uidChecks: [
        { path: options.python, mode: "x", what: "the Python interpreter" },
        { path: mainPy, mode: "r", what: "main.py" },
      ],
    },
  });
  await launcher.start();
  const runner = { cid: "runner", dir: runnerPackageDir, manifest: packageSources().runner.manifest };
  let sequence = 0;
  return {
    async run(request) {
      const message: MsgExecute = {
        type: "MsgExecute",
        request_id: `main-py-${sequence++}`,
        function_id: runner.cid,
        method: runner.manifest.methods[0] as string,
        topic: `allora-topic-${request.topic}-worker`,
        parameters: [],
        env_vars: Object.entries({ ...request.env, ALLORA_ARG_PARAMS: request.arg }).map(([name, value]) => ({
          name,
          value,
        })),
        timestamp: new Date().toISOString(),
      };
      const plan = planRun(message, runner, {
        mainPy,
        python: options.python,
        functionEnv: new Map(Object.entries(options.functionEnv)),
        defaultTimeoutMs: options.timeoutMs,
        functionMode: request.mode,
      });
      const result = await launcher.run(plan.request);
      // The command line the runner package makes of it, for the report.
      const argv = makeMainPyArgv({ python: options.python, mainPy, env: plan.request.env });
      return { ...result, argv, env: { ...plan.request.env } };
    },
    async stop() {
      launcher.killAll();
      await rm(scratchRoot, { recursive: true, force: true });
    },
  };
}
