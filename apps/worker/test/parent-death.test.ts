/**
 * Every process between the worker and main.py dies with its parent (`parent_death.py`, shared by the launcher,
 * its warm processes and the runner package): a launcher killed outright takes its warm processes and the main.py
 * it is running along, so a killed worker leaves nothing behind.
 */
import { readdirSync, readFileSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageSources, runnerPackageDir } from "@allora/node-function";
import { silentLogger } from "@allora/protocol";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createLauncherClient } from "../src/execution/launcher-client.js";
import { type FunctionMode, planRun } from "../src/execution/run-plan.js";
import { runnerExecute } from "./support/runner-execute.js";

let root: string;
const runner = { cid: "runner", dir: runnerPackageDir, manifest: packageSources().runner.manifest };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "parent-death-"));
  await chmod(root, 0o711);
  await mkdir(join(root, "app"), { mode: 0o755 });
  await chmod(join(root, "app"), 0o755);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Live processes: pid, parent pid, command line. */
function processes(): Array<{ pid: number; ppid: number; cmdline: string }> {
  const out = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] === "Z" || fields[0] === "X") continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ");
      out.push({ pid: Number(entry), ppid: Number(fields[1]), cmdline });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

it.each(["cold", "warm"] as const)(
  "a killed launcher takes its %s run of main.py along",
  async (mode: FunctionMode) => {
    const mainPy = join(root, "app", `${mode}.py`);
    await writeFile(mainPy, "import sys, time\nprint('started', flush=True)\ntime.sleep(60)\n", { mode: 0o644 });
    await mkdir(join(root, `runs-${mode}`)); // a launcher client removes its scratch root when it stops
    const client = createLauncherClient({
      scratchRoot: join(root, `runs-${mode}`),
      maxStdoutBytes: 10_000,
      maxStderrBytes: 10_000,
      python: "python3",
      logger: silentLogger,
    });
    try {
      await client.start();
      const launcher = processes().find((p) => p.ppid === process.pid && p.cmdline.includes("launcher.py"));
      expect(launcher).toBeDefined();
      const settings = {
        mainPy,
        python: "python3",
        functionEnv: new Map(),
        defaultTimeoutMs: 30_000,
        functionMode: mode,
      };
      const running = client.run(planRun(runnerExecute(), runner, settings).request);
      const launcherPid = (launcher as { pid: number }).pid;
      /** The launcher's descendants (other tests on this host run launchers of their own). */
      const ours = () => {
        const all = processes();
        const found = new Set([launcherPid]);
        for (let grew = true; grew; ) {
          grew = false;
          for (const p of all) {
            if (found.has(p.ppid) && !found.has(p.pid)) {
              found.add(p.pid);
              grew = true;
            }
          }
        }
        return all.filter((p) => found.has(p.pid) && p.pid !== launcherPid);
      };
      // Cold: the runner has become main.py. Warm: the warm process and the child it forked for the run.
      const started = () =>
        mode === "cold"
          ? ours().some((p) => p.cmdline.includes(mainPy))
          : ours().filter((p) => p.cmdline.includes("warm.py")).length >= 2;
      expect(await until(started, 10_000)).toBe(true);
      const pids = ours().map((p) => p.pid);
      process.kill(launcherPid, "SIGKILL");
      expect((await running).errorCode).toBe("FUNCTION_SPAWN_FAILED");
      const alive = () => processes().filter((p) => pids.includes(p.pid));
      expect(await until(() => alive().length === 0, 5_000)).toBe(true);
    } finally {
      client.killAll();
    }
  },
);
