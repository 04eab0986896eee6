/**
 * A small protobuf message runtime: a message is declared once, as field descriptors, and gets cosmjs-compatible
 * `encode` / `decode` / `fromPartial` plus proto3 JSON (`toJSON` / `fromJSON`, snake_case field names, 64-bit
 * integers as strings, bytes as base64). Fields are written in field-number order and proto3 defaults are omitted,
 * which is the byte layout gogoproto produces and the chain signs.
 */
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary";
import { AlloraError, errorMessage } from "../errors.js";

/** The protobuf scalar kinds the network's messages use. */
export type ScalarKind = "string" | "bool" | "bytes" | "uint64" | "int64";

/** A scalar field: its number and kind. */
export interface ScalarField<K extends ScalarKind = ScalarKind> {
  readonly no: number;
  readonly kind: K;
}

/** A nested message field, optionally repeated. */
export interface MessageField<T = unknown, R extends boolean = boolean> {
  readonly no: number;
  readonly kind: "message";
  readonly type: ProtoMessage<T>;
  readonly repeated: R;
}

/** Any field descriptor. */
// biome-ignore lint/suspicious/noExplicitAny: codecs are invariant in T; any lets one record hold fields of every message type
export type FieldSpec = ScalarField | MessageField<any, boolean>;

/** The TypeScript type of a scalar kind: 64-bit integers are `bigint`, bytes `Uint8Array`. */
export type ScalarTs<K extends ScalarKind> = K extends "string"
  ? string
  : K extends "bool"
    ? boolean
    : K extends "bytes"
      ? Uint8Array
      : bigint;

/** The TypeScript type of a field: its scalar type, a message, or an array of messages when repeated. */
export type FieldTs<F> =
  F extends MessageField<infer T, infer R>
    ? R extends true
      ? T[]
      : T | undefined
    : F extends ScalarField<infer K>
      ? ScalarTs<K>
      : never;

/** The TypeScript shape of a message with the given fields. */
export type MessageOf<S extends Record<string, FieldSpec>> = { -readonly [K in keyof S]: FieldTs<S[K]> };

/** Recursive partial, as cosmjs `fromPartial` takes. */
export type DeepPartial<T> = T extends Uint8Array | bigint | string | number | boolean | undefined
  ? T
  : T extends Array<infer U>
    ? Array<DeepPartial<U>>
    : { [K in keyof T]?: DeepPartial<T[K]> };

/** A message codec, usable directly in a cosmjs `Registry`. */
export interface ProtoMessage<T> {
  /** `/package.Name`. */
  readonly typeUrl: string;
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
  decode(input: Uint8Array | BinaryReader, length?: number): T;
  fromPartial(object: DeepPartial<T>): T;
  /** proto3 JSON with the proto (snake_case) field names, as Cosmos REST serves it. */
  toJSON(message: T): Record<string, unknown>;
  fromJSON(object: unknown): T;
}

/** The message type a {@link ProtoMessage} codes. */
export type ProtoType<C> = C extends ProtoMessage<infer T> ? T : never;

/** Declares a scalar field. */
export function scalar<K extends ScalarKind>(no: number, kind: K): ScalarField<K> {
  return { no, kind };
}

/** Declares a singular nested message field. */
export function message<T>(no: number, type: ProtoMessage<T>): MessageField<T, false> {
  return { no, kind: "message", type, repeated: false };
}

/** Declares a repeated nested message field. */
export function repeated<T>(no: number, type: ProtoMessage<T>): MessageField<T, true> {
  return { no, kind: "message", type, repeated: true };
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function wireType(field: FieldSpec): number {
  return field.kind === "string" || field.kind === "bytes" || field.kind === "message" ? 2 : 0;
}

function defaultOf(field: FieldSpec): unknown {
  switch (field.kind) {
    case "string":
      return "";
    case "bool":
      return false;
    case "bytes":
      return new Uint8Array();
    case "uint64":
    case "int64":
      return 0n;
    case "message":
      return field.repeated ? [] : undefined;
  }
}

function toBigInt(value: unknown, unsigned: boolean, name: string): bigint {
  const v = typeof value === "bigint" ? value : BigInt(value as string | number);
  const min = unsigned ? 0n : -(2n ** 63n);
  const max = unsigned ? 2n ** 64n - 1n : 2n ** 63n - 1n;
  if (v < min || v > max) throw new RangeError(`${name}: ${v} is out of range for ${unsigned ? "uint64" : "int64"}`);
  return v;
}

/**
 * Declares a protobuf message from its full name and fields.
 *
 * @example
 * ```ts
 * export const Nonce = defineMessage("emissions.v1.Nonce", { blockHeight: scalar(1, "int64") })
 * export type Nonce = ProtoType<typeof Nonce>
 * Nonce.encode({ blockHeight: 42n }).finish()
 * ```
 */
export function defineMessage<S extends Record<string, FieldSpec>>(
  fullName: string,
  spec: S,
): ProtoMessage<MessageOf<S>> {
  type T = MessageOf<S>;
  const fields = Object.entries(spec)
    .map(([name, field]) => ({ name, json: snake(name), field }))
    .sort((a, b) => a.field.no - b.field.no);
  const byNumber = new Map(fields.map((f) => [f.field.no, f]));

  const empty = (): T => {
    const out: Record<string, unknown> = {};
    for (const { name, field } of fields) out[name] = defaultOf(field);
    return out as T;
  };

  const codec: ProtoMessage<T> = {
    typeUrl: `/${fullName}`,
    encode(msg: T, writer: BinaryWriter = BinaryWriter.create()): BinaryWriter {
      const m = msg as Record<string, unknown>;
      for (const { name, field } of fields) {
        const value = m[name];
        const tag = (field.no << 3) | wireType(field);
        switch (field.kind) {
          case "string":
            if (typeof value === "string" && value !== "") writer.uint32(tag).string(value);
            break;
          case "bool":
            if (value === true) writer.uint32(tag).bool(true);
            break;
          case "bytes":
            if (value instanceof Uint8Array && value.byteLength > 0) writer.uint32(tag).bytes(value);
            break;
          case "uint64":
          case "int64": {
            if (value === undefined || value === null) break;
            const v = toBigInt(value, field.kind === "uint64", name);
            if (v !== 0n) writer.uint32(tag)[field.kind](v);
            break;
          }
          case "message":
            if (field.repeated) {
              for (const item of (value as unknown[] | undefined) ?? []) {
                field.type.encode(item, writer.uint32(tag).fork()).ldelim();
              }
            } else if (value !== undefined && value !== null) {
              field.type.encode(value, writer.uint32(tag).fork()).ldelim();
            }
            break;
        }
      }
      return writer;
    },
    decode(input: Uint8Array | BinaryReader, length?: number): T {
      const reader = input instanceof BinaryReader ? input : new BinaryReader(input);
      const end = length === undefined ? reader.len : reader.pos + length;
      const out = empty() as Record<string, unknown>;
      while (reader.pos < end) {
        const tag = reader.uint32();
        const entry = byNumber.get(tag >>> 3);
        if (!entry || (tag & 7) !== wireType(entry.field)) {
          reader.skipType(tag & 7);
          continue;
        }
        const { name, field } = entry;
        if (field.kind !== "message") {
          // Every scalar kind is the reader method of the same name.
          out[name] = reader[field.kind]();
          continue;
        }
        const item = field.type.decode(reader, reader.uint32());
        if (field.repeated) (out[name] as unknown[]).push(item);
        else out[name] = item;
      }
      if (reader.pos > end) throw new RangeError(`${fullName}: field runs past the end of the message`);
      return out as T;
    },
    fromPartial(object: DeepPartial<T>): T {
      const src = (object ?? {}) as Record<string, unknown>;
      const out = empty() as Record<string, unknown>;
      for (const { name, field } of fields) {
        const value = src[name];
        if (value === undefined || value === null) continue;
        if (field.kind === "message") {
          out[name] = field.repeated
            ? (value as unknown[]).map((v) => field.type.fromPartial(v as never))
            : field.type.fromPartial(value as never);
        } else if (field.kind === "uint64" || field.kind === "int64") {
          out[name] = toBigInt(value, field.kind === "uint64", name);
        } else {
          out[name] = value;
        }
      }
      return out as T;
    },
    toJSON(msg: T): Record<string, unknown> {
      const m = msg as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const { name, json, field } of fields) {
        const value = m[name];
        switch (field.kind) {
          case "string":
          case "bool":
            out[json] = value ?? defaultOf(field);
            break;
          case "bytes":
            out[json] = Buffer.from((value as Uint8Array | undefined) ?? new Uint8Array()).toString("base64");
            break;
          case "uint64":
          case "int64":
            out[json] = String(value ?? 0n);
            break;
          case "message":
            if (field.repeated) out[json] = ((value as unknown[] | undefined) ?? []).map((v) => field.type.toJSON(v));
            else out[json] = value === undefined || value === null ? null : field.type.toJSON(value);
            break;
        }
      }
      return out;
    },
    fromJSON(object: unknown): T {
      const src = (object ?? {}) as Record<string, unknown>;
      const out = empty() as Record<string, unknown>;
      for (const { name, json, field } of fields) {
        const value = src[json] ?? src[name];
        if (value === undefined || value === null) continue;
        switch (field.kind) {
          case "string":
            out[name] = String(value);
            break;
          case "bool":
            out[name] = Boolean(value);
            break;
          case "bytes":
            out[name] = new Uint8Array(Buffer.from(String(value), "base64"));
            break;
          case "uint64":
          case "int64":
            out[name] = toBigInt(value, field.kind === "uint64", name);
            break;
          case "message":
            out[name] = field.repeated
              ? (value as unknown[]).map((v) => field.type.fromJSON(v))
              : field.type.fromJSON(value);
            break;
        }
      }
      return out as T;
    },
  };
  // Bad input surfaces as RangeError/TypeError/SyntaxError from the reader or BigInt; callers get one coded error.
  const { decode, fromJSON, fromPartial } = codec;
  codec.decode = (input, length) => coded(fullName, "protobuf bytes", () => decode(input, length));
  codec.fromJSON = (object) => coded(fullName, "JSON", () => fromJSON(object));
  codec.fromPartial = (object) => coded(fullName, "object", () => fromPartial(object));
  return codec;
}

/** Runs `read`, turning any failure that is not already an {@link AlloraError} into `PROTO_DECODE_FAILED`. */
function coded<T>(fullName: string, what: string, read: () => T): T {
  try {
    return read();
  } catch (cause) {
    if (cause instanceof AlloraError) throw cause;
    throw new AlloraError("PROTO_DECODE_FAILED", `${fullName}: cannot read it from ${what}: ${errorMessage(cause)}`, {
      cause,
      details: { message: fullName },
    });
  }
}
