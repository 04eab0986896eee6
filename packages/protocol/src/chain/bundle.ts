/**
 * Worker bundles, signed with the chain's scheme: the signed bytes are the protobuf encoding of
 * `inference_forecasts_bundle`; the signature is secp256k1 over sha256 of those bytes, 64 bytes r||s, low-S; the
 * pubkey is the hex of the 33-byte compressed key, and its `allo` address must be the worker, the inferer and the
 * forecaster.
 */
import { Secp256k1, Secp256k1Signature, sha256 } from "@cosmjs/crypto";
import { fromHex, toHex } from "@cosmjs/encoding";
import { AlloraError } from "../errors.js";
import { addressFromPubkey, type ChainAccount } from "./account.js";
import { ADDRESS_PREFIX } from "./constants.js";
import { assertPlainDecimal } from "./decimal.js";
import { InferenceForecastBundle, WorkerDataBundle } from "./messages.js";

/** secp256k1 group order n, for the low-S rule. */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** The bytes a worker signs: the protobuf encoding of its `InferenceForecastBundle`. */
export function makeBundleSignBytes(bundle: InferenceForecastBundle): Uint8Array {
  return InferenceForecastBundle.encode(bundle).finish();
}

/** What a worker reports for one round. */
export interface WorkerInferenceInput {
  topicId: bigint;
  blockHeight: bigint;
  /** Plain decimal string. */
  value: string;
}

/**
 * Builds and signs a worker's `WorkerDataBundle` for one round (an inference, no forecast).
 *
 * @example
 * ```ts
 * const account = await deriveChainAccount(mnemonic)
 * const bundle = await signWorkerBundle(account, { topicId: 1n, blockHeight: 120n, value: "2946.45" })
 * verifyWorkerBundle(bundle) // ok
 * ```
 */
export async function signWorkerBundle(account: ChainAccount, input: WorkerInferenceInput): Promise<WorkerDataBundle> {
  assertPlainDecimal(input.value, "inference value");
  const inner = InferenceForecastBundle.fromPartial({
    inference: {
      topicId: input.topicId,
      blockHeight: input.blockHeight,
      inferer: account.address,
      value: input.value,
    },
  });
  const digest = sha256(makeBundleSignBytes(inner));
  const signature = await Secp256k1.createSignature(digest, account.privkey);
  const rs = new Uint8Array([...signature.r(32), ...signature.s(32)]);
  return WorkerDataBundle.fromPartial({
    worker: account.address,
    inferenceForecastsBundle: inner,
    inferencesForecastsBundleSignature: rs,
    pubkey: toHex(account.pubkey),
    nonce: { blockHeight: input.blockHeight },
    topicId: input.topicId,
  });
}

function bigFromBytes(bytes: Uint8Array): bigint {
  return BigInt(`0x${toHex(bytes) || "0"}`);
}

/** The bundle's pubkey as bytes: a 33-byte compressed secp256k1 key, or `BUNDLE_PUBKEY_INVALID`. */
function bundlePubkey(hex: string): Uint8Array {
  let pubkey: Uint8Array;
  try {
    pubkey = fromHex(hex);
  } catch (cause) {
    throw new AlloraError("BUNDLE_PUBKEY_INVALID", "bundle pubkey is not hex", { cause });
  }
  if (pubkey.length !== 33 || (pubkey[0] !== 2 && pubkey[0] !== 3)) {
    throw new AlloraError(
      "BUNDLE_PUBKEY_INVALID",
      `bundle pubkey must be a 33-byte compressed key, got ${pubkey.length} bytes`,
    );
  }
  return pubkey;
}

/** The inference and the forecast are the bundle's own: same worker, topic and round. */
function assertBundleFields(bundle: WorkerDataBundle, inner: InferenceForecastBundle, address: string): void {
  if (bundle.worker !== address) {
    throw new AlloraError(
      "BUNDLE_ADDRESS_MISMATCH",
      `bundle worker ${bundle.worker} is not the pubkey's address ${address}`,
    );
  }
  if (inner.inference) {
    if (inner.inference.inferer !== address) {
      throw new AlloraError(
        "BUNDLE_ADDRESS_MISMATCH",
        `inferer ${inner.inference.inferer} is not the pubkey's address ${address}`,
      );
    }
    if (inner.inference.topicId !== bundle.topicId) {
      throw new AlloraError("BUNDLE_FIELD_MISMATCH", "inference topic differs from the bundle's topic");
    }
    if (inner.inference.blockHeight !== bundle.nonce?.blockHeight) {
      throw new AlloraError("BUNDLE_FIELD_MISMATCH", "inference block height differs from the bundle's nonce");
    }
    assertPlainDecimal(inner.inference.value, "inference value");
  }
  if (inner.forecast && inner.forecast.forecaster !== address) {
    throw new AlloraError(
      "BUNDLE_ADDRESS_MISMATCH",
      `forecaster ${inner.forecast.forecaster} is not the pubkey's address ${address}`,
    );
  }
}

/** A 64-byte low-S r||s signature of the bundle's sign bytes by `pubkey`. */
async function assertBundleSignature(
  sig: Uint8Array,
  inner: InferenceForecastBundle,
  pubkey: Uint8Array,
): Promise<void> {
  if (sig.length !== 64) {
    throw new AlloraError("BUNDLE_SIGNATURE_INVALID", `signature must be 64 bytes r||s, got ${sig.length}`);
  }
  if (bigFromBytes(sig.subarray(32)) > SECP256K1_N / 2n) {
    throw new AlloraError("BUNDLE_SIGNATURE_INVALID", "signature is not low-S");
  }
  const ok = await Secp256k1.verifySignature(
    Secp256k1Signature.fromFixedLength(sig),
    sha256(makeBundleSignBytes(inner)),
    pubkey,
  );
  if (!ok) throw new AlloraError("BUNDLE_SIGNATURE_INVALID", "bundle signature does not verify against its pubkey");
}

/**
 * Verifies a bundle as the chain does and throws an {@link AlloraError} naming the first failure:
 * `BUNDLE_EMPTY`, `BUNDLE_PUBKEY_INVALID`, `BUNDLE_ADDRESS_MISMATCH`, `BUNDLE_FIELD_MISMATCH`, `DECIMAL_INVALID` or
 * `BUNDLE_SIGNATURE_INVALID`.
 */
export async function verifyWorkerBundle(bundle: WorkerDataBundle, prefix: string = ADDRESS_PREFIX): Promise<void> {
  const inner = bundle.inferenceForecastsBundle;
  if (!inner || (!inner.inference && !inner.forecast)) {
    throw new AlloraError("BUNDLE_EMPTY", "bundle carries neither an inference nor a forecast");
  }
  if (!bundle.nonce || bundle.nonce.blockHeight <= 0n) {
    throw new AlloraError("BUNDLE_FIELD_MISMATCH", "bundle has no nonce (the block height of the round it answers)");
  }
  const pubkey = bundlePubkey(bundle.pubkey);
  assertBundleFields(bundle, inner, addressFromPubkey(pubkey, prefix));
  await assertBundleSignature(bundle.inferencesForecastsBundleSignature, inner, pubkey);
}
