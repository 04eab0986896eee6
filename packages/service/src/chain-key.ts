/**
 * The chain key of a node that signs on the chain (a head submitting rounds, a worker registering and signing
 * bundles): read from `--chain-mnemonic-file` and checked against the other chain options, so a node with
 * `--chain-rpc` but no key or no REST URL fails at start with `CONFIG_INVALID`.
 */
import { AlloraError } from "@allora/protocol";
import { readSecretFile } from "./secret-file.js";

/** The chain options of a node's config. */
export interface ChainKeyOptions {
  chainRpc?: string | undefined;
  chainRest?: string | undefined;
  chainMnemonicFile?: string | undefined;
}

/**
 * The mnemonic in `--chain-mnemonic-file` (undefined when unset). Throws `CONFIG_INVALID` when `--chain-rpc` is set
 * without the mnemonic or `--chain-rest`; `needs` says what the node uses them for, e.g. "the head needs its key to
 * submit rounds, and the chain's REST face to check registrations".
 */
export async function readChainKey(config: ChainKeyOptions, needs: string): Promise<string | undefined> {
  const mnemonic = config.chainMnemonicFile
    ? await readSecretFile(config.chainMnemonicFile, "chain mnemonic")
    : undefined;
  if (config.chainRpc && (!mnemonic || !config.chainRest)) {
    throw new AlloraError(
      "CONFIG_INVALID",
      `--chain-rpc is set but ${mnemonic ? "--chain-rest" : "--chain-mnemonic-file"} is not: ${needs}`,
    );
  }
  return mnemonic;
}
