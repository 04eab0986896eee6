#!/usr/bin/env node
import "@allora/service/polyfills";
import { readPackageVersion, runService } from "@allora/service";
import { chainConfigSpec } from "../config.js";
import { createChainNode } from "../node.js";

const version = readPackageVersion(import.meta.url);

await runService({
  program: "allora-chain",
  summary: "mock Allora chain: blocks, topics and rounds, scoring and rewards, CometBFT RPC, Cosmos REST, faucet",
  version,
  spec: chainConfigSpec,
  examples: [
    "allora-chain --genesis genesis.json --data-dir .chain --faucet-mnemonic-file faucet.mnemonic",
    "BLOCKLESS_API_URL=http://head:6000 allora-chain --genesis genesis.json --data-dir /data",
  ],
  nodeName: (config) => config.name,
  logLevel: (config) => config.logLevel,
  async start({ config, logger }) {
    const node = await createChainNode(config, {
      logger,
      version,
      onFatal: () => {
        // The state in memory no longer matches the disk; a restart replays the log and recovers.
        process.exit(1);
      },
    });
    await node.start();
    return node;
  },
});
