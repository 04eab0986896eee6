#!/usr/bin/env node
import "@allora/service/polyfills";
import { runNode } from "@allora/service";
import { headConfig } from "../config.js";
import { createHeadNode } from "../node.js";

await runNode({
  program: "allora-head",
  summary: "head node: REST API, roll call and dispatch to the topic's workers, aggregation, chain submission",
  binUrl: import.meta.url,
  spec: headConfig,
  examples: [
    "allora-head --rest-port 6000 --p2p-port 9010",
    "REST_PORT=6000 CHAIN_RPC=http://127.0.0.1:26657 CHAIN_MNEMONIC_FILE=./head.mnemonic allora-head",
  ],
  create: (config, deps) => createHeadNode(config, deps),
});
