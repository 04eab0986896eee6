/**
 * Every option of the worker. Flags and env vars share names (`--boot-nodes` = `BOOT_NODES`).
 */

import { checkBootNode, checkHttpUrl, checkPeerId, isReservedEnvName } from "@allora/protocol";
import { type ConfigOf, chainAccountFlags, defineConfig, httpLimitOptions, nodeOptions } from "@allora/service";

/** Accepts a topic id (`1`) or its gossip name (`allora-topic-1-worker`). */
function checkTopic(value: string): string | undefined {
  return /^([1-9]\d{0,18}|allora-topic-[1-9]\d{0,18}-worker)$/.test(value)
    ? undefined
    : `topic "${value}" is not a topic id (e.g. 1) or a worker topic name (allora-topic-1-worker)`;
}

/** The worker's options as flags and env vars. */
export const workerConfig = defineConfig({
  ...nodeOptions("worker"),
  "data-dir": {
    type: "string",
    default: "./data",
    description: "folder for keys (unless --key-dir) and installed functions",
  },
  "key-dir": {
    type: "string",
    description: "libp2p key folder in allora-keys format (default <data-dir>/keys; created if missing)",
  },
  "p2p-host": { type: "string", default: "0.0.0.0", description: "address the libp2p host listens on" },
  "p2p-port": { type: "integer", default: 9011, min: 0, max: 65535, description: "libp2p TCP port" },
  announce: {
    type: "list",
    default: [],
    description: "multiaddrs to advertise instead of the listen address (public IP or DNS name)",
  },
  "http-host": { type: "string", default: "0.0.0.0", description: "address of the health/status/metrics server" },
  "http-port": {
    type: "integer",
    default: 2112,
    min: 0,
    max: 65535,
    description: "port of /health, /status and /metrics",
  },
  "boot-nodes": {
    type: "list",
    default: [],
    description: "head multiaddrs to connect to, comma separated; /p2p/<id> may be omitted",
    check: checkBootNode,
  },
  "trusted-heads": {
    type: "list",
    default: [],
    description:
      "peer ids of heads to obey besides the boot nodes' (a boot node's id is pinned from /p2p/<id> or learned on first connect)",
    check: checkPeerId,
  },
  "allow-functions": {
    type: "list",
    default: [],
    description: "function ids (CIDs or aliases) to run besides each topic's own function as the chain states it",
  },
  topics: {
    type: "list",
    default: ["1"],
    description: "topic ids this worker serves, comma separated",
    check: checkTopic,
  },
  "main-py": {
    type: "string",
    default: "/app/main.py",
    description: "the worker's own main.py, run by the node function",
  },
  python: { type: "string", default: "python3", description: "Python interpreter that runs main.py" },
  "function-env": {
    type: "list",
    default: [],
    description: "KEY=VALUE pairs given to every function run (e.g. INFERENCE_API_ADDRESS=http://inference:8000)",
    check: (v) => {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(v);
      if (!m) return `function env "${v}" is not KEY=VALUE`;
      if (isReservedEnvName(m[1] as string)) {
        return `function env ${m[1]} is reserved (the worker sets it); to use a virtualenv, point --python at its interpreter`;
      }
      return undefined;
    },
  },
  "function-timeout": {
    type: "number",
    default: 20,
    min: 0.1,
    max: 600,
    description: "seconds a function may run before its process group is killed",
  },
  "max-concurrency": {
    type: "integer",
    default: 4,
    min: 1,
    max: 256,
    description: "functions run at once (more wait in a queue of --max-queued)",
  },
  "round-slots": {
    type: "integer",
    default: 1,
    min: 0,
    max: 255,
    description:
      "of --max-concurrency, slots only the chain's rounds may take (at most --max-concurrency - 1), so hand-sent load cannot starve them",
  },
  "max-queued": {
    type: "integer",
    default: 16,
    min: 0,
    max: 10_000,
    description: "runs waiting for a slot before roll calls are declined as busy",
  },
  // Both caps together stay under the 1 MiB message limit even after JSON escaping of ordinary text.
  "max-stdout-bytes": { type: "integer", default: 262_144, min: 1024, max: 393_216, description: "stdout cap per run" },
  "max-stderr-bytes": { type: "integer", default: 65_536, min: 1024, max: 131_072, description: "stderr cap per run" },
  "function-aliases": {
    type: "list",
    check: (v) => (/^[^=\s]+=[^=\s]+$/.test(v) ? undefined : `alias "${v}" is not of the form <alias>=<cid>`),
    description: "alias=cid pairs; default maps the guide's function CID to this network's runner package",
  },
  "function-gateways": {
    type: "list",
    default: [],
    description: "HTTP URLs serving packages at <url>/<cid>, tried after the head",
    check: checkHttpUrl,
  },
  ...chainAccountFlags({
    rpc: "unset: no chain",
    rest: "registration queries",
    mnemonic: "worker's chain mnemonic; signs registration and inference bundles",
    faucet: "the balance cannot pay registration",
  }),
  "function-mode": {
    type: "string",
    default: "warm",
    choices: ["warm", "cold"],
    description:
      'warm: Python functions fork a sandboxed process that imported their modules once; cold: a fresh interpreter per run (docs/WORKER.md, "Warm functions")',
  },
  // The function sandbox (docs/WORKER.md, "Function sandbox").
  "function-sandbox": {
    type: "list",
    default: ["landlock", "uid", "rlimits", "reaper"],
    description:
      "sandbox layers for function runs (landlock, uid, rlimits, reaper); drop one only to test or to work around a host problem",
    check: (v) =>
      ["landlock", "uid", "rlimits", "reaper"].includes(v)
        ? undefined
        : `sandbox layer "${v}" is not one of landlock, uid, rlimits, reaper`,
  },
  "function-max-memory": {
    type: "integer",
    default: 1024,
    min: 16,
    max: 1_048_576,
    description: "MiB of data (heap) a function process may allocate (RLIMIT_DATA)",
  },
  "function-max-processes": {
    type: "integer",
    default: 256,
    min: 4,
    max: 65_536,
    description: "processes and threads a function may have at once (RLIMIT_NPROC; exact with a uid per run slot)",
  },
  "function-max-file-size": {
    type: "integer",
    default: 100,
    min: 1,
    max: 1_048_576,
    description: "MiB of the largest file a function may write (RLIMIT_FSIZE)",
  },
  "function-max-open-files": {
    type: "integer",
    default: 1024,
    min: 16,
    max: 1_048_576,
    description: "files a function process may have open (RLIMIT_NOFILE)",
  },
  "function-uid-base": {
    type: "integer",
    default: 2_000_000_000,
    min: 1000,
    max: 4_294_000_000,
    description: "when the worker runs as root: first uid of the run slots (one uid per --max-concurrency slot)",
  },
  "function-read-paths": {
    type: "list",
    default: [],
    description: "extra files or folders every function may read (e.g. model weights outside main.py's folder)",
  },
  ...httpLimitOptions(),
});

/** The worker's config, as parsed from {@link workerConfig}. */
export type WorkerConfig = ConfigOf<typeof workerConfig>;
