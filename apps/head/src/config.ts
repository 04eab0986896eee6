/**
 * Every option of the head. Flags and env vars share names (`--rest-port` = `REST_PORT`).
 */
import { checkHttpUrl, checkPeerId } from "@allora/protocol";
import { type ConfigOf, chainAccountFlags, defineConfig, httpLimitOptions, nodeOptions } from "@allora/service";

export const headConfig = defineConfig({
  ...nodeOptions("head"),
  "data-dir": { type: "string", default: "./data", description: "folder for keys (unless --key-dir)" },
  "key-dir": {
    type: "string",
    description: "libp2p key folder in allora-keys format (default <data-dir>/keys; created if missing)",
  },
  "rest-host": { type: "string", default: "0.0.0.0", description: "address the REST API listens on" },
  "rest-port": { type: "integer", default: 6000, min: 0, max: 65535, description: "REST API port" },
  "p2p-host": { type: "string", default: "0.0.0.0", description: "address the libp2p host listens on" },
  "p2p-port": { type: "integer", default: 9010, min: 0, max: 65535, description: "libp2p TCP port" },
  announce: { type: "list", default: [], description: "multiaddrs to advertise instead of the listen address" },
  "roll-call-timeout": {
    type: "number",
    default: 5,
    min: 0.05,
    max: 300,
    description: "roll-call window in seconds when a request sets no config.timeout",
  },
  "execution-grace": {
    type: "number",
    default: 2,
    min: 0,
    max: 60,
    description: "seconds the head waits beyond a worker's function timeout",
  },
  "max-execution-time": {
    type: "number",
    default: 60,
    min: 0.1,
    max: 600,
    description:
      "longest a worker may run a function, in seconds, whatever timeout it announces (the head then waits --execution-grace more)",
  },
  "allow-install-from": {
    type: "list",
    default: [],
    description:
      "URL prefixes POST /api/v1/functions/install may name as a package's uri (none: installs by uri are refused)",
    check: checkHttpUrl,
  },
  "trusted-workers": {
    type: "list",
    default: [],
    description: "peer ids of the only workers this head accepts sessions from (none: any worker may join)",
    check: checkPeerId,
  },
  "max-body-bytes": {
    type: "integer",
    default: 1_048_576,
    min: 1024,
    max: 16_777_216,
    description: "largest accepted request body",
  },
  "result-cache-size": {
    type: "integer",
    default: 1000,
    min: 1,
    max: 1_000_000,
    description: "execute responses kept for /functions/requests/result",
  },
  "functions-dir": {
    type: "string",
    description: "extra function packages (*.tar) to serve to workers, beside the built-in ones",
  },
  "function-aliases": {
    type: "list",
    check: (v) => (/^[^=\s]+=[^=\s]+$/.test(v) ? undefined : `alias "${v}" is not of the form <alias>=<cid>`),
    description: "alias=cid pairs; default maps the guide's function CID to this network's runner package",
  },
  ...chainAccountFlags({
    rpc: "unset: results are not submitted",
    rest: "registration checks",
    mnemonic: "head's chain mnemonic; signs MsgInsertBulkWorkerPayload",
    faucet: "the head cannot pay fees",
  }),
  "max-rest-executes": {
    type: "integer",
    default: 16,
    min: 1,
    max: 10_000,
    description: "hand-sent execute requests run at once (the chain's rounds are not counted)",
  },
  "max-rest-queued": {
    type: "integer",
    default: 64,
    min: 0,
    max: 100_000,
    description: "hand-sent execute requests waiting for a turn; more are refused with HEAD_BUSY",
  },
  "max-rest-per-client": {
    type: "integer",
    default: 32,
    min: 1,
    max: 100_000,
    description: "hand-sent execute requests one client address may have running or waiting; more get CLIENT_BUSY",
  },
  "max-rest-wait": {
    type: "number",
    default: 10,
    min: 0.1,
    max: 600,
    description: "seconds a hand-sent execute request waits for a turn before HEAD_BUSY",
  },
  "chain-max-submissions": {
    type: "integer",
    default: 8,
    min: 1,
    max: 256,
    description: "rounds submitted to the chain at once, each with its own sequence",
  },
  "chain-max-queued": {
    type: "integer",
    default: 256,
    min: 1,
    max: 100_000,
    description: "rounds waiting to be submitted; past it the oldest waiting round is dropped",
  },
  "chain-rebroadcast-ms": {
    type: "integer",
    default: 2000,
    min: 100,
    max: 60_000,
    description: "how often a pending round tx's same signed bytes are broadcast again",
  },
  "chain-submit-deadline": {
    type: "integer",
    default: 120,
    min: 5,
    max: 3600,
    description: "seconds the head keeps trying to land one round",
  },
  ...httpLimitOptions(),
});

/** The head's config, as parsed from flags and env. */
export type HeadConfig = ConfigOf<typeof headConfig>;
