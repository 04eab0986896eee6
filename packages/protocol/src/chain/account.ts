/**
 * Chain accounts: mnemonics, key derivation (Cosmos HD path m/44'/118'/0'/0/0) and `allo` addresses.
 */
import { pubkeyToAddress as aminoPubkeyToAddress, encodeSecp256k1Pubkey, makeCosmoshubPath } from "@cosmjs/amino";
import { Bip39, EnglishMnemonic, Random, Secp256k1, Slip10, Slip10Curve } from "@cosmjs/crypto";
import { AlloraError } from "../errors.js";
import { ADDRESS_PREFIX } from "./constants.js";

/** A chain account derived from a mnemonic. The private key never leaves the process that derived it. */
export interface ChainAccount {
  /** Bech32 address, `allo1…`. */
  address: string;
  /** 33-byte compressed secp256k1 public key. */
  pubkey: Uint8Array;
  /** 32-byte secp256k1 private key. */
  privkey: Uint8Array;
}

/** A fresh 24-word BIP39 English mnemonic. */
export function generateMnemonic(): string {
  return Bip39.encode(Random.getBytes(32)).toString();
}

/** The `allo` address of a 33-byte compressed secp256k1 public key. */
export function addressFromPubkey(pubkey: Uint8Array, prefix: string = ADDRESS_PREFIX): string {
  return aminoPubkeyToAddress(encodeSecp256k1Pubkey(pubkey), prefix);
}

/**
 * Derives the chain account of a mnemonic at the Cosmos path m/44'/118'/0'/0/`index` (the path cosmjs wallets use).
 *
 * @example
 * ```ts
 * const { address } = await deriveChainAccount(mnemonic)  // "allo1…"
 * ```
 */
export async function deriveChainAccount(
  mnemonic: string,
  options: { prefix?: string; index?: number } = {},
): Promise<ChainAccount> {
  let phrase: EnglishMnemonic;
  try {
    phrase = new EnglishMnemonic(mnemonic.trim().split(/\s+/).join(" "));
  } catch (cause) {
    throw new AlloraError("MNEMONIC_INVALID", "the mnemonic is not a valid BIP39 English phrase", { cause });
  }
  const seed = await Bip39.mnemonicToSeed(phrase);
  const { privkey } = Slip10.derivePath(Slip10Curve.Secp256k1, seed, makeCosmoshubPath(options.index ?? 0));
  const keypair = await Secp256k1.makeKeypair(privkey);
  const pubkey = Secp256k1.compressPubkey(keypair.pubkey);
  return { address: addressFromPubkey(pubkey, options.prefix), pubkey, privkey };
}
