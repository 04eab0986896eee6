import { execFileSync } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "@allora/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLauncherClient, type LauncherClient } from "../src/execution/launcher-client.js";

let root: string;
let launcher: LauncherClient;
const env = { PATH: "/usr/bin:/bin" };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "launcher-"));
  launcher = createLauncherClient({
    scratchRoot: root,
    maxStdoutBytes: 1000,
    maxStderrBytes: 500,
    python: "python3",
    logger: silentLogger,
  });
});
afterAll(async () => {
  launcher.killAll();
  await rm(root, { recursive: true, force: true });
});

const sh = (script: string, extra: Partial<Parameters<LauncherClient["run"]>[0]> = {}) =>
  launcher.run({
    requestId: `r-${Math.random()}`,
    command: "/bin/sh",
    args: ["-c", script],
    env,
    timeoutMs: 5000,
    ...extra,
  });

describe("launcher", () => {
  it("keeps stdout and stderr apart, passes stdin and returns the exit code and wall clock", async () => {
    const r = await sh('read line; echo "out:$line"; echo err >&2; exit 3', { stdin: "hello\n" });
    expect(r.output).toEqual({ stdout: "out:hello\n", stderr: "err\n", exit_code: 3 });
    expect(r.usage.wall_clock_time).toBeGreaterThan(0);
    expect(r.errorCode).toBeUndefined();
  });

  it("gives the process exactly the environment asked for, plus its own HOME and TMPDIR and its parent's pid", async () => {
    const r = await sh('env | sort; echo "ppid=$PPID"', { env: { PATH: "/usr/bin:/bin", ONLY: "this" } });
    const lines = r.output.stdout.trim().split("\n");
    const ppid = lines.pop();
    const keys = lines.map((l) => l.split("=")[0]);
    expect(keys.filter((k) => !["PWD", "SHLVL", "_"].includes(k as string)).sort()).toEqual([
      "ALLORA_PARENT_PID",
      "HOME",
      "ONLY",
      "PATH",
      "TMPDIR",
    ]);
    // The pid handed over is the process's real parent, so a runner can tell when it has been orphaned.
    expect(lines).toContain(`ALLORA_PARENT_PID=${ppid?.slice("ppid=".length)}`);
  });

  it("kills the whole process group on timeout and reports FUNCTION_TIMEOUT", async () => {
    // Unusual durations mark the processes so ps can tell them apart from anything else running.
    const marker = "31337.25";
    const started = Date.now();
    const r = await sh(`sleep ${marker} & sleep 31338.25`, { timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(r.errorCode).toBe("FUNCTION_TIMEOUT");
    expect(r.output.exit_code).toBe(137);
    const ps = execFileSync("ps", ["-eo", "args"], { encoding: "utf8" });
    expect(ps).not.toContain(marker);
    expect(ps).not.toContain("31338.25");
  });

  it("reaps children a function leaves behind even when it exits on time", async () => {
    const marker = "31339.25";
    const r = await sh(`(sleep ${marker} >/dev/null 2>&1 &) ; echo done`);
    expect(r.output.stdout).toBe("done\n");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(execFileSync("ps", ["-eo", "args"], { encoding: "utf8" })).not.toContain(marker);
  });

  it("caps stdout and stderr and kills a function that floods them", async () => {
    const r = await sh("yes aaaaaaaaaa");
    expect(r.errorCode).toBe("FUNCTION_OUTPUT_TOO_LARGE");
    expect(r.output.stdout.length).toBe(1000);
    const e = await sh("yes eeee >&2");
    expect(e.errorCode).toBe("FUNCTION_OUTPUT_TOO_LARGE");
    expect(e.output.stderr.length).toBe(500);
  });

  it("reports a program that cannot start", async () => {
    const r = await launcher.run({
      requestId: "x",
      command: "/nonexistent/interpreter",
      args: [],
      env,
      timeoutMs: 1000,
    });
    expect(r.errorCode).toBe("FUNCTION_SPAWN_FAILED");
    expect(r.message).toContain("/nonexistent/interpreter");
  });

  it("reports the kernel's CPU time and peak memory of the run", async () => {
    const r = await sh("i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done");
    expect(r.usage.cpu_user_time).toBeGreaterThan(0);
    expect(r.usage.memory_max_kb).toBeGreaterThan(0);
    expect(r.usage.wall_clock_time).toBeGreaterThanOrEqual((r.usage.cpu_user_time ?? 0) / 2);
  });

  it("runs many functions at once, each with its own output", async () => {
    const runs = await Promise.all(Array.from({ length: 12 }, (_, i) => sh(`sleep 0.2; echo run-${i}`)));
    expect(runs.map((r) => r.output.stdout)).toEqual(Array.from({ length: 12 }, (_, i) => `run-${i}\n`));
  });

  it("removes every scratch folder after the runs", async () => {
    await Promise.all(Array.from({ length: 5 }, () => sh("touch file; echo ok")));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await readdir(root)).toEqual([]);
  });
});
