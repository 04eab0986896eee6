#!/usr/bin/env node
import "@allora/service/polyfills";
import { runNode } from "@allora/service";
import { chainConfigSpec } from "../config.js";
import { createChainNode } from "../node.js";

await runNode({
  program: "allora-chain",
  summary: "mock Allora chain: blocks, topics and rounds, scoring and rewards, CometBFT RPC, Cosmos REST, faucet",
  binUrl: import.meta.url,
  spec: chainConfigSpec,
  examples: [
    "allora-chain --genesis genesis.json --data-dir .chain --faucet-mnemonic-file faucet.mnemonic",
    "BLOCKLESS_API_URL=http://head:6000 allora-chain --genesis genesis.json --data-dir /data",
  ],
  create: (config, { logger, version }) =>
    createChainNode(config, {
      logger,
      version,
      // The state in memory no longer matches the disk; a restart replays the log and recovers.
      onFatal: () => process.exit(1),
    }),
});
