/**
 * `allocmd test`: main.py runs as the worker runs it (argv with heights "0", a clean environment, its folder as cwd,
 * a deadline that kills its process group), and every way of breaking the contract is named.
 */

import { readFile, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allocmd, tempDir } from "./support/cli.js";

let tmp: { dir: string; remove: () => Promise<void> };
let project: string;
let sampleMainPy: string;
let model: Server;
let modelUrl: string;

beforeAll(async () => {
  tmp = await tempDir();
  project = join(tmp.dir, "eth-worker");
  expect((await allocmd(["init", "--name", "eth-worker", "--topic", "1"], tmp.dir)).code).toBe(0);
  sampleMainPy = await readFile(join(project, "main.py"), "utf8");
  // A stand-in model server answering like the sample inference server.
  model = createServer((req, res) => {
    const token = decodeURIComponent((req.url ?? "").split("/").pop() ?? "");
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ value: token === "ETH" ? "2946.45" : "61000.5" }));
  });
  await new Promise<void>((r) => model.listen(0, "127.0.0.1", r));
  modelUrl = `http://127.0.0.1:${(model.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise((r) => model?.close(r));
  await tmp?.remove();
});

async function withMainPy(source: string, args: string[] = []) {
  await writeFile(join(project, "main.py"), source);
  return allocmd(["test", ...args], project);
}

describe("allocmd test with the generated main.py", () => {
  it("passes with the model server answering, and shows main.py's stderr logs apart", async () => {
    await writeFile(join(project, "main.py"), sampleMainPy);
    const run = await allocmd(["test", "--arg", "ETH", "--inference-url", modelUrl], project);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("main.py answered infererValue 2946.45");
    expect(run.stdout).toContain(`topic 1: asking ${modelUrl}/inference/ETH`);
    const json = JSON.parse(
      (await allocmd(["test", "--arg", "BTC", "--topic", "2", "--inference-url", modelUrl, "--json"], project)).stdout,
    );
    expect(json).toMatchObject({ status: "ok", value: "61000.5", exit_code: 0, problems: [] });
    expect(json.argv.slice(2)).toEqual(["2", "0", "0", "BTC"]);
    // Both modes ran, the verdict is the warm run's (the worker's default), and both timings are reported.
    expect(json.mode).toBe("warm");
    expect(Object.keys(json.timings).sort()).toEqual(["cold_ms", "warm_first_ms", "warm_ms"]);
    expect(run.stdout).toMatch(
      /timings: cold [0-9.]+ m?s \(a fresh interpreter per request\); warm [0-9.]+ m?s \(forked/,
    );
  });

  it("reports a model server that is down as main.py's own error (contract kept, exit 1)", async () => {
    await writeFile(join(project, "main.py"), sampleMainPy);
    const run = await allocmd(["test", "--inference-url", "http://127.0.0.1:9"], project);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("main.py kept the contract but failed");
    expect(run.stdout).toContain("cannot reach the inference server at http://127.0.0.1:9/inference/ETH");
    expect(run.stdout).toContain("is the model server at http://127.0.0.1:9 running?");
  });
});

describe("allocmd test runs main.py exactly as a worker would", () => {
  it("gives the worker's argv, cwd and a clean environment with the function env", async () => {
    process.env.ALLOCMD_TEST_LEAK = "must-not-reach-main-py";
    try {
      const probe = [
        "import json, os, sys",
        "print(json.dumps({'argv': sys.argv[1:], 'cwd': os.getcwd(), 'env': dict(os.environ)}), file=sys.stderr)",
        "print(json.dumps({'infererValue': '1'}))",
      ].join("\n");
      const run = await withMainPy(probe, [
        "--json",
        "--function-env",
        "EXTRA=yes",
        "--inference-url",
        "http://model:8000",
      ]);
      expect(run.code).toBe(0);
      const seen = JSON.parse(JSON.parse(run.stdout).stderr.trim());
      expect(seen.argv).toEqual(["1", "0", "0", "ETH"]);
      expect(seen.cwd).toBe(project);
      expect(seen.env.TOPIC_ID).toBe("1");
      expect(seen.env.ALLORA_ARG_PARAMS).toBe("ETH");
      expect(seen.env.INFERENCE_API_ADDRESS).toBe("http://model:8000");
      expect(seen.env.EXTRA).toBe("yes");
      expect(seen.env.ALLOCMD_TEST_LEAK).toBeUndefined();
      expect(
        Object.keys(seen.env)
          .filter((k) => !["LC_CTYPE"].includes(k))
          .sort(),
      ).toEqual(
        [
          "ALLORA_ARG_PARAMS",
          // The runner package's (the worker sets them for every run of main.py).
          "ALLORA_MAIN_PY",
          "ALLORA_PYTHON",
          "BLS_REQUEST_PATH",
          "EXTRA",
          "HOME",
          "INFERENCE_API_ADDRESS",
          "LANG",
          "LC_ALL",
          "PATH",
          "PYTHONDONTWRITEBYTECODE",
          "PYTHONUNBUFFERED",
          "TMPDIR",
          "TOPIC_ID",
        ].sort(),
      );
    } finally {
      delete process.env.ALLOCMD_TEST_LEAK;
    }
  });

  it("kills main.py and everything it started when the timeout passes", async () => {
    // The sandbox lets main.py write only its scratch folder: it says its child's pid on stderr.
    const hang = [
      "import subprocess, sys, time",
      `p = subprocess.Popen(['sleep', '60'])`,
      "print('grandchild', p.pid, file=sys.stderr, flush=True)",
      "time.sleep(60)",
    ].join("\n");
    const started = Date.now();
    const run = await withMainPy(hang, ["--timeout", "1"]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("did not finish within 1 s and was killed with its process group");
    const pids = [...run.stdout.matchAll(/grandchild (\d+)/g)].map((m) => Number(m[1]));
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) {
      // Gone, or a zombie waiting for an init process to reap it: either way it no longer runs.
      const state = await readFile(`/proc/${pid}/stat`, "utf8").then(
        (s) => s.slice(s.lastIndexOf(")") + 2, s.lastIndexOf(")") + 3),
        () => "gone",
      );
      expect(["gone", "Z", "X"]).toContain(state);
    }
  });
});

describe("allocmd test names what breaks the contract", () => {
  const cases: Array<[string, string, RegExp]> = [
    ["bad JSON", "print('the price is 2946')", /stdout is not valid JSON .*"the price is 2946"/],
    [
      "a missing infererValue",
      "import json\nprint(json.dumps({'value': '2946.45'}))",
      /the JSON has no "infererValue" key \(it has "value"\)/,
    ],
    [
      "a number instead of a string",
      "import json\nprint(json.dumps({'infererValue': 2946.45}))",
      /infererValue is a number \(2946\.45\), not a string/,
    ],
    [
      "a value that is not a plain decimal",
      "import json\nprint(json.dumps({'infererValue': '2.9e3'}))",
      /"2\.9e3" is not a plain decimal string/,
    ],
    [
      "logs on stdout",
      "import json\nprint('loading model')\nprint(json.dumps({'infererValue': '1.5'}))",
      /printed 2 lines on stdout.*file=sys\.stderr/,
    ],
    ["nothing printed", "pass", /printed nothing on stdout/],
    [
      "an error reported with exit code 0",
      "import json\nprint(json.dumps({'error': 'no data'}))",
      /exited with code 0; exit non-zero on failure/,
    ],
    ["a JSON list", "print('[1, 2]')", /stdout is a list, not a JSON object/],
  ];
  for (const [what, source, message] of cases) {
    it(`catches ${what}`, async () => {
      const run = await withMainPy(source);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain("broken");
      expect(run.stdout).toMatch(message);
    });
  }

  it("catches a crash, with the exit code and the tail of stderr", async () => {
    const run = await withMainPy("import numpy_that_is_not_installed\n");
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/main\.py crashed \(exit code 1\) without printing a result/);
    expect(run.stdout).toContain("ModuleNotFoundError: No module named 'numpy_that_is_not_installed'");
    expect(run.stdout).toContain("Traceback");
  });

  it("names a missing main.py", async () => {
    const other = join(tmp.dir, "no-main");
    expect((await allocmd(["init", "--name", "no-main", "--topic", "1"], tmp.dir)).code).toBe(0);
    await import("node:fs/promises").then((fs) => fs.rm(join(other, "main.py")));
    expect(await stat(join(other, "main.py")).catch(() => undefined)).toBeUndefined();
    const run = await allocmd(["test"], other);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`no main.py in ${other}`);
  });
});
