/**
 * The parts of a clean stop that need no network: the pidfile (what an earlier runner left is stopped, a reused pid
 * never is, a live runner's folder is refused) and the log follower (every appended line, the last one too).
 * Real processes (`sleep`), real files.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { appendFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { followLog } from "../src/log-follow.js";
import { isStillRunning, pidFilePath, reapLeftovers, recordProcess, writePidFile } from "../src/pidfile.js";

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function tempRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "allora-stops-unit-"));
  cleanup.push(() => rm(root, { recursive: true, force: true }));
  return root;
}

function sleeper(trapTerm = false): ChildProcess {
  const child = trapTerm
    ? spawn("sh", ["-c", "trap '' TERM; while :; do sleep 0.1; done"], { detached: true, stdio: "ignore" })
    : spawn("sleep", ["300"], { detached: true, stdio: "ignore" });
  cleanup.push(() => {
    try {
      process.kill(-(child.pid as number), "SIGKILL");
    } catch {
      // gone
    }
  });
  return child;
}

/** A runner that has exited: a real pid record whose process is gone. */
async function goneRunner() {
  const runner = spawn("sleep", ["30"]);
  const exited = new Promise((r) => runner.once("exit", r));
  const record = await recordProcess(runner.pid as number);
  runner.kill("SIGKILL");
  await exited;
  return record;
}

describe("reapLeftovers", () => {
  it("stops the nodes a dead runner left, says which, and removes the pidfile", async () => {
    const root = await tempRoot();
    const polite = sleeper();
    const stubborn = sleeper(true);
    await new Promise((r) => setTimeout(r, 200)); // let sh install its trap
    const nodes = {
      head: await recordProcess(polite.pid as number),
      worker: await recordProcess(stubborn.pid as number),
    };
    await writePidFile(root, { runner: await goneRunner(), nodes });
    const reaped = await reapLeftovers(root, { deadlineMs: 1000 });
    expect(reaped.sort((a, b) => a.node.localeCompare(b.node))).toEqual([
      { node: "head", pid: polite.pid, how: "SIGTERM" },
      { node: "worker", pid: stubborn.pid, how: "SIGKILL" },
    ]);
    expect(await isStillRunning(nodes.head)).toBe(false);
    expect(await isStillRunning(nodes.worker)).toBe(false);
    await expect(readFile(pidFilePath(root))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("never signals a pid whose start time differs (a reused pid)", async () => {
    const root = await tempRoot();
    const other = sleeper();
    const real = await recordProcess(other.pid as number);
    await writePidFile(root, {
      runner: await goneRunner(),
      nodes: { head: { pid: real.pid, start: (real.start as number) - 1 } },
    });
    expect(await reapLeftovers(root)).toEqual([]);
    expect(await isStillRunning(real)).toBe(true);
  });

  it("refuses a folder whose runner still runs, with DEVNET_STATE_IN_USE", async () => {
    const root = await tempRoot();
    const runner = sleeper();
    const node = sleeper();
    const nodeRecord = await recordProcess(node.pid as number);
    await writePidFile(root, { runner: await recordProcess(runner.pid as number), nodes: { head: nodeRecord } });
    await expect(reapLeftovers(root)).rejects.toMatchObject({ code: "DEVNET_STATE_IN_USE" });
    expect(await isStillRunning(nodeRecord)).toBe(true);
  });

  it("ignores a missing or unreadable pidfile", async () => {
    const root = await tempRoot();
    expect(await reapLeftovers(root)).toEqual([]);
    await writeFile(pidFilePath(root), "{ not json");
    expect(await reapLeftovers(root)).toEqual([]);
  });
});

describe("followLog", () => {
  it("delivers every line appended after the offset, and a last line without a newline on close", async () => {
    const root = await tempRoot();
    const file = join(root, "node.log");
    await writeFile(file, "from an earlier run\n");
    const lines: string[] = [];
    const follower = followLog(file, "from an earlier run\n".length, (l) => lines.push(l));
    await appendFile(file, "one\ntw");
    await appendFile(file, "o\nthree");
    const deadline = Date.now() + 5000;
    while (lines.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(lines).toEqual(["one", "two"]);
    await follower.close();
    expect(lines).toEqual(["one", "two", "three"]);
  });
});
