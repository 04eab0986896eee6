/**
 * Every stop of `pnpm dev` is clean: SIGINT to its process group at 1 s, at 3 s and after the banner, and SIGKILL
 * of the runner, each leave no process of the network (every process the runner started and what they started, as
 * `ps` lists them) and no port held, and the next `pnpm dev` of the same state folder starts without complaint. A
 * node frozen so it cannot notice its runner's death is stopped by the next `pnpm dev`, which says so; a node that
 * dies after start is named with its log while the others keep running.
 *
 * Real processes: the built `pnpm dev` runner (what `pnpm dev` runs after its build step) in a process group of its
 * own, as a terminal runs it, with a whole network of 1 worker on a free block of ports.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  describeNetwork,
  findFreePortBlock,
  findTakenPorts,
  isStillRunning,
  type PidFile,
  PORT_BLOCK_SIZE,
  portPlanFrom,
  type RecordedProcess,
  recordProcess,
} from "@allora/devnet";
import { httpCall } from "@allora/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const DEV_BIN = fileURLToPath(new URL("../../../packages/devnet/dist/bin/dev.js", import.meta.url));
const BANNER = "Allora local network is ready";

/** A `pnpm dev` runner and what it printed. */
interface Dev {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let root: string;
let base: number;
/** Every process any runner of this file started (and the runners), for the final sweep even when a test fails. */
const seen = new Map<number, RecordedProcess>();

function startDev(extra: string[] = []): Dev {
  const child = spawn(
    process.execPath,
    [DEV_BIN, "--workers=1", `--root=${root}`, `--port-base=${base}`, ...extra],
    // Its own process group, as a terminal's foreground job: the group is what Ctrl-C signals.
    { detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } },
  );
  let text = "";
  child.stdout?.on("data", (c: Buffer) => (text += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (text += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once("exit", (code, signal) => done({ code, signal })),
  );
  void recordProcess(child.pid as number).then((r) => seen.set(r.pid, r));
  return { child, output: () => text, exited };
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every descendant of `pid`, as `ps` lists them now. */
async function descendants(pid: number): Promise<RecordedProcess[]> {
  const rows = execFileSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((l) => l.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [p, pp] of rows) {
      if (pp === parent && !found.includes(p)) {
        found.push(p);
        walk(p);
      }
    }
  };
  walk(pid);
  const recorded = await Promise.all(found.map((p) => recordProcess(p)));
  for (const r of recorded) seen.set(r.pid, r);
  return recorded;
}

async function alive(processes: readonly RecordedProcess[]): Promise<RecordedProcess[]> {
  const flags = await Promise.all(processes.map((p) => isStillRunning(p)));
  return processes.filter((_, i) => flags[i]);
}

/** `ps` lines of processes still alive, to say what was left behind. */
function psLines(processes: readonly RecordedProcess[]): string {
  if (processes.length === 0) return "";
  return execFileSync("ps", ["-o", "pid,ppid,args", "-p", processes.map((p) => p.pid).join(",")], {
    encoding: "utf8",
  });
}

const network = () => describeNetwork({ workers: 1, ports: portPlanFrom(base) });

async function waitBanner(dev: Dev): Promise<void> {
  await until("the banner", () => dev.output().includes(BANNER), 150_000).catch((err: Error) => {
    throw new Error(`${err.message}\n--- pnpm dev printed ---\n${dev.output().slice(-4000)}`);
  });
}

/** The network's processes and ports after a stop: none alive, none held (waiting for stops in progress). */
async function expectNothingLeft(tree: readonly RecordedProcess[]): Promise<void> {
  // Stops take a moment (each node closes its servers); a deadline, not a sleep.
  await until("every node process to exit", async () => (await alive(tree)).length === 0, 30_000).catch(
    async (err: Error) => {
      throw new Error(`${err.message}; still running:\n${psLines(await alive(tree))}`);
    },
  );
  expect(await findTakenPorts(network())).toEqual([]);
}

function pidsOf(): Promise<PidFile> {
  return readFile(join(root, "pids.json"), "utf8").then((t) => JSON.parse(t) as PidFile);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "allora-stops-"));
  base = await findFreePortBlock(PORT_BLOCK_SIZE);
});

afterAll(async () => {
  // Whatever a failed test left: every process seen, by pid and start time (never a name).
  for (const p of await alive([...seen.values()])) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
  await rm(root, { recursive: true, force: true });
});

describe("pnpm dev stops cleanly", () => {
  it.each([
    ["1 s", 1000],
    ["3 s", 3000],
  ])("SIGINT to its process group %s into start-up stops what had started", async (_label, delayMs) => {
    const dev = startDev();
    let tree: RecordedProcess[] = [];
    const deadline = Date.now() + delayMs;
    // Sample the tree until the signal, so nodes started a moment before it are counted too.
    while (Date.now() < deadline) {
      tree = [...new Map([...tree, ...(await descendants(dev.child.pid as number))].map((p) => [p.pid, p])).values()];
      await new Promise((r) => setTimeout(r, 50));
    }
    process.kill(-(dev.child.pid as number), "SIGINT");
    const exit = await dev.exited;
    // On a fast machine the network may be up by 3 s: then this was a stop after the banner, and says so.
    if (!dev.output().includes(BANNER)) {
      expect(dev.output()).toMatch(
        /SIGINT during start-up: (no node had started|stopped [a-z0-9-, ]+)\. Nothing is left running\./,
      );
      expect(exit.code).toBe(130);
    } else {
      expect(dev.output()).toMatch(/Stopped in \d+ ms/);
      expect(exit.code).toBe(0);
    }
    expect(dev.output()).not.toContain("already in use");
    await expectNothingLeft(tree);
  });

  it("SIGINT after the banner stops every node; a node that dies is named while the others keep running", async () => {
    const dev = startDev();
    await waitBanner(dev);
    const tree = await descendants(dev.child.pid as number);
    const pids = await pidsOf();
    expect(Object.keys(pids.nodes).sort()).toEqual(["chain", "dashboard", "head", "inference-1", "worker-1"]);
    expect(pids.runner.pid).toBe(dev.child.pid);

    // A second runner on the same state folder is refused while this one runs.
    const second = startDev([`--port-base=${base + PORT_BLOCK_SIZE}`]);
    expect((await second.exited).code).toBe(1);
    expect(second.output()).toContain("DEVNET_STATE_IN_USE");

    // A node that dies after start: named with its log; the others keep answering.
    process.kill((pids.nodes["inference-1"] as RecordedProcess).pid, "SIGKILL");
    await until("the dead node's report", () => dev.output().includes("[NODE_EXITED]"), 10_000);
    expect(dev.output()).toMatch(/inference-1 was killed by SIGKILL \[NODE_EXITED\]; the other nodes keep running/);
    expect(dev.output()).toMatch(/Last lines of \S*inference-1\.log:\n {2}\{.*"node":"inference-1"/); // its log's tail
    const health = await httpCall(`http://127.0.0.1:${base}/api/v1/health`, { timeoutMs: 5000 });
    expect(health.status).toBe(200);

    process.kill(-(dev.child.pid as number), "SIGINT");
    const exit = await dev.exited;
    expect(dev.output()).toMatch(/Stopped in \d+ ms/);
    expect(exit.code).toBe(0);
    await expectNothingLeft(tree);
    await expect(readFile(join(root, "pids.json"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("SIGKILL of the runner takes every node with it (each logs RUNNER_GONE)", async () => {
    const dev = startDev();
    await waitBanner(dev);
    const tree = await descendants(dev.child.pid as number);
    expect(dev.output()).not.toContain("already in use");
    dev.child.kill("SIGKILL");
    await dev.exited;
    await expectNothingLeft(tree);
    for (const node of ["chain", "head", "worker-1", "inference-1", "dashboard"]) {
      const log = await readFile(join(root, "logs", `${node}.log`), "utf8");
      expect(log, node).toContain('"code":"RUNNER_GONE"');
    }
  });

  it("the next pnpm dev stops a node an earlier runner left, says so, and starts without complaint", async () => {
    const first = startDev();
    await waitBanner(first);
    const tree = await descendants(first.child.pid as number);
    // Frozen, the head cannot notice its runner's death: only the next runner can stop it.
    const head = (await pidsOf()).nodes.head as RecordedProcess;
    process.kill(head.pid, "SIGSTOP");
    first.child.kill("SIGKILL");
    await first.exited;
    await until("every other node to exit", async () => (await alive(tree)).every((p) => p.pid === head.pid), 30_000);
    expect(await isStillRunning(head)).toBe(true);

    const next = startDev();
    await waitBanner(next);
    expect(next.output()).toMatch(
      new RegExp(`Stopped head \\(pid ${head.pid}, SIGTERM\\), left running by an earlier pnpm dev`),
    );
    expect(next.output()).not.toContain("already in use");
    expect(await isStillRunning(head)).toBe(false);
    const nextTree = await descendants(next.child.pid as number);
    process.kill(-(next.child.pid as number), "SIGINT");
    expect((await next.exited).code).toBe(0);
    await expectNothingLeft([...tree, ...nextTree]);
  });
});
