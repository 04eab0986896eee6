/**
 * Decoding a tx into what the chain executes, with the stateless checks in the chain's order: decode, size,
 * signer. Messages are decoded with the chain's codecs; an unknown type URL is a parse error, as in the SDK.
 */
import {
  type DecodedTx,
  decodeSignedTx,
  isAlloraError,
  MAX_SERIALIZED_MSG_BYTES,
  MsgCreateTopic,
  MsgInsertBulkWorkerPayload,
  MsgRegister,
  MsgRemoveRegistration,
} from "@allora/protocol";
import { sha256 } from "@cosmjs/crypto";
import { toHex } from "@cosmjs/encoding";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { AuthInfo, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { ChainError } from "../errors.js";

/**
 * What a tx may weigh beyond its messages: auth info (signer, pubkey, fee), the signature, the memo and the
 * body's framing. The signed tx of one MsgSend is about 300 bytes; this leaves room for a 256-character memo.
 */
const TX_ENVELOPE_BYTES = 4096;
/** The most bytes a message other than a bulk payload can need (a topic's metadata is the largest field). */
const MAX_SMALL_MSG_BYTES = 16 * 1024;
/** Largest tx the chain accepts in any case: one bulk payload at its cap plus the envelope (CometBFT's 1 MiB). */
const MAX_TX_BYTES = 1024 * 1024 + TX_ENVELOPE_BYTES;
/** Non-critical extension options a tx may carry (nothing here reads them; they are only carried), and their bytes. */
const MAX_NON_CRITICAL_EXTENSIONS = 4;
const MAX_NON_CRITICAL_EXTENSION_BYTES = 1024;
/** Longest memo, in characters (the SDK default). */
const MAX_MEMO_CHARS = 256;

/** A decoded message the chain can execute. */
export type ChainMsg =
  | { typeUrl: "/cosmos.bank.v1beta1.MsgSend"; msg: MsgSend }
  | { typeUrl: "/emissions.v1.MsgRegister"; msg: MsgRegister }
  | { typeUrl: "/emissions.v1.MsgRemoveRegistration"; msg: MsgRemoveRegistration }
  | { typeUrl: "/emissions.v1.MsgInsertBulkWorkerPayload"; msg: MsgInsertBulkWorkerPayload }
  | { typeUrl: "/allora.localnet.v1.MsgCreateTopic"; msg: MsgCreateTopic };

/** Type URLs the chain executes. */
const SUPPORTED_TYPE_URLS = [
  "/cosmos.bank.v1beta1.MsgSend",
  MsgRegister.typeUrl,
  MsgRemoveRegistration.typeUrl,
  MsgInsertBulkWorkerPayload.typeUrl,
  MsgCreateTopic.typeUrl,
] as const;

/** A tx that passed the stateless checks. */
export interface ChainTx {
  bytes: Uint8Array;
  /** Upper-case hex sha256 of the bytes, as CometBFT names txs. */
  hash: string;
  decoded: DecodedTx;
  messages: ChainMsg[];
}

/** sha256 of tx bytes as upper-case hex. */
export function txHash(bytes: Uint8Array): string {
  return toHex(sha256(bytes)).toUpperCase();
}

function decodeMessage(typeUrl: string, value: Uint8Array): ChainMsg {
  switch (typeUrl) {
    case "/cosmos.bank.v1beta1.MsgSend":
      return { typeUrl, msg: MsgSend.decode(value) };
    case "/emissions.v1.MsgRegister":
      return { typeUrl, msg: MsgRegister.decode(value) };
    case "/emissions.v1.MsgRemoveRegistration":
      return { typeUrl, msg: MsgRemoveRegistration.decode(value) };
    case "/emissions.v1.MsgInsertBulkWorkerPayload":
      return { typeUrl, msg: MsgInsertBulkWorkerPayload.decode(value) };
    case "/allora.localnet.v1.MsgCreateTopic":
      return { typeUrl, msg: MsgCreateTopic.decode(value) };
    default:
      throw new ChainError(
        "TX_DECODE_FAILED",
        `unable to resolve type URL ${typeUrl} (this chain executes ${SUPPORTED_TYPE_URLS.join(", ")})`,
      );
  }
}

/** The most bytes a message of this type may take inside a tx. */
function maxMessageBytes(typeUrl: string): number {
  return typeUrl === MsgInsertBulkWorkerPayload.typeUrl ? MAX_SERIALIZED_MSG_BYTES : MAX_SMALL_MSG_BYTES;
}

/**
 * The size and extension bounds of admission: a tx may weigh what its messages need plus the envelope, and carry no
 * critical extension option (the SDK refuses unknown ones) and only a few small non-critical ones. Without them a
 * fee-paying tx padded in `non_critical_extension_options` stores megabytes in the block log forever.
 */
function checkBounds(bytes: Uint8Array, body: TxBody): void {
  const allowed = Math.min(
    MAX_TX_BYTES,
    body.messages.reduce((sum, any) => sum + maxMessageBytes(any.typeUrl), TX_ENVELOPE_BYTES),
  );
  if (bytes.length > allowed) {
    throw new ChainError(
      "TX_TOO_LARGE",
      `tx is ${bytes.length} bytes; its ${body.messages.length} message(s) allow at most ${allowed}`,
    );
  }
  for (const [i, any] of body.messages.entries()) {
    const max = maxMessageBytes(any.typeUrl);
    if (any.value.length > max) {
      throw new ChainError(
        "MESSAGE_TOO_LARGE",
        `message ${i} (${any.typeUrl}) is ${any.value.length} bytes, the limit is ${max}`,
      );
    }
  }
  if (body.extensionOptions.length > 0) {
    throw new ChainError(
      "TX_EXTENSION_OPTIONS_REFUSED",
      `the tx carries ${body.extensionOptions.length} extension_options (${body.extensionOptions.map((o) => o.typeUrl).join(", ")}); this chain knows none`,
    );
  }
  const extensionBytes = body.nonCriticalExtensionOptions.reduce((n, o) => n + o.typeUrl.length + o.value.length, 0);
  if (
    body.nonCriticalExtensionOptions.length > MAX_NON_CRITICAL_EXTENSIONS ||
    extensionBytes > MAX_NON_CRITICAL_EXTENSION_BYTES
  ) {
    throw new ChainError(
      "TX_EXTENSION_OPTIONS_REFUSED",
      `the tx carries ${body.nonCriticalExtensionOptions.length} non_critical_extension_options of ${extensionBytes} bytes; the limits are ${MAX_NON_CRITICAL_EXTENSIONS} and ${MAX_NON_CRITICAL_EXTENSION_BYTES} bytes`,
    );
  }
}

/**
 * Decodes and checks a tx without looking at state. `simulate` accepts the unsigned form cosmjs sends to the
 * Simulate query (an empty signature and no sign mode); `replay` (a tx from the block log) skips the admission
 * bounds, which were checked when the tx was admitted.
 */
export function decodeChainTx(bytes: Uint8Array, options: { simulate?: boolean; replay?: boolean } = {}): ChainTx {
  // The cheapest refusal first: nothing larger than any tx may be is even parsed.
  if (!options.replay && bytes.length > MAX_TX_BYTES) {
    throw new ChainError("TX_TOO_LARGE", `tx is ${bytes.length} bytes, the limit is ${MAX_TX_BYTES}`);
  }
  let body: TxBody;
  let authInfo: AuthInfo;
  try {
    const raw = TxRaw.decode(bytes);
    body = TxBody.decode(raw.bodyBytes);
    authInfo = AuthInfo.decode(raw.authInfoBytes);
  } catch (cause) {
    throw new ChainError("TX_DECODE_FAILED", `tx bytes are not a TxRaw: ${(cause as Error).message}`, { cause });
  }
  if (!options.replay) checkBounds(bytes, body);
  let decoded: DecodedTx;
  try {
    decoded = decodeSignedTx(bytes);
  } catch (err) {
    if (isAlloraError(err, "TX_SIGNER_INVALID")) throw new ChainError("TX_SIGNER_INVALID", err.message, { cause: err });
    throw new ChainError("TX_DECODE_FAILED", (err as Error).message, { cause: err });
  }
  const mode = authInfo.signerInfos[0]?.modeInfo?.single?.mode;
  if (!options.simulate && mode !== SignMode.SIGN_MODE_DIRECT) {
    throw new ChainError(
      "TX_SIGNER_INVALID",
      `sign mode ${mode ?? "none"} is not supported; sign with SIGN_MODE_DIRECT`,
    );
  }
  if (body.messages.length === 0) throw new ChainError("REQUEST_INVALID", "must contain at least one message");
  if (body.memo.length > MAX_MEMO_CHARS) {
    throw new ChainError("MEMO_TOO_LARGE", `memo is ${body.memo.length} characters, the limit is ${MAX_MEMO_CHARS}`);
  }
  const messages = body.messages.map((any, i) => {
    try {
      return decodeMessage(any.typeUrl, any.value);
    } catch (cause) {
      if (cause instanceof ChainError) throw cause;
      throw new ChainError("TX_DECODE_FAILED", `message ${i} (${any.typeUrl}) does not decode`, { cause });
    }
  });
  return { bytes, hash: txHash(bytes), decoded, messages };
}
