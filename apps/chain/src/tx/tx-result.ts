/**
 * The result of executing a tx, as CometBFT reports it (code, log, data, gas, events), and its JSON form in the
 * block log.
 */
import { fromBase64, toBase64 } from "@cosmjs/encoding";
import type { AbciEvent } from "./abci-event.js";

/** A tx's execution result. */
export interface TxResult {
  code: number;
  codespace: string;
  log: string;
  /** `TxMsgData` bytes (message responses) on success, empty otherwise. */
  data: Uint8Array;
  gasWanted: bigint;
  gasUsed: bigint;
  events: AbciEvent[];
}

/** JSON form of a result (block log and RPC). */
export interface TxResultJson {
  code: number;
  codespace: string;
  log: string;
  data: string;
  gas_wanted: string;
  gas_used: string;
  events: AbciEvent[];
}

export function txResultToJson(r: TxResult): TxResultJson {
  return {
    code: r.code,
    codespace: r.codespace,
    log: r.log,
    data: toBase64(r.data),
    gas_wanted: r.gasWanted.toString(),
    gas_used: r.gasUsed.toString(),
    events: r.events,
  };
}

export function txResultFromJson(j: TxResultJson): TxResult {
  return {
    code: j.code,
    codespace: j.codespace,
    log: j.log,
    data: fromBase64(j.data),
    gasWanted: BigInt(j.gas_wanted),
    gasUsed: BigInt(j.gas_used),
    events: j.events,
  };
}
