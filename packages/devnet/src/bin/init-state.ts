#!/usr/bin/env node
/**
 * First-start initialization inside a container (docker/entrypoint.sh runs it when INIT_DEV_STATE=true): creates
 * the node's missing chain mnemonic (CHAIN_MNEMONIC_FILE), the chain's faucet mnemonic (FAUCET_MNEMONIC_FILE) and
 * genesis (GENESIS), and reuses the ones that exist. It reads the same env vars as the node it prepares, so it
 * always writes exactly the files the node will read. Prints what it did (file paths and public addresses only).
 */
import { isAlloraError } from "@allora/protocol";
import { type DevStateFiles, initDevState } from "../container-state.js";
import { describeNetwork } from "../description.js";

async function main(): Promise<number> {
  const env = process.env;
  const files: DevStateFiles = {
    ...(env.CHAIN_MNEMONIC_FILE ? { chainMnemonicFile: env.CHAIN_MNEMONIC_FILE } : {}),
    ...(env.FAUCET_MNEMONIC_FILE ? { faucetMnemonicFile: env.FAUCET_MNEMONIC_FILE } : {}),
    ...(env.GENESIS ? { genesisFile: env.GENESIS } : {}),
  };
  try {
    // The chain's topics and market seed: the dev network's, the same the compose file was generated from.
    const report = await initDevState(files, describeNetwork());
    for (const file of report.created) {
      const address = report.addresses[file];
      process.stderr.write(`init-state: created ${file}${address ? ` (account ${address})` : ""}\n`);
    }
    for (const file of report.reused) process.stderr.write(`init-state: reusing ${file}\n`);
    return 0;
  } catch (err) {
    const text = isAlloraError(err) ? `${err.code}: ${err.message}` : String(err);
    process.stderr.write(`init-state: ${text}\n`);
    return 1;
  }
}

process.exitCode = await main();
