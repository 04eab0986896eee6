/**
 * Encoding and decoding of p2p messages: UTF-8 JSON, checked against the message's schema on the way in and on the
 * way out, with a size cap. Every rejection is an {@link AlloraError} with a `P2P_*` code.
 */
import { type TypeCheck, TypeCompiler } from "@sinclair/typebox/compiler";
import { AlloraError } from "../errors.js";
import { type P2pMessage, type P2pMessageOf, P2pMessageSchemas, type P2pMessageType } from "./messages.js";
import { MAX_MESSAGE_BYTES } from "./protocols.js";

const checkers = Object.fromEntries(
  Object.entries(P2pMessageSchemas).map(([type, schema]) => [type, TypeCompiler.Compile(schema)]),
) as { [K in P2pMessageType]: TypeCheck<(typeof P2pMessageSchemas)[K]> };

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Options for {@link decodeP2pMessage} and {@link encodeP2pMessage}. */
export interface P2pCodecOptions {
  /** Largest accepted message in bytes (default {@link MAX_MESSAGE_BYTES}). */
  maxBytes?: number;
  /** When set, only these message types are accepted. */
  accept?: readonly P2pMessageType[];
}

function isMessageType(value: unknown): value is P2pMessageType {
  return typeof value === "string" && Object.hasOwn(P2pMessageSchemas, value);
}

function assertValid(value: Record<string, unknown>, type: P2pMessageType): void {
  const check = checkers[type];
  if (check.Check(value)) return;
  const first = check.Errors(value).First();
  const where = first?.path ? first.path.replace(/^\//, "").replaceAll("/", ".") : "(message)";
  throw new AlloraError("P2P_MESSAGE_INVALID", `${type}: field ${where} ${first?.message ?? "is invalid"}`, {
    details: { type, path: first?.path ?? "" },
  });
}

/**
 * Serialises a message after checking it against its schema.
 *
 * @example
 * ```ts
 * const bytes = encodeP2pMessage({ type: "MsgHeadHello", version: "0.1.0" })
 * ```
 */
export function encodeP2pMessage(message: P2pMessage, options: P2pCodecOptions = {}): Uint8Array {
  assertValid(message as Record<string, unknown>, message.type);
  const bytes = encoder.encode(JSON.stringify(message));
  const max = options.maxBytes ?? MAX_MESSAGE_BYTES;
  if (bytes.byteLength > max) {
    throw new AlloraError(
      "P2P_MESSAGE_TOO_LARGE",
      `${message.type} is ${bytes.byteLength} bytes; the limit is ${max}`,
      {
        details: { type: message.type, size: bytes.byteLength, limit: max },
      },
    );
  }
  return bytes;
}

/**
 * Parses and validates a message. Oversized, non-UTF-8, non-JSON, untyped or schema-violating input is rejected
 * with `P2P_MESSAGE_TOO_LARGE`, `P2P_MESSAGE_MALFORMED`, `P2P_MESSAGE_UNKNOWN_TYPE` or `P2P_MESSAGE_INVALID`.
 *
 * @example
 * ```ts
 * const msg = decodeP2pMessage(bytes, { accept: ["MsgRollCall"] })
 * if (msg.type === "MsgRollCall") answer(msg.request_id)
 * ```
 */
export function decodeP2pMessage<K extends P2pMessageType>(
  bytes: Uint8Array,
  options: P2pCodecOptions & { accept: readonly K[] },
): P2pMessageOf<K>;
export function decodeP2pMessage(bytes: Uint8Array, options?: P2pCodecOptions): P2pMessage;
export function decodeP2pMessage(bytes: Uint8Array, options: P2pCodecOptions = {}): P2pMessage {
  const max = options.maxBytes ?? MAX_MESSAGE_BYTES;
  if (bytes.byteLength > max) {
    throw new AlloraError("P2P_MESSAGE_TOO_LARGE", `message is ${bytes.byteLength} bytes; the limit is ${max}`, {
      details: { size: bytes.byteLength, limit: max },
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch (cause) {
    throw new AlloraError("P2P_MESSAGE_MALFORMED", "message is not UTF-8 JSON", { cause });
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new AlloraError("P2P_MESSAGE_MALFORMED", "message is not a JSON object");
  }
  const type = (value as { type?: unknown }).type;
  if (!isMessageType(type)) {
    throw new AlloraError("P2P_MESSAGE_UNKNOWN_TYPE", `unknown message type ${JSON.stringify(type ?? null)}`, {
      details: { type: type ?? null },
    });
  }
  if (options.accept && !options.accept.includes(type)) {
    throw new AlloraError("P2P_MESSAGE_UNKNOWN_TYPE", `message type ${type} is not accepted on this channel`, {
      details: { type, accepted: options.accept },
    });
  }
  assertValid(value as Record<string, unknown>, type);
  return value as P2pMessage;
}

/** Narrows a decoded message to one type, or throws `P2P_MESSAGE_UNKNOWN_TYPE`. */
export function expectP2pMessage<K extends P2pMessageType>(message: P2pMessage, type: K): P2pMessageOf<K> {
  if (message.type !== type) {
    throw new AlloraError("P2P_MESSAGE_UNKNOWN_TYPE", `expected ${type}, got ${message.type}`, {
      details: { expected: type, got: message.type },
    });
  }
  return message as P2pMessageOf<K>;
}
