import { describe, expect, it } from "vitest";
import { matchesTxQuery, parseTxQuery } from "../../src/chain/tx-query.js";
import { makeEvent } from "../../src/tx/abci-event.js";

const tx = {
  hash: "ABCDEF",
  height: 12n,
  events: [
    makeEvent("message", [
      ["sender", "allo1alice"],
      ["action", "/cosmos.bank.v1beta1.MsgSend"],
    ]),
    makeEvent("transfer", [
      ["recipient", "allo1bob"],
      ["amount", "5uallo"],
    ]),
  ],
};

describe("tx queries", () => {
  it("matches hash, height and event attributes", () => {
    expect(matchesTxQuery(tx, parseTxQuery("tx.hash='abcdef'"))).toBe(true);
    expect(matchesTxQuery(tx, parseTxQuery("tx.height=12"))).toBe(true);
    expect(matchesTxQuery(tx, parseTxQuery("tx.height>=13"))).toBe(false);
    expect(matchesTxQuery(tx, parseTxQuery("message.sender='allo1alice' AND transfer.recipient='allo1bob'"))).toBe(
      true,
    );
    expect(matchesTxQuery(tx, parseTxQuery("message.sender='allo1bob'"))).toBe(false);
    expect(matchesTxQuery(tx, parseTxQuery("transfer.amount CONTAINS 'uallo'"))).toBe(true);
    expect(matchesTxQuery(tx, parseTxQuery("message.action EXISTS"))).toBe(true);
  });

  it("refuses what it cannot parse", () => {
    expect(() => parseTxQuery("message.sender")).toThrow(expect.objectContaining({ code: "REQUEST_INVALID" }));
    expect(() => parseTxQuery("=5")).toThrow();
  });
});
