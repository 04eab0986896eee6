/**
 * The run plan: turns an execute into the process to start (which program, which arguments, exactly which
 * environment, its timeout, what it may read, warm or cold), handed to the launcher client. The
 * environment is built from scratch (a fixed PATH and locale, the operator's `--function-env`, the request's env
 * vars, TOPIC_ID) so none of the worker's own variables or secrets reach a function.
 */
import { dirname, join } from "node:path";
import { makeBaseRunEnv, makeRunnerEnv } from "@allora/node-function";
import { isReservedEnvName, type MsgExecute, topicIdFromName } from "@allora/protocol";
import type { InstalledFunction } from "../functions/function-store.js";
import type { ExecutionRequest } from "./launcher-protocol.js";

/** Worker settings that shape every run. */
export interface RunPlanSettings {
  mainPy: string;
  python: string;
  /** Operator-chosen env for every function, from `--function-env`. */
  functionEnv: ReadonlyMap<string, string>;
  defaultTimeoutMs: number;
  /** `warm`: Python functions fork a warm process that has imported their modules; `cold`: a fresh interpreter. */
  functionMode: FunctionMode;
}

/** How Python functions start (`--function-mode`). */
export type FunctionMode = "warm" | "cold";

/** Parses `--function-env` pairs. */
export function parseFunctionEnv(pairs: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    out.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return out;
}

/** The plan for one run, plus the request env vars that were refused. */
export interface RunPlan {
  request: ExecutionRequest;
  refusedEnv: string[];
}

function interpreterOf(fn: InstalledFunction, settings: RunPlanSettings): string {
  switch (fn.manifest.interpreter) {
    case "python3":
      return settings.python;
    case "node":
      return process.execPath;
    case "sh":
      return "/bin/sh";
  }
}

/** Plans the run of `message` with the installed function `fn`. */
export function planRun(message: MsgExecute, fn: InstalledFunction, settings: RunPlanSettings): RunPlan {
  const env = makeBaseRunEnv(settings.python);
  for (const [name, value] of settings.functionEnv) env[name] = value;
  if (fn.manifest.kind === "runner") Object.assign(env, makeRunnerEnv(settings.mainPy, settings.python));
  // The warm process's environment: the operator's and the worker's, nothing any request chose.
  const serverEnv = { ...env };
  const refusedEnv: string[] = [];
  for (const { name, value } of message.env_vars) {
    if (isReservedEnvName(name)) refusedEnv.push(name);
    else env[name] = value;
  }
  const topicId = topicIdFromName(message.topic);
  if (topicId !== undefined) env.TOPIC_ID = topicId.toString();
  const entry = join(fn.dir, fn.manifest.entry);
  const runner = fn.manifest.kind === "runner";
  const timeoutMs = Math.min(message.timeout_ms ?? settings.defaultTimeoutMs, settings.defaultTimeoutMs);
  return {
    request: {
      requestId: message.request_id,
      command: interpreterOf(fn, settings),
      args: [entry, ...message.parameters],
      env,
      ...(message.stdin === undefined ? {} : { stdin: message.stdin }),
      timeoutMs,
      // The sandbox lets a function read its own package and, for the runner, main.py's folder (the worker's secret
      // paths in it excepted), beside the system's folders.
      readPaths: runner ? [fn.dir, dirname(settings.mainPy)] : [fn.dir],
      ...(settings.functionMode === "warm" && fn.manifest.interpreter === "python3"
        ? { warm: { entry, runner, serverEnv, watch: runner ? [dirname(settings.mainPy), fn.dir] : [fn.dir] } }
        : {}),
    },
    refusedEnv,
  };
}
