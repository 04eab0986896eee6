/**
 * main.py's argv and environment: the TypeScript rule (reports) and the runner package's plan() (every run) give
 * the same command line for the same environment.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  makeBaseRunEnv,
  makeLauncherEnv,
  makeMainPyArgv,
  makeRunnerEnv,
  makeSearchPath,
  SYSTEM_SEARCH_PATH,
  sampleMainPyPath,
} from "../src/index.js";

const runnerPy = fileURLToPath(new URL("../python/exec_main_py.py", import.meta.url));

/** What exec_main_py.py's plan() makes of `env` and `params`. */
function planOf(env: Record<string, string>, params: string[]): string[] {
  const script = [
    "import importlib.util, json, sys",
    `spec = importlib.util.spec_from_file_location("_runner", ${JSON.stringify(runnerPy)})`,
    "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)",
    "print(json.dumps(m.plan(json.loads(sys.argv[1]), sys.argv[2:])))",
  ].join("\n");
  return JSON.parse(execFileSync("python3", ["-c", script, JSON.stringify(env), ...params], { encoding: "utf8" }));
}

describe("main.py's argv", () => {
  const cases: Array<[string, Record<string, string>, string[]]> = [
    ["a hand-sent request (no heights)", { TOPIC_ID: "1", ALLORA_ARG_PARAMS: "ETH" }, []],
    [
      "a chain round",
      { TOPIC_ID: "7", ALLORA_ARG_PARAMS: "BTC", ALLORA_BLOCK_HEIGHT_CURRENT: "120", ALLORA_BLOCK_HEIGHT_EVAL: "119" },
      ["extra", "params"],
    ],
    ["no argument", { TOPIC_ID: "2" }, []],
    ["empty heights", { TOPIC_ID: "3", ALLORA_BLOCK_HEIGHT_CURRENT: "", ALLORA_ARG_PARAMS: "x" }, []],
  ];
  it.each(cases)("%s: the same as the runner's plan()", (_what, request, params) => {
    const env = { ...makeRunnerEnv(sampleMainPyPath, "/usr/bin/python3"), ...request };
    const argv = makeMainPyArgv({ python: "/usr/bin/python3", mainPy: sampleMainPyPath, env, params });
    expect(argv).toEqual(planOf(env, params));
    expect(argv.slice(3, 5)).toEqual([
      request.ALLORA_BLOCK_HEIGHT_CURRENT || "0",
      request.ALLORA_BLOCK_HEIGHT_EVAL || "0",
    ]);
  });
});

describe("the run environment", () => {
  it("starts from a fixed PATH and locale, the interpreter's folder first when it is absolute", () => {
    expect(makeSearchPath("python3")).toBe(SYSTEM_SEARCH_PATH);
    expect(makeSearchPath("/opt/venv/bin/python3")).toBe(`/opt/venv/bin:${SYSTEM_SEARCH_PATH}`);
    expect(makeBaseRunEnv("/opt/venv/bin/python3")).toEqual({
      PATH: `/opt/venv/bin:${SYSTEM_SEARCH_PATH}`,
      LANG: "C.UTF-8",
      LC_ALL: "C.UTF-8",
      PYTHONDONTWRITEBYTECODE: "1",
      PYTHONUNBUFFERED: "1",
    });
    expect(makeLauncherEnv("python3")).toEqual({
      PATH: SYSTEM_SEARCH_PATH,
      LANG: "C.UTF-8",
      PYTHONDONTWRITEBYTECODE: "1",
    });
    expect(makeRunnerEnv("/app/main.py", "python3")).toEqual({
      ALLORA_MAIN_PY: "/app/main.py",
      ALLORA_PYTHON: "python3",
    });
  });
});
