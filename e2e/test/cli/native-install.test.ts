/**
 * allocmd as a user gets it: `pnpm release` packs the tarball, `npm install -g --offline` installs it into an empty
 * prefix with an empty HOME, outside the workspace (nothing of the repo on PATH, no NODE_PATH), and from there
 * `allocmd init`, `allocmd run --native` (the whole network as processes from the installed package, no Docker),
 * `allocmd test`, `allocmd request`, `allocmd status` and `allocmd logs` work against that network; Ctrl-C and
 * `allocmd stop` leave no process of the package behind; bad input (no project, a port taken, a main.py that crashes
 * at start) gets a one-line reason and what to do, exit code 1, and leaves nothing running. Ports are moved to a
 * free block (through config.yaml), so a network elsewhere on this machine does not collide. KEEP_E2E_DIR=1 keeps
 * the temporary folder (the package, the project, every node's log in .allocmd/native/logs) for a post-mortem.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { type InstalledAllocmd, installRelease, moveDevPorts, processesUnder, type Run, sh } from "./support.js";

let installed: InstalledAllocmd;
let project: string;
let headUrl: string;
let peerId: string;
const background: ChildProcess[] = [];

/** Keeps `child` for the last-resort stop in afterAll, and stops it when the test that started it ends, passed or
 * failed, so a failing test never leaves its network to the next (which would find the project's network running). */
function track(child: ChildProcess): void {
  background.push(child);
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) await stopWith(child, "SIGINT");
  });
}

/** Runs the installed allocmd. */
const allocmd = (args: string[], cwd: string, timeoutMs = 120_000): Promise<Run> => installed.run(args, cwd, timeoutMs);
/** Every live process of the installed package. */
const packageProcesses = () => processesUnder(installed.pkg);

/** `allocmd run --native` in the background, resolved once it printed "ready:" (or rejected when it exited). */
function startNative(cwd: string, timeoutMs = 180_000): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(installed.bin, ["run", "--native", "--quiet"], { cwd, env: installed.env });
  track(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  const output = () => `${stdout}\n${stderr}`;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready within ${timeoutMs} ms:\n${output()}`)), timeoutMs);
    const poll = setInterval(() => {
      if (/^ready: /m.test(stdout)) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve({ child, output });
      }
    }, 100);
    child.once("exit", (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`allocmd run --native exited with ${code} before it was ready:\n${output()}`));
    });
  });
}

/** Sends `signal` and waits for the exit code. */
function stopWith(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once("exit", (code) => resolve(code));
    child.kill(signal);
  });
}

beforeAll(async () => {
  installed = await installRelease();
}, 900_000);

afterAll(async () => {
  for (const child of background) if (child.exitCode === null) await stopWith(child, "SIGTERM");
  if (installed && !process.env.KEEP_E2E_DIR) await rm(installed.dir, { recursive: true, force: true });
}, 120_000);

describe("allocmd installed from the release tarball", () => {
  it("has no dependencies, and it and every node it ships answer --version with the same version", async () => {
    const manifest = JSON.parse(await readFile(join(installed.pkg, "package.json"), "utf8"));
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(manifest.scripts ?? {}).toEqual({});
    const version = await allocmd(["--version"], installed.dir);
    expect(version.stdout.trim()).toBe(`allocmd ${installed.version}`);
    for (const kind of ["chain", "head", "worker", "inference-server", "dashboard"]) {
      const run = await sh(
        process.execPath,
        [join(installed.pkg, "dist", `${kind}.js`), "--version"],
        30_000,
        installed.dir,
        installed.env,
      );
      expect(run.stdout.trim(), run.stderr).toBe(`allora-${kind} ${installed.version}`);
    }
  });

  it("init makes a project", async () => {
    const init = await allocmd(
      ["init", "--name", "w1", "--topic", "1", "--env", "dev", "--yes"],
      join(installed.dir, "work"),
    );
    expect(init.code, init.stderr).toBe(0);
    project = join(installed.dir, "work", "w1");
    peerId = (await readFile(join(project, "keys", "identity"), "utf8")).trim();
    ({ headUrl } = await moveDevPorts(project));
  });

  it("run --native starts the network; test, request, status and logs work against it; Ctrl-C leaves nothing", async () => {
    const { child, output } = await startNative(project);
    const ready = output();
    expect(ready).toContain(`ready: w1 (peer ${peerId}) serves topic(s) 1`);
    expect(ready).toContain("Allora local network is ready");

    const test = await allocmd(["test", "--arg", "ETH"], project);
    expect(test.code, test.stdout + test.stderr).toBe(0);
    expect(test.stdout).toMatch(/main\.py answered infererValue \d+(\.\d+)?/);

    const request = await allocmd(["request", "--topic", "1", "--json"], project);
    expect(request.code, request.stdout + request.stderr).toBe(0);
    const body = JSON.parse(request.stdout);
    expect(body.code).toBe("200");
    const ours = body.results.find((g: { peers: string[] }) => g.peers.includes(peerId));
    expect(JSON.parse(ours.result.stdout.trim().split("\n").pop()).infererValue).toMatch(/^\d+(\.\d+)?$/);
    const firstAnswer = Date.now() - installed.installStartedAt;
    console.log(`time from npm install -g to the first "200": ${(firstAnswer / 1000).toFixed(1)} s`);

    interface Report {
      ok: boolean;
      peer_id: string;
      head?: { url: string; connected: boolean };
      topics?: Array<{ registered: boolean | null; subscribed: boolean | null; score: string | null }>;
    }
    const status = async (accept: (r: Report) => boolean, timeoutMs: number): Promise<Report> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const run = await allocmd(["status", "--json"], project);
        const report = ((): Report | undefined => {
          try {
            return JSON.parse(run.stdout);
          } catch {
            return undefined;
          }
        })();
        if (report && accept(report)) return report;
        if (Date.now() > deadline) throw new Error(`status never matched:\n${run.stdout}\n${run.stderr}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    };
    const registered = await status((r) => r.head?.connected === true && r.topics?.[0]?.registered === true, 60_000);
    expect(registered).toMatchObject({ peer_id: peerId, head: { url: headUrl, connected: true } });
    expect(registered.topics?.[0]).toMatchObject({ registered: true, subscribed: true });
    const scored = await status((r) => r.ok === true && r.topics?.[0]?.score !== null, 120_000);
    expect(typeof scored.topics?.[0]?.score).toBe("string");

    const logs = await allocmd(["logs", "w1", "--tail", "5"], project);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toMatch(/\[w1\]/);

    expect(await stopWith(child, "SIGINT")).toBe(0);
    expect(await packageProcesses()).toEqual([]);
  }, 400_000);

  it("allocmd stop stops a native network started in another terminal", async () => {
    const { child } = await startNative(project);
    const stop = await allocmd(["stop"], project);
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toContain("native network stopped");
    expect(await new Promise((r) => (child.exitCode !== null ? r(child.exitCode) : child.once("exit", r)))).toBe(0);
    expect(await packageProcesses()).toEqual([]);
  }, 300_000);

  it("Ctrl-C while the network is still starting stops what started, exit 130", async () => {
    const child = spawn(installed.bin, ["run", "--native", "--quiet"], { cwd: project, env: installed.env });
    track(child);
    let stderr = "";
    child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((r) => child.once("exit", r));
    // The chain is healthy and the next tier is being started.
    await new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => {
        if (/starting head/.test(stderr)) {
          clearInterval(poll);
          resolve();
        } else if (child.exitCode !== null) {
          clearInterval(poll);
          reject(new Error(`exited early:\n${stderr}`));
        }
      }, 20);
    });
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(stderr).toContain("SIGINT while starting: stopping every node");
    expect(await packageProcesses()).toEqual([]);
  }, 120_000);

  it("outside a project: one line saying so and what to do, exit 1", async () => {
    const run = await allocmd(["run", "--native"], join(installed.dir, "work"));
    expect(run.code).toBe(1);
    expect(run.stderr.split("\n")[0]).toMatch(/^allocmd run: no config\.yaml in /);
    expect(run.stderr).toContain("allocmd init");
    expect(await packageProcesses()).toEqual([]);
  });

  it("with a port taken: names the port and its holder, exit 1, nothing started", async () => {
    const port = Number(new URL(headUrl).port);
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
    try {
      const run = await allocmd(["run", "--native"], project);
      expect(run.code).toBe(1);
      const [reason, hint] = run.stderr.trim().split("\n");
      expect(reason).toMatch(
        new RegExp(`^allocmd run: ports the native network needs are in use: ${port} \\(head rest\\)`),
      );
      expect(hint).toMatch(/stop what holds them/);
      expect(await packageProcesses()).toEqual([]);
    } finally {
      await new Promise((r) => server.close(r));
    }
  }, 60_000);

  it("with a main.py that crashes at start: says so in one line, exit 1, stops every node", async () => {
    const mainPy = join(project, "main.py");
    const good = await readFile(mainPy, "utf8");
    await writeFile(mainPy, `import allocmd_e2e_missing_module\n${good}`);
    try {
      const run = await allocmd(["run", "--native", "--quiet"], project, 240_000);
      expect(run.code, run.stdout + run.stderr).toBe(1);
      const lines = run.stderr.trim().split("\n");
      const reason = lines.find((l) => l.startsWith("allocmd run:"));
      expect(reason).toMatch(
        /main\.py failed on its first run .*ModuleNotFoundError: No module named 'allocmd_e2e_missing_module'/,
      );
      expect(lines[lines.indexOf(reason as string) + 1]).toMatch(/allocmd test/);
      expect(await packageProcesses()).toEqual([]);
    } finally {
      await writeFile(mainPy, good);
    }
  }, 300_000);
});
