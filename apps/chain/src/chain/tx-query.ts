/**
 * The CometBFT tx query language, as far as clients use it: conditions joined by AND, each `key op value` with
 * op one of = < <= > >= CONTAINS EXISTS, values quoted ('…') or bare numbers. Keys are `tx.hash`, `tx.height`, or
 * `<event type>.<attribute key>` (e.g. `message.sender`, `transfer.recipient`).
 */
import { ChainError } from "../errors.js";
import type { AbciEvent } from "../tx/abci-event.js";

type Operator = "=" | "<" | "<=" | ">" | ">=" | "CONTAINS" | "EXISTS";

/** One condition of a query. */
export interface Condition {
  key: string;
  op: Operator;
  value: string;
}

/** What a condition is matched against. */
export interface QueryableTx {
  hash: string;
  height: bigint;
  events: readonly AbciEvent[];
}

const CONDITION = /^([A-Za-z0-9_.\-/]+)\s*(<=|>=|=|<|>|\s+CONTAINS\s+|\s+EXISTS)\s*(?:'([^']*)'|"([^"]*)"|(\S+))?$/i;

/** Parses a query; `REQUEST_INVALID` naming the part it cannot read. */
export function parseTxQuery(query: string): Condition[] {
  const parts = query.trim().split(/\s+AND\s+/i);
  return parts.map((part) => {
    const m = CONDITION.exec(part.trim());
    const op = m?.[2]?.trim().toUpperCase() as Operator | undefined;
    const value = m?.[3] ?? m?.[4] ?? m?.[5];
    if (!m || !op || (op !== "EXISTS" && value === undefined)) {
      throw new ChainError(
        "REQUEST_INVALID",
        `cannot parse query condition "${part}" (expected e.g. tx.height=5 or message.sender='allo1…')`,
      );
    }
    return { key: m[1]!, op, value: value ?? "" };
  });
}

function compare(actual: string, op: Operator, expected: string): boolean {
  if (op === "EXISTS") return true;
  if (op === "CONTAINS") return actual.includes(expected);
  const numeric = /^-?\d+$/.test(actual) && /^-?\d+$/.test(expected);
  if (op === "=") return numeric ? BigInt(actual) === BigInt(expected) : actual === expected;
  if (!numeric) return false;
  const a = BigInt(actual);
  const b = BigInt(expected);
  switch (op) {
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
  }
}

/** True when the tx satisfies every condition. */
export function matchesTxQuery(tx: QueryableTx, conditions: readonly Condition[]): boolean {
  return conditions.every(({ key, op, value }) => {
    if (key === "tx.hash") return compare(tx.hash, op, value.toUpperCase());
    if (key === "tx.height") return compare(tx.height.toString(), op, value);
    const dot = key.lastIndexOf(".");
    const type = key.slice(0, dot);
    const attr = key.slice(dot + 1);
    return tx.events.some(
      (e) => e.type === type && e.attributes.some((a) => a.key === attr && compare(a.value, op, value)),
    );
  });
}
