#!/usr/bin/env node
import "@allora/service/polyfills";
import { readPackageVersion, runService } from "@allora/service";
import { headConfig } from "../config.js";
import { startHeadNode } from "../node.js";

await runService({
  program: "allora-head",
  summary: "head node: REST API, roll call and dispatch to the topic's workers, aggregation, chain submission",
  version: readPackageVersion(import.meta.url),
  spec: headConfig,
  examples: [
    "allora-head --rest-port 6000 --p2p-port 9010",
    "REST_PORT=6000 CHAIN_RPC=http://127.0.0.1:26657 CHAIN_MNEMONIC_FILE=./head.mnemonic allora-head",
  ],
  nodeName: (c) => c.name,
  logLevel: (c) => c.logLevel,
  start: ({ config, logger, version }) => startHeadNode(config, { logger, version }),
});
