/**
 * What the worker takes from gossip, judged without libp2p: only signed messages on its topics, from a trusted head,
 * that decode as a roll call or an install request whose origin is their signer.
 */
import { encodeP2pMessage, type MsgRollCall } from "@allora/protocol";
import { peerIdFromString } from "@libp2p/peer-id";
import { describe, expect, it } from "vitest";
import { type GossipMessage, readGossip } from "../../src/network/gossip-intake.js";

const HEAD = "12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf";
const STRANGER = "12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK";
const TOPIC = "allora-topic-1-worker";
const isTrusted = (peer: string) => peer === HEAD;

const rollCall = (origin = HEAD): MsgRollCall => ({
  type: "MsgRollCall",
  origin,
  function_id: "bafy-fn",
  request_id: "req-1",
  topic: TOPIC,
  consensus: 0,
});
const signed = (data: Uint8Array, from = HEAD, topic = TOPIC): GossipMessage => ({
  type: "signed",
  from: peerIdFromString(from),
  topic,
  data,
});

describe("gossip intake", () => {
  it("hands on a trusted head's signed roll call", () => {
    const reading = readGossip(signed(encodeP2pMessage(rollCall())), [TOPIC], isTrusted);
    expect(reading.kind).toBe("message");
    if (reading.kind === "message") {
      expect(reading.message).toEqual(rollCall());
      expect(reading.from.toString()).toBe(HEAD);
    }
  });

  it("drops unsigned gossip and gossip on topics the worker does not serve, silently", () => {
    const data = encodeP2pMessage(rollCall());
    expect(readGossip({ type: "unsigned", topic: TOPIC, data }, [TOPIC], isTrusted)).toEqual({ kind: "ignore" });
    expect(readGossip(signed(data, HEAD, "allora-topic-2-worker"), [TOPIC], isTrusted)).toEqual({ kind: "ignore" });
  });

  it("refuses an untrusted author before reading the message", () => {
    const reading = readGossip(signed(new TextEncoder().encode("not json"), STRANGER), [TOPIC], isTrusted);
    expect(reading).toMatchObject({ kind: "refuse", code: "ROLL_CALL_UNTRUSTED", peer: STRANGER });
  });

  it("reports a message that does not decode, with the codec's code", () => {
    const reading = readGossip(signed(new TextEncoder().encode('{"type":"MsgExecute"}')), [TOPIC], isTrusted);
    expect(reading.kind).toBe("invalid");
    if (reading.kind === "invalid") expect(reading.code).toMatch(/^P2P_/);
  });

  it("refuses a message whose origin is not its signer", () => {
    const reading = readGossip(signed(encodeP2pMessage(rollCall(STRANGER))), [TOPIC], isTrusted);
    expect(reading).toMatchObject({ kind: "refuse", code: "ROLL_CALL_ORIGIN_MISMATCH", peer: HEAD });
  });
});
