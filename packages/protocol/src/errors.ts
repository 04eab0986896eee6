/**
 * Error codes of the whole network, by domain. Every failure a node reports carries one of these codes, so
 * callers can branch on it and people can look it up in `docs/ERRORS.md`.
 *
 * @packageDocumentation
 */
import { CHAIN_ERRORS, type ChainErrorCode } from "./chain/chain-error-table.js";

/** Codes raised while encoding or decoding p2p messages. */
export const P2pErrorCodes = {
  P2P_MESSAGE_TOO_LARGE: "A p2p message is larger than the limit for its protocol.",
  P2P_MESSAGE_MALFORMED: "A p2p message is not valid UTF-8 JSON.",
  P2P_MESSAGE_UNKNOWN_TYPE: "A p2p message has a missing or unknown `type`.",
  P2P_MESSAGE_INVALID: "A p2p message does not match the schema of its type.",
  P2P_CHANNEL_CLOSED: "Sending on a session that has ended.",
  P2P_CHANNEL_RESET: "A session stream was reset.",
  P2P_STREAM_ENDED: "A package fetch stream ended early.",
  P2P_STREAM_TIMEOUT: "A package fetch stream got no answer in time.",
  SESSION_OPEN_FAILED: "A worker could not open a session with a head.",
  ROLL_CALL_REPLY_FAILED: "A worker could not answer a roll call (no session with that head).",
  BOOT_NODE_INVALID: "A boot node is not a multiaddr with a host and `/tcp/<port>`.",
  BOOT_NODE_UNREACHABLE: "Dialing a boot node failed; it is retried with backoff.",
  BOOT_NODE_DISCONNECTED: "A boot node connection dropped; it is redialed at once.",
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
  FUNCTION_FETCH_FAILED: "Fetching a function package from a head failed (not served, stream failed or timed out).",
  FUNCTION_INSTALL_FAILED: "No source could provide verified bytes of a function package.",
  PROTO_DECODE_FAILED: "Bytes are not a valid protobuf encoding of the expected message.",
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
  ADDRESS_INVALID: "A value is not a bech32 address with the expected prefix.",
  BUNDLE_REFUSED: "The chain or a worker refused one bundle; it was dropped.",
  BUNDLE_ALREADY_SIGNED: "The worker already signed its inference for this topic and nonce.",
  BUNDLE_SIGN_FAILED: "Signing a worker bundle failed.",
  WORKER_NOT_REGISTERED: "A bundle's worker is not registered on the topic.",
  CHAIN_UNREACHABLE: "The chain did not answer.",
  CHAIN_RESPONSE_INVALID: "The chain answered with a body that does not match the schema of the route.",
  CHAIN_TX_TIMEOUT: "A broadcast transaction was not committed in time.",
  CHAIN_SUBMIT_FAILED: "A round submission failed or gave up.",
  CHAIN_SUBMIT_QUEUE_FULL: "More rounds waited for the chain than the head queues; the oldest waiting one was dropped.",
  CHAIN_ACCOUNT_UNFUNDED: "The node's chain account does not exist yet (it was never funded).",
  CHAIN_DISABLED: "The worker has no chain account, so it signs no bundle.",
  REGISTRATION_REJECTED: "The chain rejected a worker's MsgRegister.",
  REGISTRATION_UNFUNDED: "The balance cannot pay the registration fee and there is no faucet.",
  INFERENCE_OUTPUT_INVALID: 'A run\'s last stdout line is not `{"infererValue": "<decimal>"}`.',
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
  HTTP_URL_INVALID: "A URL given to the HTTP client is not an http:// or https:// URL.",
  HTTP_REQUEST_INVALID: "A request given to the HTTP client cannot be sent (bad method or header value).",
  HTTP_RESPONSE_TOO_LARGE: "An HTTP answer is larger than the client's limit.",
  HEAD_BUSY: "The head's lane for hand-sent requests is full, or a request waited there too long.",
  CLIENT_BUSY: "This client address already has its share of hand-sent requests running or waiting at the head.",
  HTTP_TOO_MANY_CONNECTIONS: "The server, or this client address, holds as many connections as its limit allows.",
  HEAD_RESPONSE_INVALID: "The head answered with a body that does not match the schema of the route.",
} as const;

/** Codes of a node's configuration, secrets, state and lifecycle. */
export const NodeErrorCodes = {
  CONFIG_INVALID: "A flag, env var or config file is wrong; every problem is listed.",
  SECRET_FILE_MISSING: "A secret (mnemonic) file does not exist.",
  SECRET_FILE_PERMISSIONS: "A secret file is readable by others.",
  SECRET_FILE_EMPTY: "A secret file is empty.",
  SANDBOX_LAYER_UNAVAILABLE: "A layer of the function sandbox is not available on this host.",
  SANDBOX_LAYER_DISABLED: "A layer of the function sandbox is turned off by configuration.",
  LAUNCHER_FAILED: "The function launcher could not start or was not ready in time.",
  MAIN_PY_MISSING: "The worker's `--main-py` is not a file.",
  STOP_DEADLINE_EXCEEDED: "A node did not stop within its deadline.",
  RUNNER_GONE: "The runner that started the node is gone, so the node stops.",
  DATA_DIR_LOCKED: "Another live process uses the data dir.",
  GENESIS_INVALID: "A genesis file does not match its schema; every problem is listed.",
  GENESIS_MISMATCH: "The data dir holds a chain started from another genesis.",
  BLOCK_LOG_CORRUPT: "A line of the chain's block log before the last is damaged.",
  BLOCK_LOG_TORN_LINE_DROPPED: "The block log's last line was cut short and dropped.",
} as const;

/** Per-peer failures of an execution, in an execute answer's `failures` and the nodes' logs. */
export const ExecutionErrorCodes = {
  FUNCTION_TIMEOUT: "A run took longer than its timeout; its process group was killed.",
  FUNCTION_OUTPUT_TOO_LARGE: "A run's stdout or stderr went over its cap; the run was killed.",
  FUNCTION_SPAWN_FAILED: "The function's interpreter could not be started.",
  FUNCTION_SANDBOX_FAILED: "The function's sandbox could not be applied; the function was not started.",
  WORKER_BUSY: "The worker's run slots and queue are full.",
  WARM_IMPORT_FAILED:
    "An import main.py names raised in the warm process; each run imports it again and fails as a cold run would.",
  WARM_IMPORT_TIMEOUT: "The warm process was still importing main.py's modules when the request's timeout passed.",
  WARM_PROCESS_FAILED: "A warm process exited or could not start; its folder runs cold until it is replaced.",
  ROLL_CALL_DECLINED: "An execute arrived for a roll call this worker declined.",
  ROLL_CALL_UNSEEN: "An execute arrived but its roll call never reached this worker.",
  WORKER_NOT_CHOSEN: "A worker did not accept the roll call in time, so the head stops waiting for it.",
  WORKER_DISCONNECTED: "A worker's session closed before it answered.",
  WORKER_NO_ANSWER: "No answer within the worker's timeout plus the head's grace.",
  HEAD_STOPPING: "The head was stopping while it waited.",
  RESULT_UNDELIVERED: "A worker could not send a result.",
  SCRATCH_CREATE_FAILED: "A run's scratch folder could not be created.",
  SCRATCH_CLEANUP_FAILED: "A run's scratch folder could not be removed.",
} as const;

/** Refusals of the nodes' trust checks. */
export const TrustErrorCodes = {
  ROLL_CALL_UNTRUSTED: "A roll call or install from a peer that is not a trusted head.",
  ROLL_CALL_ORIGIN_MISMATCH: "A gossip message whose `origin` is not its signed author.",
  HEAD_ID_CHANGED: "The peer at a pinned boot address has another peer id.",
  HEAD_UNTRUSTED: "A session was to be opened with an untrusted peer.",
  KNOWN_HEADS_INVALID: "`known-heads.json` is not a JSON object of address to peer id.",
  NO_TRUSTED_HEAD: "No boot nodes and no trusted heads are configured.",
  FUNCTION_NOT_ALLOWED: "The function is not the topic's own and not allowed by the worker.",
  TOPIC_FUNCTION_UNKNOWN: "The worker could not read the topic's function from the chain yet.",
  TOPIC_NOT_SERVED: "A roll call for a topic the worker does not serve.",
  ROLL_CALL_RATE_LIMITED: "A head sent more roll calls than the worker's rate limit.",
  EXECUTE_MISMATCH: "An execute that is not the accepted roll call's.",
  WORKER_UNTRUSTED: "A session from a peer not in the head's trusted workers.",
  PAYLOAD_SENDERS_FILE_INVALID: "A line of the payload senders file is not an address.",
  PAYLOAD_SENDERS_FILE_MISSING: "The payload senders file is gone.",
  PAYLOAD_SENDER_HEAD_UNREACHABLE: "The chain could not read the head's status to learn its payload sender.",
} as const;

/** Codes of the sample inference server. */
export const InferenceServerErrorCodes = {
  FEED_UNCONFIGURED: "Neither a price feed URL nor a price seed is configured.",
  FEED_UNAVAILABLE: "The price feed is unreachable, answered an error, or had no history.",
  TOKEN_UNKNOWN: "The feed has no such token.",
} as const;

/** Codes of the dashboard's endpoints and panels. */
export const DashboardErrorCodes = {
  HOST_NOT_ALLOWED: "The request's `Host` is not an allowed name.",
  ORIGIN_NOT_ALLOWED: "A `POST` sent by a page of another origin.",
  RATE_LIMITED: "More requests from this address than the rate limit allows.",
  PROXY_BUSY: "Too many requests are already on their way to the head.",
  TOO_MANY_STREAMS: "Too many pages are already open.",
  HEAD_UNREACHABLE: "The head does not answer.",
  HEAD_TIMEOUT: "The head did not answer in time.",
  HEAD_FAILED: "The head answered a 5xx.",
  UPSTREAM_UNREACHABLE: "A node the dashboard watches does not answer.",
  UPSTREAM_TIMEOUT: "A node the dashboard watches did not answer in time.",
  UPSTREAM_STATUS: "A node the dashboard watches answered an error.",
  UPSTREAM_INVALID: "A node the dashboard watches answered JSON of an unexpected shape.",
  PAGE_NOT_BUILT: "The dashboard's page is not built.",
} as const;

/** Codes of the dev and container tooling. */
export const DevnetErrorCodes = {
  CONTAINER_ARG_INVALID: "A node flag is not `--name=value`, so it has no env var form for a container.",
  CONTAINER_ARG_REPEATED: "A flag appears twice for a container.",
  INIT_STATE_NO_FOLDER: "The folder for a node's key or genesis file does not exist in the container.",
  INIT_STATE_NO_FAUCET: "Creating a genesis needs a faucet key file.",
  INIT_STATE_INCONSISTENT: "A genesis exists but its faucet mnemonic does not.",
  DEVNET_STATE_IN_USE: "Another live runner is running a network in the same state folder.",
  DEVNET_START_ABORTED: "A signal came during start-up; every node started so far was stopped.",
  NODE_EXITED: "A node exited on its own after it was healthy.",
} as const;

/** Codes of the `allocmd` CLI. */
export const CliErrorCodes = {
  USAGE_UNKNOWN_COMMAND: "No command of that name.",
  USAGE_UNKNOWN_FLAG: "A flag the command does not take.",
  USAGE_BAD_VALUE: "A flag or argument has a value of the wrong form (topic id, URL, multiaddr, port, …).",
  USAGE_MISSING: "A required flag or argument is missing.",
  CONFIG_MISSING: "No config.yaml where the command looked for the project.",
  CONFIG_INVALID: "config.yaml does not parse or does not match the schema; every problem is listed.",
  PROJECT_CONFLICT: "init was asked for something that contradicts the existing project.",
  KEYS_CONFLICT: "Existing keys differ from the ones to import; --force replaces them.",
  KEYS_INVALID: "A key folder or mnemonic does not load or is not valid.",
  HEAD_UNREACHABLE: "The head's REST API did not answer.",
  CHAIN_UNREACHABLE: "The chain's REST API did not answer.",
  DOCKER_UNAVAILABLE: "The Docker engine or compose is not available.",
  DOCKER_FAILED: "A docker or compose command failed.",
  WAIT_TIMEOUT: "Something waited for did not happen in time.",
  FAUCET_FAILED: "The faucet refused or did not fund the account.",
  PORTS_TAKEN: "A port the native network listens on is held by another process (named when it can be found).",
  NETWORK_RUNNING: "This project's native network already runs (another `allocmd run --native`).",
  NODE_START_FAILED: "A node of the native network exited or was not healthy in time (its log has why).",
  MAIN_PY_FAILED: "main.py failed on its first run in the native network, so the worker would answer nothing.",
  PYTHON_MISSING: "python3 (the interpreter that runs main.py) is not installed or does not start.",
} as const;

/** The meanings of the chain's own refusals ({@link CHAIN_ERRORS}), by name. */
const ChainRefusalMeanings = Object.fromEntries(
  Object.entries(CHAIN_ERRORS).map(([name, info]) => [name, info.meaning]),
) as { readonly [K in ChainErrorCode]: string };

/**
 * Codes whose text carries a number: `ROLL_CALL_<status>` (a worker declined without a code), `CHAIN_<n>` (the chain
 * refused with a code it does not name) and `HTTP_<status>` (a non-2xx answer without a `{code, message}` body).
 */
export type NumberedErrorCode = `ROLL_CALL_${number}` | `CHAIN_${number}` | `HTTP_${number}`;

/**
 * One error code of the network: a name of {@link ErrorCatalogue} or a {@link NumberedErrorCode}. A typo does not
 * compile: `new AlloraError("FUNCTION_CID_MISSMATCH", …)` is a type error.
 */
export type AlloraErrorCode = ChainErrorCode | keyof typeof NetworkErrorCodes | NumberedErrorCode;

/** The codes of the library, the nodes, the CLI and the tooling, by domain merged into one table. */
export const NetworkErrorCodes = {
  ...CliErrorCodes,
  ...DevnetErrorCodes,
  ...DashboardErrorCodes,
  ...InferenceServerErrorCodes,
  ...TrustErrorCodes,
  ...ExecutionErrorCodes,
  ...NodeErrorCodes,
  ...P2pErrorCodes,
  ...FunctionPackageErrorCodes,
  ...ChainErrorCodes,
  ...KeyErrorCodes,
  ...RestErrorCodes,
} as const;

/**
 * Every named error code of the network, with a one-line meaning: the library's, the nodes', the CLI's and the
 * chain's own ({@link CHAIN_ERRORS}); docs/ERRORS.md says what to do about each.
 */
export const ErrorCatalogue: { readonly [K in Exclude<AlloraErrorCode, NumberedErrorCode>]: string } = {
  ...ChainRefusalMeanings,
  ...NetworkErrorCodes,
};

/** The code names of {@link ErrorCatalogue}, for checking strings that come from outside. */
const catalogueNames: ReadonlySet<string> = new Set(Object.keys(ErrorCatalogue));

/** True when `value` is a code of the network: a name of {@link ErrorCatalogue} or a {@link NumberedErrorCode}. */
export function isAlloraErrorCode(value: unknown): value is AlloraErrorCode {
  return typeof value === "string" && (catalogueNames.has(value) || /^(ROLL_CALL|CHAIN|HTTP)_\d{1,6}$/.test(value));
}

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
export class AlloraError<C extends AlloraErrorCode = AlloraErrorCode> extends Error {
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
export function isAlloraError<C extends AlloraErrorCode = AlloraErrorCode>(
  value: unknown,
  code?: C,
): value is AlloraError<C> {
  return value instanceof AlloraError && (code === undefined || value.code === code);
}

/** The message of any thrown value, for logs and error bodies. */
export function errorMessage(value: unknown): string {
  if (value instanceof Error) return value.message;
  return String(value);
}
