/**
 * Addresses: checking `allo1…` strings and deriving module account addresses the way the Cosmos SDK does
 * (the first 20 bytes of sha256 of the module name).
 */

import { ADDRESS_PREFIX, decodeBech32, encodeBech32 } from "@allora/protocol";
import { sha256 } from "@cosmjs/crypto";

/** Longest bech32 string accepted. */
const BECH32_LIMIT = 100;

/** True when `value` is a bech32 account address with the chain's prefix (20- or 32-byte payload). */
export function isAccountAddress(value: string, prefix: string = ADDRESS_PREFIX): boolean {
  if (value.length > BECH32_LIMIT || value !== value.toLowerCase()) return false;
  try {
    const { prefix: got, data } = decodeBech32(value, { limit: BECH32_LIMIT });
    return got === prefix && (data.length === 20 || data.length === 32);
  } catch {
    return false;
  }
}

/** The address of a module account, e.g. `fee_collector`. */
function moduleAddress(name: string, prefix: string = ADDRESS_PREFIX): string {
  return encodeBech32(prefix, sha256(new TextEncoder().encode(name)).slice(0, 20));
}

/** Module accounts of the chain: where fees, registration fees and round rewards go through. */
export const MODULE_ACCOUNTS = {
  /** Receives tx fees. */
  feeCollector: moduleAddress("fee_collector"),
  /** Receives registration fees (upstream sends them to the ecosystem account as topic revenue). */
  ecosystem: moduleAddress("ecosystem"),
  /** Each scored round mints its reward pot here and pays the workers from it; rounding dust stays here. */
  rewards: moduleAddress("allorarewards"),
} as const;
