#!/usr/bin/env node
import "@allora/service/polyfills";
import { readPackageVersion, runService } from "@allora/service";
import { headConfig } from "../config.js";
import { createHeadNode } from "../node.js";

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
  async start({ config, logger, version }) {
    const node = await createHeadNode(config, { logger, version });
    await node.start();
    return node;
  },
});
