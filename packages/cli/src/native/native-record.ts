/**
 * What a running `allocmd run --native` is, remembered in `.allocmd/native.json` (no secrets: the runner's pid, its
 * nodes and where their logs are), so `allocmd stop` can stop it from another terminal and `allocmd logs` can read
 * its nodes' logs. The runner writes it once the network is ready and removes it when it stops.
 */
import { readFile } from "node:fs/promises";
import { runRecordFile } from "../project/run-record.js";

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

const file = runRecordFile<NativeRecord>(
  "native.json",
  (r) => Number.isInteger(r.pid) && Array.isArray(r.nodes) && typeof r.log_dir === "string",
);

/** Saves the record. */
export const saveNativeRecord = file.save;
/** The record, if there is one (running or left behind by a runner that was killed). */
export const loadNativeRecord = file.load;
/** Forgets the record. */
export const clearNativeRecord = file.clear;

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
