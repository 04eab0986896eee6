/**
 * Constants of the local network's chain.
 */

/** Bech32 prefix of account addresses. */
export const ADDRESS_PREFIX = "allo";
/** The staking and fee denom. */
export const DENOM = "uallo";
/** Chain id of the local network. */
export const LOCALNET_CHAIN_ID = "allora-localnet-1";
/** Largest serialized message the chain accepts, in bytes (as upstream's `max_serialized_msg_length`). */
export const MAX_SERIALIZED_MSG_BYTES = 1_000_000;
