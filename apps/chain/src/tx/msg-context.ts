/**
 * What a message handler gets and returns.
 */
import type { Any } from "cosmjs-types/google/protobuf/any";
import { ChainError } from "../errors.js";
import type { ChainParams } from "../genesis/params.js";
import type { ChainState } from "../state/chain-state.js";
import { type AbciEvent, makeEvent } from "./abci-event.js";

/** The state and facts a message runs with. */
export interface MsgContext {
  state: ChainState;
  /** The tx signer's address. */
  signer: string;
  height: bigint;
  /** Block time in ms. */
  timeMs: number;
  params: ChainParams;
  txHash: string;
  msgIndex: number;
  /**
   * Results of the signature checks of this message's worker bundles, done before execution (they need async
   * crypto); undefined entries passed. Absent on replay, where only txs that succeeded are re-executed.
   */
  bundleErrors: ReadonlyArray<Error | undefined> | undefined;
}

/** A handler's result: its events and its response packed in an Any. */
export interface MsgOutcome {
  events: AbciEvent[];
  response: Any;
}

/** `SIGNER_MISMATCH` unless the message's sender field is the tx signer. */
export function assertSigner(field: string, value: string, ctx: MsgContext): void {
  if (value !== ctx.signer) {
    throw new ChainError("SIGNER_MISMATCH", `${field} ${value || '""'} is not the tx signer ${ctx.signer}`);
  }
}

/** The `message` event every message emits (action = type URL), as the SDK does. */
export function messageEvent(typeUrl: string, module: string, ctx: MsgContext): AbciEvent {
  return makeEvent("message", [
    ["action", typeUrl],
    ["sender", ctx.signer],
    ["module", module],
    ["msg_index", String(ctx.msgIndex)],
  ]);
}

/** An event of the message, its attributes followed by the message's `msg_index`, as every module event carries. */
export function msgEvent(
  type: string,
  attributes: ReadonlyArray<readonly [string, string]>,
  ctx: MsgContext,
): AbciEvent {
  return makeEvent(type, [...attributes, ["msg_index", String(ctx.msgIndex)]]);
}

/** A response message packed in the Any a handler returns. */
export function packResponse<T>(
  codec: { typeUrl: string; encode(message: T): { finish(): Uint8Array } },
  message: T,
): Any {
  return { typeUrl: codec.typeUrl, value: codec.encode(message).finish() };
}
