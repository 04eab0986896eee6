import { join } from "node:path";
import { packageSources, runnerPackageDir } from "@allora/node-function";
import type { MsgExecute } from "@allora/protocol";
import { describe, expect, it } from "vitest";
import { type FunctionMode, planRun } from "../src/execution/run-plan.js";
import type { InstalledFunction } from "../src/functions/function-store.js";

const sources = packageSources();
const runner: InstalledFunction = { cid: "runner", dir: runnerPackageDir, manifest: sources.runner.manifest };
const echo: InstalledFunction = { cid: "echo", dir: "/pkg/echo", manifest: sources.echo.manifest };
const message: MsgExecute = {
  type: "MsgExecute",
  request_id: "r1",
  function_id: "runner",
  method: "allora-inference-function.wasm",
  topic: "allora-topic-1-worker",
  parameters: [],
  env_vars: [
    { name: "ALLORA_ARG_PARAMS", value: "ETH" },
    { name: "PYTHONPATH", value: "/evil" },
  ],
  timestamp: "2026-12-02T00:00:00Z",
};
const settings = (functionMode: FunctionMode) => ({
  mainPy: "/app/main.py",
  python: "python3",
  functionEnv: new Map([["INFERENCE_API_ADDRESS", "http://inference:8000"]]),
  defaultTimeoutMs: 20_000,
  functionMode,
});

describe("planRun", () => {
  it("warm: the runner's warm process gets the worker's env only, keyed on main.py's folder and the package", () => {
    const { request, refusedEnv } = planRun(message, runner, settings("warm"));
    expect(refusedEnv).toEqual(["PYTHONPATH"]);
    expect(request.warm).toEqual({
      entry: join(runnerPackageDir, "exec_main_py.py"),
      runner: true,
      serverEnv: {
        PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        LANG: "C.UTF-8",
        LC_ALL: "C.UTF-8",
        PYTHONDONTWRITEBYTECODE: "1",
        PYTHONUNBUFFERED: "1",
        INFERENCE_API_ADDRESS: "http://inference:8000",
        ALLORA_MAIN_PY: "/app/main.py",
        ALLORA_PYTHON: "python3",
      },
      watch: ["/app", runnerPackageDir],
    });
    // The run itself still gets the request's env, exactly as cold.
    expect(request.env).toMatchObject({ ALLORA_ARG_PARAMS: "ETH", TOPIC_ID: "1" });
    const { warm: _, ...cold } = request;
    expect(cold).toEqual(planRun(message, runner, settings("cold")).request);
  });

  it("cold, or a function that is not Python, runs without a warm process", () => {
    expect(planRun(message, runner, settings("cold")).request.warm).toBeUndefined();
    expect(planRun(message, echo, settings("warm")).request.warm).toBeUndefined();
  });
});
