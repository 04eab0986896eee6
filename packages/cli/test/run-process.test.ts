/**
 * The tools allocmd runs (docker, docker-compose, main.py) never outlive it: killed with its group on SIGINT,
 * SIGTERM and SIGHUP, and by the kernel when allocmd itself is killed with SIGKILL (setpriv's PR_SET_PDEATHSIG).
 * Real processes: a Node process running `runProcess("sleep", …)` from the built CLI, and the sleep it starts.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { runProcess } from "../src/docker/run-process.js";

const RUN_PROCESS = fileURLToPath(new URL("../dist/docker/run-process.js", import.meta.url));
const started: number[] = [];

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\S+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A Node process that runs `sleep 300` through runProcess; resolves with it and the sleep's pid. */
async function allocmdLike(): Promise<{ runner: ChildProcess; sleepPid: number }> {
  const code = `const { runProcess } = await import(${JSON.stringify(RUN_PROCESS)});
    await runProcess("sleep", ["300"], { timeoutMs: 600000 });`;
  const runner = spawn(process.execPath, ["--input-type=module", "-e", code], { stdio: "ignore" });
  started.push(runner.pid as number);
  let sleepPid: number | undefined;
  await until(
    "the sleep to start",
    () => {
      const children = readFileSync(`/proc/${runner.pid}/task/${runner.pid}/children`, "utf8").trim().split(/\s+/);
      sleepPid = children
        .filter(Boolean)
        .map(Number)
        .find((p) => /(^|\/)sleep$/.test(readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0")[0] ?? ""));
      return sleepPid !== undefined;
    },
    10_000,
  );
  started.push(sleepPid as number);
  return { runner, sleepPid: sleepPid as number };
}

afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  }
});

describe("runProcess", () => {
  it.runIf(existsSync("/usr/bin/setpriv") || existsSync("/bin/setpriv"))(
    "a tool dies with allocmd even when allocmd is killed with SIGKILL",
    async () => {
      const { runner, sleepPid } = await allocmdLike();
      runner.kill("SIGKILL");
      await until("the tool to die with its runner", () => !alive(sleepPid), 5000);
    },
  );

  it.each(["SIGTERM", "SIGHUP"] as const)("%s to allocmd stops the tool it runs", async (signal) => {
    const { runner, sleepPid } = await allocmdLike();
    runner.kill(signal);
    await until("the tool to stop", () => !alive(sleepPid), 5000);
  });

  it("still reports a missing tool as not installed", async () => {
    const res = await runProcess("allocmd-no-such-tool", [], { timeoutMs: 5000 });
    expect(res.code).toBe(127);
    expect(res.spawnError).toContain("is not installed");
  });

  it("runs the tool with its arguments and output", async () => {
    const res = await runProcess("sh", ["-c", 'echo "$0 $1"', "a b", "c"], { timeoutMs: 5000 });
    expect(res).toMatchObject({ code: 0, stdout: "a b c\n" });
  });
});
