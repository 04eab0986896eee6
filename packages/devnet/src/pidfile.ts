/**
 * The state folder's pidfile (`<root>/pids.json`): which runner started the network there and which node processes
 * it runs, each with its kernel start time. A runner that died without stopping its nodes (SIGKILL, OOM, a CI
 * timeout) leaves it behind, and the next runner of the same folder stops what is still running from it. A pid is
 * trusted only while /proc says the process with that pid started at the recorded time (pids are reused).
 */
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { AlloraError } from "@allora/protocol";

/** A process as the pidfile records it. */
export interface RecordedProcess {
  pid: number;
  /** Start time in clock ticks since boot (/proc/<pid>/stat field 22); absent where /proc is not available. */
  start?: number;
}

/** The pidfile's content. */
export interface PidFile {
  runner: RecordedProcess;
  nodes: Record<string, RecordedProcess>;
}

/** A node process stopped by {@link reapLeftovers}. */
export interface ReapedNode {
  node: string;
  pid: number;
  /** How it ended: it stopped on SIGTERM, or needed SIGKILL. */
  how: "SIGTERM" | "SIGKILL";
}

/** Milliseconds a leftover node gets to stop on SIGTERM before it is killed. */
const REAP_DEADLINE_MS = 10_000;

/** The pidfile of a state folder. */
export function pidFilePath(root: string): string {
  return join(root, "pids.json");
}

/** The kernel's start time of `pid`, or undefined when it does not exist (or /proc is unreadable). */
export async function processStartTime(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (stat === undefined) return undefined;
  // The command name (field 2) may hold spaces and parentheses: fields count from the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const state = fields[0];
  if (state === "Z" || state === "X") return undefined; // exited, not yet reaped: nothing left to stop
  const start = Number(fields[19]);
  return Number.isFinite(start) ? start : undefined;
}

/** A recorded process is still that process (same pid, same start time). */
export async function isStillRunning(p: RecordedProcess): Promise<boolean> {
  if (p.start === undefined) return false;
  return (await processStartTime(p.pid)) === p.start;
}

/** Records a process now: its pid and start time. */
export async function recordProcess(pid: number): Promise<RecordedProcess> {
  const start = await processStartTime(pid);
  return start === undefined ? { pid } : { pid, start };
}

async function readPidFile(root: string): Promise<PidFile | undefined> {
  const text = await readFile(pidFilePath(root), "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as PidFile;
    if (typeof parsed?.runner?.pid !== "number" || typeof parsed.nodes !== "object") return undefined;
    return parsed;
  } catch {
    return undefined; // a torn or foreign file: nothing to trust in it
  }
}

/** Writes the pidfile atomically (a reader never sees half of it). */
export async function writePidFile(root: string, content: PidFile): Promise<void> {
  const file = pidFilePath(root);
  const partial = `${file}.${process.pid}.partial`;
  await writeFile(partial, `${JSON.stringify(content, null, 2)}\n`);
  await rename(partial, file);
}

/** Removes the pidfile (the network stopped cleanly). */
export async function removePidFile(root: string): Promise<void> {
  await rm(pidFilePath(root), { force: true });
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitGone(p: RecordedProcess, deadlineMs: number): Promise<boolean> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (!(await isStillRunning(p))) return true;
    await wait(100);
  }
  return !(await isStillRunning(p));
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/**
 * Stops the node processes an earlier runner of `root` left running (SIGTERM, then SIGKILL to its process group
 * after `deadlineMs`, default 10 s), and says which. Refuses with
 * `DEVNET_STATE_IN_USE` while that runner itself is still alive (another `pnpm dev` on the same folder).
 */
export async function reapLeftovers(root: string, options: { deadlineMs?: number } = {}): Promise<ReapedNode[]> {
  const recorded = await readPidFile(root);
  if (!recorded) return [];
  if (recorded.runner.pid !== process.pid && (await isStillRunning(recorded.runner))) {
    throw new AlloraError(
      "DEVNET_STATE_IN_USE",
      `another runner (pid ${recorded.runner.pid}) is running the network in ${root}; stop it (Ctrl-C in its ` +
        "terminal) or use another --root",
      { details: { pid: recorded.runner.pid, root } },
    );
  }
  const alive: Array<[string, RecordedProcess]> = [];
  for (const [node, p] of Object.entries(recorded.nodes)) if (await isStillRunning(p)) alive.push([node, p]);
  const reaped = await Promise.all(
    alive.map(async ([node, p]): Promise<ReapedNode> => {
      signal(p.pid, "SIGTERM");
      signal(p.pid, "SIGCONT"); // a stopped (frozen) process handles nothing until it runs again
      if (await waitGone(p, options.deadlineMs ?? REAP_DEADLINE_MS)) return { node, pid: p.pid, how: "SIGTERM" };
      // Nodes lead their own process group (the runner spawns them detached): take whatever they started too.
      signal(-p.pid, "SIGKILL");
      signal(p.pid, "SIGKILL");
      await waitGone(p, 2000);
      return { node, pid: p.pid, how: "SIGKILL" };
    }),
  );
  await removePidFile(root);
  return reaped;
}
