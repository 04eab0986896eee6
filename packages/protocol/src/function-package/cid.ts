/**
 * Content addresses of function packages: CIDv1, raw codec (0x55), sha256 of the package bytes.
 */
import { createHash } from "node:crypto";
import { CID } from "multiformats/cid";
import * as Digest from "multiformats/hashes/digest";
import { AlloraError } from "../errors.js";

/** Multicodec code of raw bytes. */
export const RAW_CODEC = 0x55;
/** Multihash code of sha2-256. */
export const SHA256_CODE = 0x12;

/**
 * The CID (base32 string, `bafkrei…`) of package bytes.
 *
 * @example
 * ```ts
 * computeCid(new TextEncoder().encode("hello world"))
 * // "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"
 * ```
 */
export function computeCid(bytes: Uint8Array): string {
  const digest = createHash("sha256").update(bytes).digest();
  return CID.createV1(RAW_CODEC, Digest.create(SHA256_CODE, new Uint8Array(digest))).toString();
}

/** Parses a CID string, or throws `FUNCTION_CID_INVALID`. */
export function parseCid(cid: string): CID {
  try {
    return CID.parse(cid);
  } catch (cause) {
    throw new AlloraError("FUNCTION_CID_INVALID", `"${cid}" is not a CID`, { cause, details: { cid } });
  }
}

/** True when `cid` is a CIDv1 with the raw codec and sha256: the kind bytes can be verified against. */
export function isVerifiableCid(cid: string): boolean {
  try {
    const parsed = CID.parse(cid);
    return parsed.version === 1 && parsed.code === RAW_CODEC && parsed.multihash.code === SHA256_CODE;
  } catch {
    return false;
  }
}

/**
 * Throws unless `bytes` hash to `cid`: `FUNCTION_CID_INVALID` (not a CID), `FUNCTION_CID_UNSUPPORTED` (not CIDv1 raw
 * sha256) or `FUNCTION_CID_MISMATCH` (different bytes).
 */
export function verifyCid(cid: string, bytes: Uint8Array): void {
  const parsed = parseCid(cid);
  if (parsed.version !== 1 || parsed.code !== RAW_CODEC || parsed.multihash.code !== SHA256_CODE) {
    throw new AlloraError(
      "FUNCTION_CID_UNSUPPORTED",
      `CID ${cid} is not CIDv1/raw/sha256, so package bytes cannot be verified against it; configure an alias to a package CID`,
      { details: { cid, version: parsed.version, codec: parsed.code, hash: parsed.multihash.code } },
    );
  }
  const actual = computeCid(bytes);
  if (actual !== parsed.toString()) {
    throw new AlloraError(
      "FUNCTION_CID_MISMATCH",
      `package bytes hash to ${actual}, not ${cid}; refusing to use them`,
      {
        details: { expected: cid, actual },
      },
    );
  }
}
