/**
 * Transactions: build and sign a `TxRaw` (SIGN_MODE_DIRECT), and verify one from its bytes alone, as the chain does.
 */
import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { Secp256k1, Secp256k1Signature, sha256 } from "@cosmjs/crypto";
import {
  decodePubkey,
  decodeTxRaw,
  type EncodeObject,
  encodePubkey,
  makeAuthInfoBytes,
  makeSignBytes,
  makeSignDoc,
  type Registry,
} from "@cosmjs/proto-signing";
import type { Coin } from "cosmjs-types/cosmos/base/v1beta1/coin";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { AlloraError } from "../errors.js";
import { addressFromPubkey, type ChainAccount } from "./account.js";
import { ADDRESS_PREFIX } from "./constants.js";

/** Half the secp256k1 group order: signatures with a larger S are refused. */
const SECP256K1_HALF_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n / 2n;

/** What {@link makeSignedTx} needs. */
export interface SignedTxInput {
  registry: Registry;
  account: ChainAccount;
  messages: readonly EncodeObject[];
  chainId: string;
  accountNumber: bigint | number;
  sequence: bigint | number;
  fee: { amount: readonly Coin[]; gas: bigint | number };
  memo?: string;
  timeoutHeight?: bigint;
}

/**
 * Builds and signs a transaction with SIGN_MODE_DIRECT and returns the `TxRaw` bytes ready to broadcast.
 *
 * @example
 * ```ts
 * const bytes = await makeSignedTx({ registry, account, messages: [msg], chainId: "allora-localnet-1",
 *   accountNumber: 3, sequence: 0, fee: { amount: [{ denom: "uallo", amount: "2000" }], gas: 200000 } })
 * ```
 */
export async function makeSignedTx(input: SignedTxInput): Promise<Uint8Array> {
  const bodyBytes = input.registry.encodeTxBody({
    messages: [...input.messages],
    memo: input.memo ?? "",
    ...(input.timeoutHeight === undefined ? {} : { timeoutHeight: input.timeoutHeight }),
  });
  const pubkey = encodePubkey(encodeSecp256k1Pubkey(input.account.pubkey));
  const authInfoBytes = makeAuthInfoBytes(
    [{ pubkey, sequence: BigInt(input.sequence) }],
    [...input.fee.amount],
    Number(input.fee.gas),
    undefined,
    undefined,
  );
  const signDoc = makeSignDoc(bodyBytes, authInfoBytes, input.chainId, Number(input.accountNumber));
  const signature = await Secp256k1.createSignature(sha256(makeSignBytes(signDoc)), input.account.privkey);
  const rs = new Uint8Array([...signature.r(32), ...signature.s(32)]);
  return TxRaw.encode(TxRaw.fromPartial({ bodyBytes, authInfoBytes, signatures: [rs] })).finish();
}

/** A decoded transaction with its single signer. */
export interface DecodedTx {
  /** Signer address derived from the pubkey in `AuthInfo`. */
  signer: string;
  /** Signer's 33-byte compressed pubkey. */
  pubkey: Uint8Array;
  /** Sequence the signer claims. */
  sequence: bigint;
  /** Sign mode the signer declares (simulation transactions declare none). */
  signMode: SignMode;
  messages: Any[];
  memo: string;
  timeoutHeight: bigint;
  fee: { amount: Coin[]; gasLimit: bigint };
  bodyBytes: Uint8Array;
  authInfoBytes: Uint8Array;
  signature: Uint8Array;
}

/**
 * Decodes `TxRaw` bytes and extracts the single secp256k1 signer. Throws `TX_DECODE_FAILED` or `TX_SIGNER_INVALID`.
 * The signature itself is checked by {@link verifyTxSignature}.
 */
export function decodeSignedTx(txBytes: Uint8Array, prefix: string = ADDRESS_PREFIX): DecodedTx {
  let decoded: ReturnType<typeof decodeTxRaw>;
  let raw: TxRaw;
  try {
    raw = TxRaw.decode(txBytes);
    decoded = decodeTxRaw(txBytes);
  } catch (cause) {
    throw new AlloraError("TX_DECODE_FAILED", "transaction bytes are not a valid TxRaw", { cause });
  }
  const signers = decoded.authInfo.signerInfos;
  if (signers.length !== 1 || decoded.signatures.length !== 1) {
    throw new AlloraError(
      "TX_SIGNER_INVALID",
      `expected exactly one signer and one signature, got ${signers.length} and ${decoded.signatures.length}`,
    );
  }
  const info = signers[0]!;
  if (!info.publicKey) throw new AlloraError("TX_SIGNER_INVALID", "signer info carries no public key");
  let pubkey: Uint8Array;
  try {
    const decodedKey = decodePubkey(info.publicKey);
    if (decodedKey.type !== "tendermint/PubKeySecp256k1") throw new Error(`unsupported key type ${decodedKey.type}`);
    pubkey = Buffer.from(decodedKey.value as string, "base64");
  } catch (cause) {
    throw new AlloraError("TX_SIGNER_INVALID", "signer public key is not secp256k1", { cause });
  }
  if (pubkey.length !== 33) throw new AlloraError("TX_SIGNER_INVALID", "signer public key is not 33 bytes compressed");
  return {
    signer: addressFromPubkey(pubkey, prefix),
    pubkey: new Uint8Array(pubkey),
    sequence: info.sequence,
    signMode: info.modeInfo?.single?.mode ?? SignMode.SIGN_MODE_UNSPECIFIED,
    messages: decoded.body.messages,
    memo: decoded.body.memo,
    timeoutHeight: decoded.body.timeoutHeight,
    fee: { amount: decoded.authInfo.fee?.amount ?? [], gasLimit: decoded.authInfo.fee?.gasLimit ?? 0n },
    bodyBytes: raw.bodyBytes,
    authInfoBytes: raw.authInfoBytes,
    signature: decoded.signatures[0]!,
  };
}

/** True when the tx's signature verifies for `chainId` and `accountNumber`. */
export async function verifyTxSignature(
  tx: DecodedTx,
  chainId: string,
  accountNumber: bigint | number,
): Promise<boolean> {
  if (tx.signature.length !== 64 || tx.signMode !== SignMode.SIGN_MODE_DIRECT) return false;
  // Like the chain: a high-S signature is malleable and refused.
  if (BigInt(`0x${Buffer.from(tx.signature.subarray(32)).toString("hex")}`) > SECP256K1_HALF_N) return false;
  const signDoc = makeSignDoc(tx.bodyBytes, tx.authInfoBytes, chainId, Number(accountNumber));
  return Secp256k1.verifySignature(
    Secp256k1Signature.fromFixedLength(tx.signature),
    sha256(makeSignBytes(signDoc)),
    tx.pubkey,
  );
}

/**
 * Decodes a `TxRaw` and verifies its signature from the bytes alone: no signer state is needed beyond the chain id
 * and the account number the chain holds for the signer. Throws `TX_DECODE_FAILED`, `TX_SIGNER_INVALID` or
 * `TX_SIGNATURE_INVALID`.
 */
export async function verifySignedTx(
  txBytes: Uint8Array,
  expected: { chainId: string; accountNumber: bigint | number; prefix?: string },
): Promise<DecodedTx> {
  const tx = decodeSignedTx(txBytes, expected.prefix);
  if (!(await verifyTxSignature(tx, expected.chainId, expected.accountNumber))) {
    throw new AlloraError(
      "TX_SIGNATURE_INVALID",
      `signature verification failed; please verify account number (${expected.accountNumber}) and chain-id (${expected.chainId})`,
      { details: { signer: tx.signer } },
    );
  }
  return tx;
}
