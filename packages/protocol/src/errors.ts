/**
 * Error codes of the whole network, by domain. Every failure a node reports carries one of these codes, so
 * callers can branch on it and people can look it up in `docs/ERRORS.md`.
 *
 * @packageDocumentation
 */

/** Codes raised while encoding or decoding p2p messages. */
export const P2pErrorCodes = {
  P2P_MESSAGE_TOO_LARGE: "A p2p message is larger than the limit for its protocol.",
  P2P_MESSAGE_MALFORMED: "A p2p message is not valid UTF-8 JSON.",
  P2P_MESSAGE_UNKNOWN_TYPE: "A p2p message has a missing or unknown `type`.",
  P2P_MESSAGE_INVALID: "A p2p message does not match the schema of its type.",
} as const;

/** Codes raised by function packages: packing, CIDs, verification, unpacking. */
export const FunctionPackageErrorCodes = {
  FUNCTION_CID_INVALID: "A function id is not a parseable CID.",
  FUNCTION_CID_UNSUPPORTED:
    "A CID is not CIDv1 with the raw codec and sha256, so package bytes cannot be checked against it.",
  FUNCTION_CID_MISMATCH: "Package bytes do not hash to the CID they were fetched for.",
  FUNCTION_PACKAGE_INVALID: "A function package is not a well-formed archive or its manifest is invalid.",
  FUNCTION_PACKAGE_UNSAFE:
    "A function package contains an entry that could escape its folder (absolute path, `..`, link, device).",
  FUNCTION_PACKAGE_TOO_LARGE: "A function package exceeds a size or entry-count cap.",
  FUNCTION_PACKAGE_PATH_CONFLICT: "A function package names one path as both a file and a folder.",
} as const;

/** Codes raised by chain message handling on the client side: bundles, transactions, keys. */
export const ChainErrorCodes = {
  BUNDLE_PUBKEY_INVALID: "A worker bundle's pubkey is not the hex of a 33-byte compressed secp256k1 key.",
  BUNDLE_SIGNATURE_INVALID: "A worker bundle's signature does not verify against its pubkey.",
  BUNDLE_ADDRESS_MISMATCH: "A worker bundle's worker, inferer or forecaster is not the address of its pubkey.",
  BUNDLE_EMPTY: "A worker bundle carries neither an inference nor a forecast.",
  BUNDLE_FIELD_MISMATCH: "A worker bundle's topic or nonce disagrees with its inference or forecast.",
  TX_DECODE_FAILED: "Transaction bytes are not a valid TxRaw with body and auth info.",
  TX_SIGNER_INVALID: "A transaction does not carry exactly one secp256k1 signer.",
  TX_SIGNATURE_INVALID: "A transaction signature does not verify for the chain id and account number.",
  MNEMONIC_INVALID: "A mnemonic is not a valid BIP39 English phrase.",
  DECIMAL_INVALID: "A value is not a plain decimal string.",
} as const;

/** Codes raised when reading or writing libp2p key folders. */
export const KeyErrorCodes = {
  KEY_FOLDER_MISSING: "A key folder or its `priv.bin` does not exist.",
  KEY_FILE_INVALID: "A key file cannot be parsed as a libp2p Ed25519 private key.",
  KEY_IDENTITY_MISMATCH: "The `identity` file names a different peer id than `priv.bin` derives.",
} as const;

/** Codes returned by the head's REST API in `{code, message}` error bodies. */
export const RestErrorCodes = {
  REQUEST_INVALID: "The request body does not match the route's schema; `message` names the field.",
  REQUEST_MALFORMED_JSON: "The request body is not valid JSON.",
  REQUEST_TOO_LARGE: "The request body exceeds the size limit.",
  REQUEST_UNSUPPORTED_MEDIA_TYPE: "The request body is not `application/json`.",
  REQUEST_NOT_FOUND: "No result is known for that request id (never seen, or expired).",
  ROUTE_NOT_FOUND: "No such route.",
  TOPIC_INVALID: "A topic is not a positive integer topic id.",
  TOPIC_REPUTER_UNSUPPORTED: "Reputer topics (`N/reputer`) are not supported by this network.",
  ENV_VAR_RESERVED: "An env var name is reserved for the runtime and cannot be set by a request.",
  FUNCTION_UNKNOWN: "A function id is neither a known alias nor a CID this network can resolve.",
  FUNCTION_METHOD_UNKNOWN: "The request names a method the function package does not declare in its manifest.",
  INSTALL_CID_REQUIRED: "An install by `uri` needs a `cid` too, so workers can verify what they download.",
  INSTALL_URI_NOT_ALLOWED:
    "The head installs from a `uri` only under the URL prefixes its operator allows (`--allow-install-from`).",
  FUNCTION_NOT_SERVED:
    "The head neither serves nor installed this function, so it asks no worker to run it; install it first.",
  INTERNAL: "An unexpected failure inside the node; the log has the details.",
  HTTP_UNREACHABLE: "An HTTP endpoint could not be reached (connection refused, DNS, reset).",
  HTTP_TIMEOUT: "An HTTP endpoint did not answer in time.",
  HTTP_ABORTED: "An HTTP call was abandoned, usually because the caller is shutting down.",
} as const;

/** Every error code of the network, with a one-line meaning. */
export const ErrorCatalogue = {
  ...P2pErrorCodes,
  ...FunctionPackageErrorCodes,
  ...ChainErrorCodes,
  ...KeyErrorCodes,
  ...RestErrorCodes,
} as const;

/** One error code of the network. Apps may add their own codes; those of the library are listed here. */
export type ErrorCode = keyof typeof ErrorCatalogue;

/** Options for {@link AlloraError}. */
export interface AlloraErrorOptions {
  /** The failure that led to this one. */
  cause?: unknown;
  /** Structured facts about the failure (field names, limits, peer ids); safe to log and return to callers. */
  details?: Record<string, unknown>;
}

/**
 * The base error of the network: a stable string `code` for programs, a `message` for people, optional
 * `details`, and the original `cause`.
 *
 * @example
 * ```ts
 * try { decodeP2pMessage(bytes) } catch (err) {
 *   if (isAlloraError(err) && err.code === "P2P_MESSAGE_TOO_LARGE") dropPeer()
 * }
 * ```
 */
export class AlloraError<C extends string = string> extends Error {
  override readonly name: string = "AlloraError";
  /** Stable, upper snake case code. */
  readonly code: C;
  /** Structured facts about the failure. */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: C, message: string, options: AlloraErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  /** The shape returned to API callers: `{code, message, details?}`. */
  toJSON(): { code: C; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/** True when `value` is an {@link AlloraError}, optionally with the given code. */
export function isAlloraError<C extends string>(value: unknown, code?: C): value is AlloraError<C> {
  return value instanceof AlloraError && (code === undefined || value.code === code);
}

/** The message of any thrown value, for logs and error bodies. */
export function errorMessage(value: unknown): string {
  if (value instanceof Error) return value.message;
  return String(value);
}
