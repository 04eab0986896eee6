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

/** Largest tx the chain accepts, in bytes (CometBFT's default max_tx_bytes is 1 MiB; bulk payloads need more). */
const MAX_TX_BYTES = 2 * 1024 * 1024;
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

/**
 * Decodes and checks a tx without looking at state. `simulate` accepts the unsigned form cosmjs sends to the
 * Simulate query (an empty signature and no sign mode).
 */
export function decodeChainTx(bytes: Uint8Array, options: { simulate?: boolean } = {}): ChainTx {
  let body: TxBody;
  let authInfo: AuthInfo;
  try {
    const raw = TxRaw.decode(bytes);
    body = TxBody.decode(raw.bodyBytes);
    authInfo = AuthInfo.decode(raw.authInfoBytes);
  } catch (cause) {
    throw new ChainError("TX_DECODE_FAILED", `tx bytes are not a TxRaw: ${(cause as Error).message}`, { cause });
  }
  if (bytes.length > MAX_TX_BYTES) {
    throw new ChainError("TX_TOO_LARGE", `tx is ${bytes.length} bytes, the limit is ${MAX_TX_BYTES}`);
  }
  for (const [i, any] of body.messages.entries()) {
    if (any.value.length > MAX_SERIALIZED_MSG_BYTES) {
      throw new ChainError(
        "MESSAGE_TOO_LARGE",
        `message ${i} (${any.typeUrl}) is ${any.value.length} bytes, the limit is ${MAX_SERIALIZED_MSG_BYTES}`,
      );
    }
  }
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
