/**
 * What `allocmd run --join` started, remembered in `.allocmd/join.json` (no secrets: container name, ports and
 * URLs), so `request`, `status`, `topic` and `fund` talk to the joined network by default, and `status` can ask
 * the worker itself why it is not registered. `allocmd stop` and a dev `allocmd run` forget it.
 */
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { STATE_DIR, writeFileAtomic } from "../scaffold/generated-files.js";

/** The record of a join. */
export interface JoinRecord {
  container: string;
  mode: "host" | "bridge";
  boot_node: string;
  head_url: string;
  chain_rpc: string | null;
  chain_rest: string | null;
  /** The worker's /health, /status and /metrics, as seen from this machine. */
  worker_url: string;
}

const FILE = `${STATE_DIR}/join.json`;

/** Saves the record of a join. */
export async function saveJoinRecord(dir: string, record: JoinRecord): Promise<void> {
  await writeFileAtomic(join(dir, FILE), `${JSON.stringify(record, null, 2)}\n`);
}

/** The record of the last join, if any. */
export async function loadJoinRecord(dir: string): Promise<JoinRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(join(dir, FILE), "utf8")) as JoinRecord;
    return typeof record.head_url === "string" && typeof record.worker_url === "string" ? record : undefined;
  } catch {
    return undefined;
  }
}

/** Forgets the join. */
export async function clearJoinRecord(dir: string): Promise<void> {
  await rm(join(dir, FILE), { force: true });
}
