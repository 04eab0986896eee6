/**
 * ABCI events in the CometBFT 0.38 shape (attribute keys and values are plain strings), which is what tx_search
 * indexes and what cosmjs turns into `DeliverTxResponse.events`.
 */

/** One event attribute. */
interface AbciAttribute {
  key: string;
  value: string;
  index: boolean;
}

/** One event. */
export interface AbciEvent {
  type: string;
  attributes: AbciAttribute[];
}

/** Builds an event from `[key, value]` pairs, every attribute indexed. */
export function makeEvent(type: string, attributes: ReadonlyArray<readonly [string, string]>): AbciEvent {
  return { type, attributes: attributes.map(([key, value]) => ({ key, value, index: true })) };
}

/** The coin_spent / coin_received / transfer events of a bank transfer, as the SDK emits them. */
export function transferEvents(from: string, to: string, amount: string, msgIndex?: number): AbciEvent[] {
  const idx: ReadonlyArray<readonly [string, string]> = msgIndex === undefined ? [] : [["msg_index", String(msgIndex)]];
  return [
    makeEvent("coin_spent", [["spender", from], ["amount", amount], ...idx]),
    makeEvent("coin_received", [["receiver", to], ["amount", amount], ...idx]),
    makeEvent("transfer", [["recipient", to], ["sender", from], ["amount", amount], ...idx]),
  ];
}
