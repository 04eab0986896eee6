/**
 * What a node that signs transactions needs to know about the chain and its own account, read the same way from
 * every node's config (`--chain-rpc`, `--chain-rest`, `--chain-id`, `--chain-gas-price`, `--faucet-url`).
 */

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
