/**
 * The chain's own error catalogue: every refusal the chain answers has a stable name and the Cosmos triple a client
 * sees, ABCI `code`, `codespace` and a `log` whose last part is the error's short text, the way the Cosmos SDK wraps
 * errors (`"<details>: <short text>"`). Codes in codespace `sdk` are the Cosmos SDK's own numbers; codes 13, 67, 75
 * and 78 of `emissions` are upstream allora-chain's; the rest are this chain's. The chain answers with this table and
 * clients read it back with `chainRefusal`: one definition for both sides.
 *
 * @packageDocumentation
 */

/** How one of the chain's error codes looks on the wire and what to do about it. */
export interface ChainErrorInfo {
  /** The Cosmos codespace. */
  readonly codespace: "sdk" | "emissions" | "localnet";
  /** ABCI code within the codespace. */
  readonly code: number;
  /** HTTP status when the error answers a REST call. */
  readonly http: number;
  /** The short text the SDK appends to the log. */
  readonly suffix: string;
  /** What it means. */
  readonly meaning: string;
  /** What the caller should do. */
  readonly remedy: string;
}

/** Every refusal of the chain by name, with its Cosmos `codespace` + `code`, HTTP status, meaning and remedy. */
export const CHAIN_ERRORS = {
  INTERNAL: {
    codespace: "sdk",
    code: 1,
    http: 500,
    suffix: "internal",
    meaning: "An unexpected failure inside the chain.",
    remedy: "Look at the chain's log for the line with this code and report it.",
  },
  TX_DECODE_FAILED: {
    codespace: "sdk",
    code: 2,
    http: 400,
    suffix: "tx parse error",
    meaning: "The bytes are not a TxRaw, or a message has an unknown type URL or does not decode.",
    remedy: "Encode the tx with cosmjs and the registry from createAlloraRegistry().",
  },
  TX_SIGNATURE_INVALID: {
    codespace: "sdk",
    code: 4,
    http: 401,
    suffix: "unauthorized",
    meaning: "The signature does not verify for this chain id and the signer's account number.",
    remedy: "Sign with SIGN_MODE_DIRECT for the chain id in /status and the account number from the auth query.",
  },
  SIGNER_MISMATCH: {
    codespace: "sdk",
    code: 4,
    http: 401,
    suffix: "unauthorized",
    meaning: "A message names a sender (from_address, sender, creator) that is not the tx signer.",
    remedy: "Sign the tx with the key of the message's sender.",
  },
  INSUFFICIENT_FUNDS: {
    codespace: "sdk",
    code: 5,
    http: 400,
    suffix: "insufficient funds",
    meaning: "The account cannot pay the amount, the fee or the registration fee.",
    remedy: "Fund the account (POST /faucet on the dev network) and retry.",
  },
  INVALID_ADDRESS: {
    codespace: "sdk",
    code: 7,
    http: 400,
    suffix: "invalid address",
    meaning: "An address is not a valid `allo1…` bech32 address.",
    remedy: "Use an address with the `allo` prefix.",
  },
  TX_SIGNER_INVALID: {
    codespace: "sdk",
    code: 8,
    http: 400,
    suffix: "invalid pubkey",
    meaning: "The tx does not have exactly one secp256k1 signer with a public key, or does not use SIGN_MODE_DIRECT.",
    remedy: "Sign with one cosmjs secp256k1 wallet (DirectSecp256k1HdWallet).",
  },
  ACCOUNT_NOT_FOUND: {
    codespace: "sdk",
    code: 9,
    http: 404,
    suffix: "unknown address",
    meaning: "The signer has no account: accounts exist once they first receive funds.",
    remedy: "Send tokens to the address first (faucet or MsgSend).",
  },
  INVALID_COINS: {
    codespace: "sdk",
    code: 10,
    http: 400,
    suffix: "invalid coins",
    meaning: "An amount is empty, zero, negative or has an invalid denom.",
    remedy: "Send positive integer amounts, e.g. [{denom: 'uallo', amount: '1000'}].",
  },
  MEMO_TOO_LARGE: {
    codespace: "sdk",
    code: 12,
    http: 400,
    suffix: "memo too large",
    meaning: "The memo is longer than 256 characters.",
    remedy: "Shorten the memo.",
  },
  INSUFFICIENT_FEE: {
    codespace: "sdk",
    code: 13,
    http: 400,
    suffix: "insufficient fee",
    meaning: "The fee is below params.tx_fee_min or not paid in uallo.",
    remedy: "Pay at least tx_fee_min uallo (GET /emissions/v1/params) or use a gasPrice with fee 'auto'.",
  },
  REQUEST_INVALID: {
    codespace: "sdk",
    code: 18,
    http: 400,
    suffix: "invalid request",
    meaning: "The request is malformed: no messages, a bad field, a bad query.",
    remedy: "Fix the field the log names.",
  },
  TX_IN_MEMPOOL: {
    codespace: "sdk",
    code: 19,
    http: 409,
    suffix: "tx already in mempool",
    meaning: "The same tx bytes are already waiting for the next block.",
    remedy: "Wait for the block; do not rebroadcast.",
  },
  MEMPOOL_FULL: {
    codespace: "sdk",
    code: 20,
    http: 503,
    suffix: "mempool is full",
    meaning: "Too many txs are waiting for the next block.",
    remedy: "Retry after the next block.",
  },
  OUT_OF_GAS: {
    codespace: "sdk",
    code: 11,
    http: 400,
    suffix: "out of gas",
    meaning: "The tx's gas limit is below the gas it uses (its size and messages; the Simulate query reports it).",
    remedy: 'Simulate first and set the gas limit to at least gas_used (cosmjs fee "auto" does this).',
  },
  TX_TOO_LARGE: {
    codespace: "sdk",
    code: 21,
    http: 413,
    suffix: "tx too large",
    meaning:
      "The tx is larger than its messages can need: 16 KiB for each bank, registration or topic message, 1 MB for a bulk worker payload, plus 4 KiB for the signature and fee (and never above 1 MiB + 4 KiB).",
    remedy: "Send only the messages' own bytes (no padding); split a very large payload into several txs.",
  },
  TX_EXTENSION_OPTIONS_REFUSED: {
    codespace: "sdk",
    code: 31,
    http: 400,
    suffix: "unknown extension options",
    meaning:
      "The tx carries extension_options (this chain knows none) or more than 4 non_critical_extension_options or over 1 KiB of them.",
    remedy: "Leave the extension options out: nothing on this chain reads them.",
  },
  NOT_FOUND: {
    codespace: "sdk",
    code: 22,
    http: 404,
    suffix: "key not found",
    meaning: "The queried account, topic, tx or block does not exist.",
    remedy: "Check the id or address.",
  },
  TX_TIMEOUT_HEIGHT: {
    codespace: "sdk",
    code: 30,
    http: 400,
    suffix: "tx timeout height",
    meaning: "The tx's timeout_height has passed.",
    remedy: "Build a new tx with a later timeout height, or none.",
  },
  SEQUENCE_MISMATCH: {
    codespace: "sdk",
    code: 32,
    http: 400,
    suffix: "incorrect account sequence",
    meaning: "The signer's sequence is not the next one the chain expects (replay, or two txs raced).",
    remedy: "Read the sequence again (getSequence) and re-sign.",
  },
  ADDRESS_NOT_REGISTERED: {
    codespace: "emissions",
    code: 13,
    http: 400,
    suffix: "address is not registered in this topic",
    meaning: "A bundle's worker (or the sender of MsgRemoveRegistration) is not registered on the topic.",
    remedy: "Register the worker with MsgRegister first, or drop its bundle and resubmit the others.",
  },
  WINDOW_NOT_AVAILABLE: {
    codespace: "emissions",
    code: 67,
    http: 400,
    suffix: "worker nonce window not available",
    meaning: "The round exists but its submission window has closed.",
    remedy: "Submit for the currently open round (GET /emissions/v1/unfulfilled_worker_nonces/{topic_id}).",
  },
  UNFULFILLED_NONCE_NOT_FOUND: {
    codespace: "emissions",
    code: 75,
    http: 400,
    suffix: "unfulfilled nonce not found",
    meaning: "No round was ever opened at this nonce for the topic (or it is too old to be kept).",
    remedy: "Use the nonce (block height) the chain sent in ALLORA_BLOCK_HEIGHT_CURRENT.",
  },
  INFERENCE_ALREADY_SUBMITTED: {
    codespace: "emissions",
    code: 78,
    http: 400,
    suffix: "inference already submitted",
    meaning: "The worker already has an inference in this round (one per worker per round).",
    remedy: "Treat it as done: drop the bundle.",
  },
  TOPIC_NOT_FOUND: {
    codespace: "emissions",
    code: 101,
    http: 404,
    suffix: "topic does not exist",
    meaning: "The topic id is unknown.",
    remedy: "List topics with GET /allora/localnet/v1/topics.",
  },
  ALREADY_REGISTERED: {
    codespace: "emissions",
    code: 102,
    http: 400,
    suffix: "address is already registered in this topic",
    meaning: "The sender is already registered as a worker on this topic.",
    remedy: "Nothing to do; or remove the registration first to change it.",
  },
  BUNDLE_INVALID: {
    codespace: "emissions",
    code: 103,
    http: 400,
    suffix: "invalid worker bundle",
    meaning:
      "A bundle fails verification: bad signature (tampered), pubkey not 33 bytes, worker or inferer not the pubkey's address, no inference.",
    remedy: "Drop that bundle (the log names the worker) and resubmit the others.",
  },
  BUNDLE_MISMATCH: {
    codespace: "emissions",
    code: 104,
    http: 400,
    suffix: "bundle does not match the message",
    meaning: "A bundle's topic or nonce differs from the message's topic and nonce.",
    remedy: "Put each bundle in the payload of its own round.",
  },
  INFERENCE_VALUE_INVALID: {
    codespace: "emissions",
    code: 105,
    http: 400,
    suffix: "invalid inference value",
    meaning: 'An inference value is not a plain decimal string like "2946.45".',
    remedy: "Send plain decimals (no exponent, no NaN).",
  },
  TOPIC_INVALID: {
    codespace: "emissions",
    code: 106,
    http: 400,
    suffix: "invalid topic",
    meaning: "A MsgCreateTopic field is missing or out of range.",
    remedy: "See the topic rules in docs/CHAIN.md; the log names the field.",
  },
  REGISTRATION_INVALID: {
    codespace: "emissions",
    code: 107,
    http: 400,
    suffix: "invalid registration",
    meaning: "MsgRegister lacks lib_p2p_key, has a bad owner, or asks to register a reputer (not supported).",
    remedy: "Register a worker with its libp2p peer id.",
  },
  BULK_PAYLOAD_INVALID: {
    codespace: "emissions",
    code: 108,
    http: 400,
    suffix: "invalid bulk payload",
    meaning: "MsgInsertBulkWorkerPayload has no bundles or no nonce.",
    remedy: "Send at least one bundle and the round's nonce.",
  },
  MESSAGE_TOO_LARGE: {
    codespace: "emissions",
    code: 109,
    http: 413,
    suffix: "message too large",
    meaning: "A message is larger than max_serialized_msg_length (1,000,000 bytes).",
    remedy: "Split the bundles over several txs.",
  },
  SENDER_NOT_WHITELISTED: {
    codespace: "emissions",
    code: 110,
    http: 403,
    suffix: "sender is not a whitelisted payload sender",
    meaning:
      "MsgInsertBulkWorkerPayload came from an account that is neither in genesis payload_senders nor in the chain's --payload-senders-file.",
    remedy:
      "Submit rounds from the network's head account, or add the sender's address to genesis payload_senders or the --payload-senders-file.",
  },
  FAUCET_DISABLED: {
    codespace: "localnet",
    code: 1,
    http: 503,
    suffix: "faucet disabled",
    meaning: "The chain was started without --faucet-mnemonic-file.",
    remedy: "Start the chain with a faucet key file, or fund accounts with MsgSend.",
  },
  FAUCET_AMOUNT_INVALID: {
    codespace: "localnet",
    code: 2,
    http: 400,
    suffix: "invalid faucet amount",
    meaning: "The requested amount is not a positive integer or is above the faucet's cap.",
    remedy: "Ask for at most 10 x --faucet-amount uallo, or leave amount out.",
  },
  FAUCET_FAILED: {
    codespace: "localnet",
    code: 3,
    http: 503,
    suffix: "faucet transfer failed",
    meaning: "The faucet's MsgSend was rejected (for example the faucet account is out of funds).",
    remedy: "The log carries the inner error; fund the faucet account in genesis.",
  },
  FAUCET_RATE_LIMITED: {
    codespace: "localnet",
    code: 7,
    http: 429,
    suffix: "faucet rate limit reached",
    meaning:
      "The address got --faucet-max-per-address grants, or the client IP sent --faucet-max-per-client requests, within --faucet-window-seconds.",
    remedy: "Wait the seconds the log names (retry_after in the body, the Retry-After header), then ask again.",
  },
  TX_COMMIT_TIMEOUT: {
    codespace: "localnet",
    code: 4,
    http: 504,
    suffix: "timed out waiting for the tx to be committed",
    meaning: "The tx was accepted but not seen in a block before the deadline.",
    remedy: "Query it later by hash; blocks may have stalled (GET /allora/localnet/v1/health).",
  },
  PRICE_QUERY_INVALID: {
    codespace: "localnet",
    code: 5,
    http: 400,
    suffix: "invalid price query",
    meaning: "The token or the from/to/step range of a price query is invalid.",
    remedy: "Use a token like ETH and unix seconds with from <= to.",
  },
  ROUTE_NOT_FOUND: {
    codespace: "localnet",
    code: 6,
    http: 404,
    suffix: "route not found",
    meaning: "No such REST path.",
    remedy: "See the endpoint list in docs/CHAIN.md.",
  },
} as const satisfies Record<string, ChainErrorInfo>;

/** One code of the chain's catalogue, such as `SEQUENCE_MISMATCH` or `INFERENCE_ALREADY_SUBMITTED`. */
export type ChainErrorCode = keyof typeof CHAIN_ERRORS;
