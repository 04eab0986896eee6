import { execFileSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "@allora/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLauncherClient, type LauncherClient } from "../src/execution/launcher-client.js";
import type { SandboxReport } from "../src/execution/launcher-protocol.js";
import { sandboxOptions } from "../src/execution/sandbox.js";

let root: string;
let app: string;
let launcher: LauncherClient;
let report: SandboxReport;
const isRoot = process.getuid?.() === 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "sandbox-"));
  await chmod(root, 0o711);
  // An app folder holding main.py's neighbours: a helper, and the worker's data folder with its keys.
  app = join(root, "app");
  await mkdir(join(app, "data", "keys"), { recursive: true });
  await mkdir(join(app, "data", "functions", "pkg"), { recursive: true });
  await mkdir(join(root, "runs"));
  await writeFile(join(app, "helper.txt"), "helper\n");
  await writeFile(join(app, "data", "keys", "priv.txt"), "private\n", { mode: 0o644 });
  await writeFile(join(app, "data", "functions", "pkg", "fn.sh"), "echo fn\n");
  await writeFile(join(root, "mnemonic"), "words\n", { mode: 0o644 });
  launcher = createLauncherClient({
    scratchRoot: join(root, "runs"),
    maxStdoutBytes: 10_000,
    maxStderrBytes: 10_000,
    python: "python3",
    logger: silentLogger,
    sandbox: {
      secretPaths: [join(app, "data", "keys"), join(root, "runs"), join(root, "mnemonic")],
      privatePaths: [join(app, "data")],
      limits: { memoryMib: 128, processes: 16, fileSizeMib: 1, openFiles: 64 },
    },
  });
  report = await launcher.start();
});
afterAll(async () => {
  launcher.killAll();
  await rm(root, { recursive: true, force: true });
});

const sh = (script: string) =>
  launcher.run({
    requestId: `r-${Math.random()}`,
    command: "/bin/sh",
    args: ["-c", script],
    env: { PATH: "/usr/bin:/bin" },
    timeoutMs: 10_000,
    readPaths: [app],
  });

describe("the function sandbox", () => {
  it("reports Landlock, the rlimits, the subreaper and a non-dumpable launcher", () => {
    expect(report).toMatchObject({
      landlock: { abi: expect.any(Number) },
      rlimits: { memory_mib: 128, processes: 16, file_size_mib: 1, open_files: 64, core: 0 },
      subreaper: true,
      launcher_dumpable: false,
      disabled: [],
    });
    if (isRoot) expect(report.uid_separation).toEqual({ first: 2_000_000_000, last: 2_000_000_003 });
  });

  it("lets a function read a granted folder, except the secret paths in it", async () => {
    const r = await sh(
      `cat ${app}/helper.txt; cat ${app}/data/functions/pkg/fn.sh; cat ${app}/data/keys/priv.txt || echo keys-denied; cat ${root}/mnemonic || echo mnemonic-denied`,
    );
    expect(r.output.stdout).toBe("helper\necho fn\nkeys-denied\nmnemonic-denied\n");
  });

  it("grants a granted folder as it is at each run: a new entry, a replaced folder, never its secrets", async () => {
    // The launcher keeps each read path's rules between runs; any change to the folder must show in the next run.
    const read = `cat ${app}/new.txt || echo new-denied; cat ${app}/data/functions/pkg/fn.sh; cat ${app}/data/keys/priv.txt || echo keys-denied`;
    expect((await sh(read)).output.stdout).toBe("new-denied\necho fn\nkeys-denied\n");
    await writeFile(join(app, "new.txt"), "new\n");
    expect((await sh(read)).output.stdout).toBe("new\necho fn\nkeys-denied\n");
    // An entry beside the secret, one folder down: that folder's own entries changed.
    await writeFile(join(app, "data", "extra.txt"), "extra\n");
    expect((await sh(`cat ${app}/data/extra.txt`)).output.stdout).toBe("extra\n");
    // The whole folder replaced by another at the same path (a redeploy), its keys included.
    await rename(app, `${app}-old`);
    await mkdir(join(app, "data", "keys"), { recursive: true });
    await mkdir(join(app, "data", "functions", "pkg"), { recursive: true });
    await writeFile(join(app, "new.txt"), "replaced\n");
    await writeFile(join(app, "data", "functions", "pkg", "fn.sh"), "echo fn2\n");
    await writeFile(join(app, "data", "keys", "priv.txt"), "private\n", { mode: 0o644 });
    await chmod(`${app}-old`, 0o755);
    const r = await sh(`${read}; cat ${app}-old/helper.txt || echo old-denied`);
    expect(r.output.stdout).toBe("replaced\necho fn2\nkeys-denied\nold-denied\n");
  });

  it("closes /proc and /tmp, opens its scratch folder and /dev/null", async () => {
    const r = await sh(
      "cat /proc/self/status >/dev/null 2>&1 || echo proc-denied; ls /tmp >/dev/null 2>&1 || echo tmp-denied; echo x > f && cat f; echo y > /dev/null && echo null-ok",
    );
    expect(r.output.stdout).toBe("proc-denied\ntmp-denied\nx\nnull-ok\n");
  });

  it("applies the rlimits: file size and open files", async () => {
    const r = await sh("ulimit -f; ulimit -n; ulimit -c; head -c 2000000 /dev/zero > big; wc -c < big");
    expect(r.output.stdout).toBe(`${1024 * 2}\n64\n0\n1048576\n`);
  });

  it("kills a setsid daemon before the answer, even one that closed its outputs", async () => {
    const marker = "31341.25";
    const r = await sh(`setsid sh -c 'exec sleep ${marker}' </dev/null >/dev/null 2>&1 & echo started`);
    expect(r.output.stdout).toBe("started\n");
    expect(execFileSync("ps", ["-eo", "args"], { encoding: "utf8" })).not.toContain(marker);
  });

  it("still times out a function that closed its outputs and kept running", async () => {
    const started = Date.now();
    const r = await launcher.run({
      requestId: "closed-outputs",
      command: "/bin/sh",
      args: ["-c", "exec >&- 2>&-; sleep 31342.25"],
      env: { PATH: "/usr/bin:/bin" },
      timeoutMs: 500,
    });
    expect(r.errorCode).toBe("FUNCTION_TIMEOUT");
    expect(Date.now() - started).toBeLessThan(4000);
    expect(execFileSync("ps", ["-eo", "args"], { encoding: "utf8" })).not.toContain("31342.25");
  });

  it("answers FUNCTION_SPAWN_FAILED for a command that is not on the function's PATH", async () => {
    const r = await launcher.run({
      requestId: "missing",
      command: "no-such-interpreter",
      args: [],
      env: { PATH: "/usr/bin:/bin" },
      timeoutMs: 5000,
    });
    expect(r.errorCode).toBe("FUNCTION_SPAWN_FAILED");
    expect(r.message).toContain("no-such-interpreter");
  });
});

describe("which paths are secret", () => {
  const base = {
    layers: ["landlock"],
    keyDir: "/data/keys",
    python: "/usr/bin/python3",
    readPaths: [],
    uidBase: 2_000_000_000,
    slots: 4,
    limits: { memoryMib: 1024, processes: 64, fileSizeMib: 100, openFiles: 1024 },
  };

  it("keeps a mnemonic's folder closed, unless the data folder (the function packages) or main.py is in it", () => {
    // The images: the mnemonic beside the packages in /data. Only the file itself is closed.
    const image = sandboxOptions({
      ...base,
      dataDir: "/data",
      mnemonicFile: "/data/chain.mnemonic",
      mainPy: "/app/main.py",
    });
    expect(image.secretPaths).toContain("/data/chain.mnemonic");
    expect(image.secretPaths).not.toContain("/data");
    expect(image.privatePaths).toContain("/data");
    // pnpm dev: a folder of every node's mnemonics, apart from the data folder: closed whole.
    const dev = sandboxOptions({
      ...base,
      dataDir: "/net/worker-1",
      keyDir: "/net/worker-1/keys",
      mnemonicFile: "/net/secrets/worker-1.mnemonic",
      mainPy: "/repo/main.py",
    });
    expect(dev.secretPaths).toEqual(
      expect.arrayContaining(["/net/secrets", "/net/secrets/worker-1.mnemonic", "/net/worker-1/keys"]),
    );
  });
});
