/**
 * The line protocol with the launcher, without a launcher: the config and run lines the worker writes, and how it
 * reads each line back.
 */
import type { Logger } from "@allora/protocol";
import { describe, expect, it } from "vitest";
import * as protocol from "../src/execution/launcher-protocol.js";

const { logWarmEvent, makeLauncherConfig, makeRunMessage, parseLauncherLine, readRunAnswer, spawnFailure } = protocol;

describe("the launcher's config line", () => {
  it("defaults to every layer and the default limits, and always checks the scratch folders", () => {
    const { config } = makeLauncherConfig("/opt/venv/bin/python3", "/data/runs");
    expect(config).toMatchObject({
      layers: ["landlock", "uid", "rlimits", "reaper"],
      secret_paths: [],
      interpreters: ["/opt/venv/bin/python3", process.execPath, "/bin/sh"],
      search_path: "/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      uid_slots: 4,
      limits: { memory_mib: 1024, processes: 256, file_size_mib: 100, open_files: 1024 },
      uid_checks: [{ path: "/data/runs", mode: "x", what: "the scratch folders" }],
    });
  });

  it("takes the worker's sandbox options", () => {
    const { config } = makeLauncherConfig("python3", "/r", {
      layers: ["landlock"],
      secretPaths: ["/keys"],
      uidChecks: [{ path: "python3", mode: "x", what: "the Python interpreter" }],
      limits: { memoryMib: 1, processes: 2, fileSizeMib: 3, openFiles: 4 },
    });
    expect(config.layers).toEqual(["landlock"]);
    expect(config.secret_paths).toEqual(["/keys"]);
    expect(config.limits).toEqual({ memory_mib: 1, processes: 2, file_size_mib: 3, open_files: 4 });
    expect(config.uid_checks).toHaveLength(2);
  });
});

describe("a run line", () => {
  const run = { requestId: "r", command: "python3", args: ["x.py"], env: { A: "1" }, timeoutMs: 500 };
  it("gives the run its scratch folder as cwd, HOME and TMPDIR (the request's env may override them)", () => {
    const line = makeRunMessage(run, "r#0", "/runs/run-1", { maxStdoutBytes: 10, maxStderrBytes: 5 });
    expect(line).toEqual({
      id: "r#0",
      command: "python3",
      args: ["x.py"],
      env: { HOME: "/runs/run-1", TMPDIR: "/runs/run-1", A: "1" },
      cwd: "/runs/run-1",
      read_paths: [],
      timeout_ms: 500,
      max_stdout: 10,
      max_stderr: 5,
    });
  });
  it("carries stdin and the warm spec only when there are some", () => {
    const warm = { entry: "/p/e.py", runner: true, serverEnv: { B: "2" }, watch: ["/p"] };
    const line = makeRunMessage({ ...run, stdin: "in", warm }, "r#1", "/s", { maxStdoutBytes: 1, maxStderrBytes: 1 });
    expect(line.stdin).toBe("in");
    expect(line.warm).toEqual({ entry: "/p/e.py", runner: true, server_env: { B: "2" }, watch: ["/p"] });
  });
});

describe("the launcher's lines", () => {
  it("tells answers, readiness, warm events and garbage apart", () => {
    expect(parseLauncherLine('{"ready": true, "sandbox": {"spawn": "x"}}')).toEqual({
      kind: "ready",
      sandbox: { spawn: "x" },
    });
    expect(parseLauncherLine('{"warm": {"event": "exited", "entry": "e"}}')).toMatchObject({ kind: "warm" });
    expect(parseLauncherLine('{"id": "a", "stdout": ""}')).toMatchObject({ kind: "answer", answer: { id: "a" } });
    expect(parseLauncherLine("not json")).toEqual({ kind: "unreadable", line: "not json" });
    expect(parseLauncherLine("null")).toEqual({ kind: "unreadable", line: "null" });
  });

  it("keeps only whole, non-negative usage counts", () => {
    const answer: protocol.LauncherAnswer = {
      id: "a",
      stdout: "o",
      stderr: "e",
      exit_code: 0,
      wall_ns: 1234.6,
      usage: { cpu_user_time: 5, cpu_sys_time: -1, memory_max_kb: 1.5 },
    };
    expect(readRunAnswer(answer)).toEqual({
      output: { stdout: "o", stderr: "e", exit_code: 0 },
      usage: { wall_clock_time: 1235, cpu_user_time: 5 },
    });
    expect(readRunAnswer({ ...answer, error_code: "FUNCTION_TIMEOUT", message: "m" })).toMatchObject({
      errorCode: "FUNCTION_TIMEOUT",
      message: "m",
    });
  });

  it("answers a run the launcher never answered as a spawn failure", () => {
    expect(spawnFailure("gone")).toEqual({
      output: { stdout: "", stderr: "", exit_code: 127 },
      usage: { wall_clock_time: 0 },
      errorCode: "FUNCTION_SPAWN_FAILED",
      message: "gone",
    });
  });

  it("logs warm events with their codes", () => {
    const lines: Array<[string, Record<string, unknown>, string]> = [];
    const logger = {
      info: (fields: Record<string, unknown>, msg: string) => lines.push(["info", fields, msg]),
      warn: (fields: Record<string, unknown>, msg: string) => lines.push(["warn", fields, msg]),
    } as unknown as Logger;
    logWarmEvent(logger, {
      event: "ready",
      entry: "e",
      pid: 7,
      imported: 2,
      ms: 3,
      failed: [{ module: "m", error: "x" }],
    });
    logWarmEvent(logger, { event: "timeout", entry: "e", ms: 9 });
    logWarmEvent(logger, { event: "failed", entry: "e", error: "boom" });
    expect(lines.map(([level, fields]) => [level, fields.code])).toEqual([
      ["info", undefined],
      ["warn", "WARM_IMPORT_FAILED"],
      ["warn", "WARM_IMPORT_TIMEOUT"],
      ["warn", "WARM_PROCESS_FAILED"],
    ]);
    expect(lines[0]?.[2]).toBe("warm process 7 of e ready: 2 modules in 3 ms");
    expect(lines[3]?.[2]).toContain("failed to start: boom");
  });
});
