/**
 * What a node that signs transactions needs to know about the chain and its own account, read the same way from
 * every node's config (`--chain-rpc`, `--chain-rest`, `--chain-id`, `--chain-mnemonic-file`, `--chain-gas-price`,
 * `--faucet-url`): the flags themselves ({@link chainAccountFlags}) and the options read from them.
 */
import { checkHttpUrl } from "@allora/protocol";
import { defineConfig } from "./config.js";

/** What one node uses each chain flag for, as its `--help` says it. */
export interface ChainAccountFlagUses {
  /** `--chain-rpc`: what is said of it after the URL, e.g. `unset: no chain`. */
  rpc: string;
  /** `--chain-rest`: what the node queries through it. */
  rest: string;
  /** `--chain-mnemonic-file`: whose mnemonic, and what it signs. */
  mnemonic: string;
  /** `--faucet-url`: when the node asks the faucet. */
  faucet: string;
}

/**
 * The chain flags of a node that signs transactions; spread into its `defineConfig({...})` and read back with
 * {@link chainAccountOptionsOf}.
 */
export function chainAccountFlags(uses: ChainAccountFlagUses) {
  return defineConfig({
    "chain-rpc": { type: "string", description: `CometBFT RPC URL of the chain (${uses.rpc})`, check: checkHttpUrl },
    "chain-rest": { type: "string", description: `Cosmos REST URL of the chain (${uses.rest})`, check: checkHttpUrl },
    "chain-id": { type: "string", default: "allora-localnet-1", description: "chain id transactions are signed for" },
    "chain-mnemonic-file": {
      type: "string",
      description: `file (mode 0600) holding the ${uses.mnemonic}`,
      secret: true,
    },
    "chain-gas-price": { type: "string", default: "0.1uallo", description: "gas price for transactions" },
    "faucet-url": {
      type: "string",
      description: `dev faucet URL (POST {address}) used when ${uses.faucet}`,
      check: checkHttpUrl,
    },
  });
}

/** A node's chain endpoints and signing account. */
export interface ChainAccountOptions {
  /** CometBFT RPC URL transactions go to. */
  rpc: string;
  /** Cosmos REST URL for queries (registrations, balances), when the node has one. */
  rest: string | undefined;
  chainId: string;
  /** The account's mnemonic. */
  mnemonic: string;
  /** Gas price for fees, e.g. `0.1uallo`. */
  gasPrice: string;
  /** The dev faucet, asked for fee funds when the account cannot pay. */
  faucetUrl: string | undefined;
}

/** The chain options of a node's config. */
export interface ChainAccountConfig {
  readonly chainRpc: string;
  readonly chainRest: string | undefined;
  readonly chainId: string;
  readonly chainGasPrice: string;
  readonly faucetUrl: string | undefined;
}

/** The {@link ChainAccountOptions} of a node's config and its mnemonic. */
export function chainAccountOptionsOf(config: ChainAccountConfig, mnemonic: string): ChainAccountOptions {
  return {
    rpc: config.chainRpc,
    rest: config.chainRest,
    chainId: config.chainId,
    mnemonic,
    gasPrice: config.chainGasPrice,
    faucetUrl: config.faucetUrl,
  };
}
