import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { computeCid, GUIDE_FUNCTION_METHOD } from "@allora/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPackages, loadNodeFunctionPackages, readPackageRecords, sampleMainPyPath } from "../src/index.js";

const runner = fileURLToPath(new URL("../python/exec_main_py.py", import.meta.url));
let server: Server;
let serverUrl: string;
let dir: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === "/inference/ETH") res.end(JSON.stringify({ token: "ETH", value: "2946.45" }));
    else if (req.url === "/inference/BAD") res.end(JSON.stringify({ value: "1e3" }));
    else {
      res.writeHead(404);
      res.end("{}");
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), "runner-"));
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(env: Record<string, string>, args: string[] = []): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn("python3", [runner, ...args], {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("runner + sample main.py", () => {
  it("answers the guide's request with one JSON line", async () => {
    const out = await run({
      ALLORA_MAIN_PY: sampleMainPyPath,
      TOPIC_ID: "1",
      ALLORA_ARG_PARAMS: "ETH",
      INFERENCE_API_ADDRESS: serverUrl,
    });
    expect(out.code).toBe(0);
    expect(out.stdout).toBe('{"infererValue": "2946.45"}\n');
    // Logs go to stderr, apart from the one JSON line.
    expect(out.stderr).toBe(`topic 1: asking ${serverUrl}/inference/ETH\n`);
  });

  it("passes argv in the allocmd order, with heights 0 when the request has none", async () => {
    const probe = join(dir, "probe.py");
    await writeFile(probe, "import json, sys, os\nprint(json.dumps({'argv': sys.argv[1:], 'cwd': os.getcwd()}))\n");
    const bare = JSON.parse((await run({ ALLORA_MAIN_PY: probe, TOPIC_ID: "1", ALLORA_ARG_PARAMS: "ETH" })).stdout);
    expect(bare.argv).toEqual(["1", "0", "0", "ETH"]);
    expect(bare.cwd).toBe(dir);
    const chain = JSON.parse(
      (
        await run(
          {
            ALLORA_MAIN_PY: probe,
            TOPIC_ID: "2",
            ALLORA_ARG_PARAMS: "BTC",
            ALLORA_BLOCK_HEIGHT_CURRENT: "120",
            ALLORA_BLOCK_HEIGHT_EVAL: "100",
          },
          ["extra"],
        )
      ).stdout,
    );
    expect(chain.argv).toEqual(["2", "120", "100", "BTC", "extra"]);
  });

  it("keeps stderr separate and forwards the exit code", async () => {
    const noisy = join(dir, "noisy.py");
    await writeFile(
      noisy,
      "import sys\nprint('warning: slow', file=sys.stderr)\nprint('{\"infererValue\": \"1\"}')\nsys.exit(3)\n",
    );
    const out = await run({ ALLORA_MAIN_PY: noisy, TOPIC_ID: "1", ALLORA_ARG_PARAMS: "ETH" });
    expect(out).toMatchObject({ code: 3, stdout: '{"infererValue": "1"}\n', stderr: "warning: slow\n" });
  });

  it.each([
    ["no argument", { ALLORA_ARG_PARAMS: "" }, /argument is empty/],
    ["an unknown token", { ALLORA_ARG_PARAMS: "NOPE" }, /HTTP 404/],
    ["a non-decimal answer", { ALLORA_ARG_PARAMS: "BAD" }, /not a plain decimal/],
    [
      "an unreachable server",
      { ALLORA_ARG_PARAMS: "ETH", INFERENCE_API_ADDRESS: "http://127.0.0.1:9" },
      /cannot reach/,
    ],
  ])("sample main.py answers valid JSON and fails on %s", async (_name, env, message) => {
    const out = await run({
      ALLORA_MAIN_PY: sampleMainPyPath,
      TOPIC_ID: "1",
      INFERENCE_API_ADDRESS: serverUrl,
      ...env,
    });
    expect(out.code).not.toBe(0);
    const line = JSON.parse(out.stdout);
    expect(Object.keys(line)).toEqual(["error"]);
    expect(line.error).toMatch(message);
  });

  it("dies at once when the parent it was told about is already gone, and hides that pid from main.py", async () => {
    const probe = join(dir, "env-probe.py");
    await writeFile(probe, "import json, os\nprint(json.dumps(sorted(os.environ)))\n");
    const env = { ALLORA_MAIN_PY: probe, TOPIC_ID: "1", ALLORA_ARG_PARAMS: "ETH" };
    // This test process is the runner's real parent: main.py runs, without ALLORA_PARENT_PID in its environment.
    const told = await run({ ...env, ALLORA_PARENT_PID: String(process.pid) });
    expect(told.code).toBe(0);
    expect(JSON.parse(told.stdout)).not.toContain("ALLORA_PARENT_PID");
    // A launcher killed before the runner started: the runner's parent is no longer the pid it was given.
    const orphan = await run({ ...env, ALLORA_PARENT_PID: "1" });
    expect(orphan).toMatchObject({ code: 1, stdout: "" });
  });

  it("explains a missing main.py", async () => {
    const out = await run({ ALLORA_MAIN_PY: join(dir, "missing.py") });
    expect(out.code).toBe(2);
    expect(JSON.parse(out.stdout).error).toMatch(/main.py not found/);
  });
});

describe("packages", () => {
  it("the build recorded the CIDs the sources pack to", () => {
    const built = buildPackages();
    const records = readPackageRecords();
    expect(records.map((r) => r.cid).sort()).toEqual([built.runner.cid, built.echo.cid].sort());
    for (const pkg of loadNodeFunctionPackages()) expect(computeCid(pkg.bytes)).toBe(pkg.cid);
  });

  it("the runner answers to the guide's method", () => {
    expect(buildPackages().runner.manifest.methods).toContain(GUIDE_FUNCTION_METHOD);
  });
});

describe("docs", () => {
  it("quote the runner and echo packages by the CIDs the build produces", async () => {
    const { readdirSync, readFileSync } = await import("node:fs");
    const root = fileURLToPath(new URL("../../../", import.meta.url));
    const files = [
      ...readdirSync(`${root}docs`)
        .filter((f) => f.endsWith(".md"))
        .map((f) => `docs/${f}`),
      "README.md",
      "packages/protocol/README.md",
    ];
    const records = readPackageRecords();
    const current = (key: string) => records.find((r) => r.key === key)?.cid;
    const stale: string[] = [];
    for (const file of files) {
      for (const line of readFileSync(`${root}${file}`, "utf8").split("\n")) {
        // The guide's CID is an alias of the runner; package names say which package a CID on the line is.
        const alias =
          /bafybeigpiwl3o73zvvl6dxdqu7zqcub5mhg65jiky2xqb4rdhfmikswzqm"?\s*[=:,]\s*"?\[?"?(bafkrei[a-z2-7]{52})/.exec(
            line,
          );
        if (alias && alias[1] !== current("runner")) stale.push(`${file}: runner alias ${alias[1]}`);
        for (const [name, key] of [
          ["allora-inference-runner", "runner"],
          ["allora-echo", "echo"],
        ] as const) {
          if (!line.includes(name)) continue;
          for (const cid of line.match(/bafkrei[a-z2-7]{52}/g) ?? []) {
            if (cid !== current(key) && cid !== current(key === "runner" ? "echo" : "runner")) {
              stale.push(`${file}: ${name} ${cid}`);
            }
          }
        }
      }
    }
    expect(stale).toEqual([]);
  });
});
