/**
 * The worker's `/status`: a snapshot of its identity, links, trust, functions, load, sandbox and chain side.
 */
import type { WorkerChain } from "./chain/worker-chain.js";
import type { SandboxReport } from "./execution/launcher-protocol.js";

/** A snapshot of the worker for `/status`. */
export interface WorkerStatus {
  name: string;
  version: string;
  peer_id: string;
  addresses: string[];
  topics: string[];
  boot_nodes: Array<{ addr: string; peer: string }>;
  heads: string[];
  trusted_heads: Array<{ peer: string; source: string }>;
  allowed_functions: string[];
  functions: Array<{ cid: string; name: string; version: string }>;
  running: number;
  max_concurrency: number;
  executed_total: number;
  /** The function sandbox in force (docs/WORKER.md, "Function sandbox"). */
  sandbox?: SandboxReport;
  chain?: ReturnType<WorkerChain["status"]>;
}
