/**
 * `allocmd stop` and `allocmd logs` for a network started with `allocmd run --native`: stopping signals its runner
 * (which stops every node in order, as on Ctrl-C) and waits until it is gone; logs are read from the nodes' files.
 */
import { open, stat } from "node:fs/promises";
import { join } from "node:path";
import { createLineFormatter } from "@allora/devnet/log-format";
import { CliError } from "../errors.js";
import type { CliIo, Output } from "../output.js";
import { NATIVE_STATE_DIR } from "./native-network.js";
import { clearNativeRecord, isRunnerAlive, loadNativeRecord } from "./native-record.js";

/** How long the runner gets to stop every node (it gives each 8 s before SIGKILL, tier by tier). */
const STOP_TIMEOUT_MS = 60_000;

/** Stops the project's native network; returns whether one was running. */
export async function stopNative(dir: string, out: Output): Promise<boolean> {
  const record = await loadNativeRecord(dir);
  if (!record) return false;
  if (!(await isRunnerAlive(record))) {
    await clearNativeRecord(dir);
    return false;
  }
  out.progress(`stopping the native network (allocmd run --native, pid ${record.pid})`);
  process.kill(record.pid, "SIGTERM");
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (await isRunnerAlive(record)) {
    if (Date.now() > deadline) {
      throw new CliError("WAIT_TIMEOUT", `the native network (pid ${record.pid}) did not stop within 60 s`, {
        hint: `its nodes are listed in ${record.log_dir}; kill pid ${record.pid} and what \`allocmd doctor\` shows holding the ports`,
      });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await clearNativeRecord(dir);
  out.out(`native network stopped (state kept in ${NATIVE_STATE_DIR}/)`);
  return true;
}

/** Where the native network's logs are: the running one's, or the last run's. */
export async function nativeLogDir(dir: string, dockerAvailable: () => Promise<boolean>): Promise<string | undefined> {
  const record = await loadNativeRecord(dir);
  if (record && (await isRunnerAlive(record))) return record.log_dir;
  const last = join(dir, NATIVE_STATE_DIR, "logs");
  const exists = await stat(last).then(
    (s) => s.isDirectory(),
    () => false,
  );
  return exists && !(await dockerAvailable()) ? last : undefined;
}

/** At most this many bytes are read from a log at once (the tail of a long log, or new lines while following). */
const READ_LIMIT = 1 << 20;

/** The bytes of `file` from `from` (at most READ_LIMIT; the last READ_LIMIT when `from` is negative), and its size. */
async function readFrom(file: string, from: number): Promise<{ text: string; size: number } | undefined> {
  const handle = await open(file, "r").catch(() => undefined);
  if (!handle) return undefined;
  try {
    const size = (await handle.stat()).size;
    const start = from < 0 ? Math.max(0, size - READ_LIMIT) : from;
    const length = Math.min(READ_LIMIT, Math.max(0, size - start));
    const buf = Buffer.alloc(length);
    await handle.read(buf, 0, length, start);
    return { text: buf.toString("utf8"), size: start + length };
  } finally {
    await handle.close();
  }
}

/** Prints the last `lines` of each node's log (or one node's), then with `follow` new lines until Ctrl-C. */
export async function printNativeLogs(
  logDir: string,
  nodes: readonly string[],
  options: { lines: number; follow: boolean; limitMs: number },
  io: CliIo,
): Promise<number> {
  const format = createLineFormatter(nodes, io.color);
  const offsets = new Map<string, number>();
  for (const node of nodes) {
    const read = await readFrom(join(logDir, `${node}.log`), -1);
    if (read === undefined) {
      throw new CliError("CONFIG_MISSING", `no log of "${node}" in ${logDir}`, {
        hint: `the native network's nodes are: ${nodes.join(", ")}`,
      });
    }
    offsets.set(node, read.size);
    for (const line of read.text.trimEnd().split("\n").slice(-options.lines)) {
      if (line) io.stdout.write(`${format(node, line)}\n`);
    }
  }
  if (!options.follow) return 0;
  const until = Date.now() + options.limitMs;
  let stopped = false;
  const onSignal = () => {
    stopped = true;
  };
  process.once("SIGINT", onSignal);
  while (!stopped && Date.now() < until) {
    for (const node of nodes) {
      const from = offsets.get(node) ?? 0;
      const read = await readFrom(join(logDir, `${node}.log`), from);
      const end = read ? read.text.lastIndexOf("\n") : -1;
      if (!read || end === -1) continue;
      offsets.set(node, from + Buffer.byteLength(read.text.slice(0, end + 1)));
      for (const line of read.text.slice(0, end).split("\n")) if (line) io.stdout.write(`${format(node, line)}\n`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  process.off("SIGINT", onSignal);
  return 0;
}
