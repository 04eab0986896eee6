/**
 * What `allocmd run --join` started, remembered in `.allocmd/join.json` (no secrets: container name, ports and
 * URLs), so `request`, `status`, `topic` and `fund` talk to the joined network by default, and `status` can ask
 * the worker itself why it is not registered. `allocmd stop` and a dev `allocmd run` forget it.
 */
import { runRecordFile } from "./run-record.js";

/** The record of a join. */
interface JoinRecord {
  container: string;
  mode: "host" | "bridge";
  boot_node: string;
  head_url: string;
  chain_rpc: string | null;
  chain_rest: string | null;
  /** The worker's /health, /status and /metrics, as seen from this machine. */
  worker_url: string;
}

const file = runRecordFile<JoinRecord>(
  "join.json",
  (r) => typeof r.head_url === "string" && typeof r.worker_url === "string",
);

/** Saves the record of a join. */
export const saveJoinRecord = file.save;
/** The record of the last join, if any. */
export const loadJoinRecord = file.load;
/** Forgets the join. */
export const clearJoinRecord = file.clear;
