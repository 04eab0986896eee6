/**
 * Warm functions through the real launcher, warm.py and the runner package, with the whole sandbox: what a run of
 * main.py sees warm is what it sees cold, a change shows at once, and a main.py that misbehaves at import or at run
 * is answered and leaves no process behind.
 */
import { execFileSync } from "node:child_process";
import { readlinkSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageSources, sampleMainPyPath } from "@allora/node-function";
import { silentLogger } from "@allora/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLauncherClient, type LauncherClient } from "../src/execution/launcher-client.js";
import type { ExecutionResult } from "../src/execution/launcher-protocol.js";
import { type FunctionMode, planRun } from "../src/execution/run-plan.js";
import type { InstalledFunction } from "../src/functions/function-store.js";
import { runnerExecute } from "./support/runner-execute.js";

let root: string;
let launcher: LauncherClient;
let landlock = false;
const runner: InstalledFunction = {
  cid: "runner",
  dir: join(sampleMainPyPath, ".."),
  manifest: packageSources().runner.manifest,
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "warm-"));
  await chmod(root, 0o711);
  await mkdir(join(root, "runs"));
  await writeFile(join(root, "secret.txt"), "secret\n", { mode: 0o644 });
  launcher = createLauncherClient({
    scratchRoot: join(root, "runs"),
    maxStdoutBytes: 10_000,
    maxStderrBytes: 10_000,
    python: "python3",
    logger: silentLogger,
    sandbox: { secretPaths: [join(root, "runs"), join(root, "secret.txt")] },
  });
  landlock = Boolean((await launcher.start()).landlock);
});
afterAll(async () => {
  launcher.killAll();
  await rm(root, { recursive: true, force: true });
});

let apps = 0;
/** A main.py folder of its own (o+rx, so a run slot's uid can read it when the test runs as root). */
async function app(files: Record<string, string>): Promise<string> {
  const dir = join(root, `app-${apps++}`);
  await mkdir(dir, { mode: 0o755 });
  await chmod(dir, 0o755);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text, { mode: 0o644 });
  return join(dir, "main.py");
}

function run(mainPy: string, mode: FunctionMode, timeoutMs = 10_000): Promise<ExecutionResult> {
  const plan = planRun(runnerExecute(), runner, {
    mainPy,
    python: "python3",
    functionEnv: new Map([["SECRET_FILE", join(root, "secret.txt")]]),
    defaultTimeoutMs: timeoutMs,
    functionMode: mode,
  });
  return launcher.run(plan.request);
}

const json = (r: ExecutionResult) => JSON.parse(r.output.stdout) as Record<string, unknown>;
const ps = () => execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" });
/** Processes still running that this test started: by a marker in their command line, or working in `folder`
 * (a warm process of the runner works in main.py's folder). */
function leftovers(marker: string, folder?: string): string[] {
  return ps()
    .split("\n")
    .filter((line) => {
      if (line.includes(marker)) return true;
      if (!folder) return false;
      const pid = line.trim().split(" ")[0] as string;
      try {
        return readlinkSync(`/proc/${pid}/cwd`) === folder;
      } catch {
        return false;
      }
    });
}

// Records where its import ran and what a secret read at import gave; keeps state a later run could see.
const STATE = `
import os
IMPORTED_IN = os.getpid()
SEEN = []
try:
    open(os.environ.get("SECRET_FILE", "/nonexistent"), "rb").read()
    SECRET = "read"
except OSError as err:
    SECRET = type(err).__name__
`;

const ISOLATION = `
import json, os, sys
import state

report = {
    "warm": state.IMPORTED_IN != os.getpid(),
    "secret_at_import": state.SECRET,
    "seen": len(state.SEEN),
    "env": os.environ.get("LEAK"),
    "json_attr": getattr(json, "leak", None),
    "global": globals().get("LEAKED"),
    "home": sorted(os.listdir(os.environ["HOME"])),
    "argv": sys.argv[1:],
    "name": __name__,
    "cwd": os.getcwd(),
    "env_keys": sorted(k for k in os.environ if k not in ("LEAK",)),
}
state.SEEN.append(1)
os.environ["LEAK"] = "1"
json.leak = 1
globals()["LEAKED"] = 1
with open(os.path.join(os.environ["HOME"], "left-behind"), "w") as f:
    f.write("x")
try:
    open("written-in-cwd", "w").close()
    report["cwd_write"] = "allowed"
except OSError as err:
    report["cwd_write"] = type(err).__name__
print(json.dumps(dict(report, infererValue="1")))
`;

describe("warm functions", () => {
  it("a run sees nothing an earlier run changed: globals, module state, env, files; and exactly what a cold run sees", async () => {
    const mainPy = await app({ "main.py": ISOLATION, "state.py": STATE });
    const warm = [];
    for (let i = 0; i < 3; i++) warm.push(json(await run(mainPy, "warm")));
    const cold = json(await run(mainPy, "cold"));
    for (const report of warm) {
      expect(report).toMatchObject({ seen: 0, env: null, json_attr: null, global: null, home: [] });
      // The sandbox held while the warm process imported main.py's modules: the secret was refused there too.
      expect(report.secret_at_import).toBe(landlock ? "PermissionError" : "read");
    }
    expect(warm.map((r) => r.warm)).toEqual([true, true, true]);
    expect(cold.warm).toBe(false);
    // Its warm process is alive (and the leftover check of the tests below sees one such process).
    expect(leftovers("marker-of-nothing", join(mainPy, ".."))).toHaveLength(1);
    const { warm: _w, ...sameWarm } = warm[0] as Record<string, unknown>;
    const { warm: _c, ...sameCold } = cold;
    expect(sameWarm).toEqual(sameCold);
    expect(sameCold).toMatchObject({ argv: ["1", "0", "0", "ETH"], name: "__main__" });
  });

  it("an edit to main.py shows in the next answer; a change to a module beside it replaces the warm process", async () => {
    const mainPy = await app({
      "main.py": 'import json, helper\nprint(json.dumps({"infererValue": "1", "helper": helper.V}))\n',
      "helper.py": "V = 'a'\n",
    });
    expect(json(await run(mainPy, "warm"))).toEqual({ infererValue: "1", helper: "a" });
    await writeFile(mainPy, 'import json, helper\nprint(json.dumps({"infererValue": "2", "helper": helper.V}))\n');
    expect(json(await run(mainPy, "warm"))).toEqual({ infererValue: "2", helper: "a" });
    await writeFile(join(mainPy, "..", "helper.py"), "V = 'b'\n");
    expect(json(await run(mainPy, "warm"))).toEqual({ infererValue: "2", helper: "b" });
  });

  it("an import that raises is answered as cold answers it: the same exit code and the module and line named", async () => {
    const mainPy = await app({
      "main.py": "import json\nimport broken\nprint(json.dumps({'infererValue': '1'}))\n",
      "broken.py": "x = 1\nraise ValueError('broken at import')\n",
    });
    const warm = await run(mainPy, "warm");
    const cold = await run(mainPy, "cold");
    expect(warm.output.exit_code).toBe(1);
    expect(warm.output.exit_code).toBe(cold.output.exit_code);
    expect(warm.output.stderr).toContain('broken.py", line 2');
    expect(warm.output.stderr.trim().split("\n").at(-1)).toBe("ValueError: broken at import");
    expect(warm.output.stderr.trim().split("\n").at(-1)).toBe(cold.output.stderr.trim().split("\n").at(-1));
  });

  it("a main.py whose import kills the interpreter gets the cold answer, and nothing is left", async () => {
    const mainPy = await app({
      "main.py": "import json, os\nimport crasher\n",
      "crasher.py": "import os, sys\nprint('crashing', file=sys.stderr, flush=True)\nos._exit(3)\n",
    });
    for (let i = 0; i < 2; i++) {
      const r = await run(mainPy, "warm");
      expect(r.output).toMatchObject({ exit_code: 3, stderr: "crashing\n" });
    }
    expect(leftovers("sleep 31341.5", join(mainPy, ".."))).toEqual([]);
  });

  it("an import that hangs is bounded by the run's timeout, and nothing is left", async () => {
    const mainPy = await app({ "main.py": "import hangs\n", "hangs.py": "import time\ntime.sleep(31341.5)\n" });
    const r = await run(mainPy, "warm", 1500);
    expect(r.errorCode).toBe("FUNCTION_TIMEOUT");
    expect(r.output.exit_code).toBe(137);
    const again = await run(mainPy, "warm", 1500);
    expect(again.errorCode).toBe("FUNCTION_TIMEOUT");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(leftovers("sleep 31341.5", join(mainPy, ".."))).toEqual([]);
  });

  it("children a run forks, daemons included, end with its answer", async () => {
    const mainPy = await app({
      "main.py": `
import json, os, subprocess
subprocess.Popen(["sleep", "31342.5"])
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "31343.5"])
    os._exit(0)
os.wait()
print(json.dumps({"infererValue": "1"}))
`,
    });
    const r = await run(mainPy, "warm");
    expect(r.errorCode).toBeUndefined();
    expect(json(r)).toEqual({ infererValue: "1" });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect([...leftovers("sleep 31342.5"), ...leftovers("sleep 31343.5")]).toEqual([]);
  });

  it("a run that ignores SIGTERM is killed at its timeout with its group", async () => {
    const mainPy = await app({
      "main.py": `
import signal, subprocess, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
subprocess.Popen(["sleep", "31344.5"])
time.sleep(31345.5)
`,
    });
    const started = Date.now();
    const r = await run(mainPy, "warm", 1000);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.errorCode).toBe("FUNCTION_TIMEOUT");
    expect(r.output.exit_code).toBe(137);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect([...leftovers("sleep 31344.5"), ...leftovers(join(mainPy, ".."))]).toEqual([]);
  });

  it("ends like a fresh interpreter: threads joined, atexit handlers run, sys.exit's message and code", async () => {
    const mainPy = await app({
      "main.py": `
import atexit, json, sys, threading, time
atexit.register(lambda: print("atexit ran", file=sys.stderr, flush=True))
def late():
    time.sleep(0.1)
    print("thread finished", file=sys.stderr, flush=True)
threading.Thread(target=late).start()
print(json.dumps({"error": "on purpose"}), flush=True)
sys.exit("leaving with a message")
`,
    });
    const warm = await run(mainPy, "warm");
    const cold = await run(mainPy, "cold");
    expect(warm.output).toEqual(cold.output);
    expect(warm.output).toEqual({
      stdout: '{"error": "on purpose"}\n',
      stderr: "leaving with a message\nthread finished\natexit ran\n",
      exit_code: 1,
    });
  });

  it("the runner's own errors are the same warm and cold", async () => {
    const missing = join(root, "no-such-app", "main.py");
    const warm = await run(missing, "warm");
    const cold = await run(missing, "cold");
    expect(warm.output).toEqual(cold.output);
    expect(json(warm).error).toContain("main.py not found");
  });

  it("removes the runs' scratch folders", async () => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const left = (await readdir(join(root, "runs"), { recursive: true })).filter((p) => p.includes("run-"));
    expect(left).toEqual([]);
  });
});
