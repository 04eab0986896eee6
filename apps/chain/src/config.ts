/**
 * The chain's settings: each flag also reads the env var of the same name in upper snake case
 * (`--blockless-api-url` = `BLOCKLESS_API_URL`); a flag wins over its env var.
 */
import { type ConfigOf, defineConfig, httpLimitOptions } from "@allora/service";

function checkHttpUrl(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? undefined : `"${value}" is not an http(s) URL`;
  } catch {
    return `"${value}" is not a URL (e.g. http://head:6000)`;
  }
}

export const chainConfigSpec = defineConfig({
  name: { type: "string", default: "chain", description: "node name carried by every log line" },
  host: { type: "string", default: "0.0.0.0", description: "interface the RPC and REST servers listen on" },
  "rpc-port": { type: "integer", default: 26657, min: 0, max: 65535, description: "CometBFT JSON-RPC port (0 = any)" },
  "rest-port": {
    type: "integer",
    default: 1317,
    min: 0,
    max: 65535,
    description: "Cosmos REST, faucet and /metrics port (0 = any)",
  },
  genesis: { type: "string", required: true, description: "genesis JSON file (see docs/CHAIN.md)" },
  "data-dir": { type: "string", required: true, description: "directory of the block log; replayed at start" },
  "block-time-ms": { type: "integer", default: 1000, min: 20, max: 60_000, description: "a block every this many ms" },
  "blockless-api-url": {
    type: "string",
    description: "head URL the chain POSTs execute requests to when a round opens (none = nobody is asked)",
    check: checkHttpUrl,
  },
  "blockless-timeout-ms": {
    type: "integer",
    default: 30_000,
    min: 100,
    max: 600_000,
    description: "deadline of one execute request to the head",
  },
  "faucet-mnemonic-file": {
    type: "string",
    description: "file (mode 0600) holding the faucet key's mnemonic; none = POST /faucet is disabled",
  },
  "faucet-amount": {
    type: "string",
    default: "100000000",
    description: "uallo one faucet request gives (a request may ask for up to 10x)",
    check: (v) => (/^[1-9]\d{0,29}$/.test(v) ? undefined : `"${v}" is not a positive integer amount of uallo`),
  },
  "faucet-window-seconds": {
    type: "integer",
    default: 60,
    min: 1,
    max: 86_400,
    description: "window of the faucet's rate limits",
  },
  "faucet-max-per-address": {
    type: "integer",
    default: 5,
    min: 1,
    max: 1_000_000,
    description: "faucet grants one address may get within a window",
  },
  "faucet-max-per-client": {
    type: "integer",
    default: 120,
    min: 1,
    max: 1_000_000,
    description: "faucet requests one client IP may send within a window",
  },
  "payload-senders-file": {
    type: "string",
    description:
      "file listing accounts (one allo1… address a line) allowed to send MsgInsertBulkWorkerPayload besides genesis payload_senders; re-read when it changes",
  },
  "payload-senders-from-head": {
    type: "boolean",
    default: false,
    description:
      "also accept MsgInsertBulkWorkerPayload from the chain account that the head at --blockless-api-url reports in /api/v1/status",
  },
  "log-level": {
    type: "string",
    default: "info",
    choices: ["trace", "debug", "info", "warn", "error", "fatal", "silent"],
    description: "log level",
  },
  ...httpLimitOptions(),
});

/** The parsed config of the chain. */
export type ChainConfig = ConfigOf<typeof chainConfigSpec>;
