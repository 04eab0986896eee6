/**
 * What a running `allocmd run --native` is, remembered in `.allocmd/native.json` (no secrets: the runner's pid, its
 * nodes and where their logs are), so `allocmd stop` can stop it from another terminal and `allocmd logs` can read
 * its nodes' logs. The runner writes it once the network is ready and removes it when it stops.
 */
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { STATE_DIR, writeFileAtomic } from "../scaffold/generated-files.js";

/** The record of a native network. */
export interface NativeRecord {
  /** The `allocmd run --native` process; signalling it stops every node. */
  pid: number;
  /** Node names, in start order. */
  nodes: string[];
  /** The folder with one `<node>.log` per node. */
  log_dir: string;
  head_url: string;
  started_at: string;
}

const FILE = `${STATE_DIR}/native.json`;

/** Saves the record. */
export async function saveNativeRecord(dir: string, record: NativeRecord): Promise<void> {
  await writeFileAtomic(join(dir, FILE), `${JSON.stringify(record, null, 2)}\n`);
}

/** The record, if there is one (running or left behind by a runner that was killed). */
export async function loadNativeRecord(dir: string): Promise<NativeRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(join(dir, FILE), "utf8")) as NativeRecord;
    return Number.isInteger(record.pid) && Array.isArray(record.nodes) && typeof record.log_dir === "string"
      ? record
      : undefined;
  } catch {
    return undefined;
  }
}

/** Forgets the record. */
export async function clearNativeRecord(dir: string): Promise<void> {
  await rm(join(dir, FILE), { force: true });
}

/**
 * Whether the record's runner is alive: the pid exists and is still an allocmd process (not a pid the system gave
 * to something else after a crash).
 */
export async function isRunnerAlive(record: NativeRecord): Promise<boolean> {
  try {
    process.kill(record.pid, 0);
  } catch {
    return false;
  }
  const cmdline = await readFile(`/proc/${record.pid}/cmdline`, "utf8").catch(() => undefined);
  return cmdline === undefined || cmdline.includes("allocmd");
}
