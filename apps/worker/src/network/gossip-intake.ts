/**
 * What the worker takes from gossip on its topics: only messages signed by a trusted head, decoded as a roll call or
 * an install request, whose `origin` is their signer. Gossip is judged by its signed author before anything else is
 * read from it.
 */
import type { P2pHost } from "@allora/p2p";
import {
  type AlloraError,
  decodeP2pMessage,
  errorMessage,
  type Logger,
  type MsgInstallFunction,
  type MsgRollCall,
} from "@allora/protocol";
import type { PeerId } from "@libp2p/interface";
import type { Refuse } from "../trust/refusal-log.js";

/** A gossip message as gossipsub delivers it. */
export type GossipMessage =
  | { type: "signed"; from: PeerId; topic: string; data: Uint8Array }
  | { type: "unsigned"; topic: string; data: Uint8Array };

/** What one gossip message is to the worker. */
export type GossipReading =
  /** Not for this worker (another topic) or unsigned: dropped without a word. */
  | { kind: "ignore" }
  /** Refused by the trust checks: counted, logged once per peer. */
  | { kind: "refuse"; code: string; peer: string; text: string }
  /** Not a valid message: logged. */
  | { kind: "invalid"; code: string; peer: string; text: string }
  | { kind: "message"; message: MsgRollCall | MsgInstallFunction; from: PeerId };

/** Reads `msg` against the worker's topic names and trusted heads. */
export function readGossip(
  msg: GossipMessage,
  topicNames: readonly string[],
  isTrusted: (peer: string) => boolean,
): GossipReading {
  if (!topicNames.includes(msg.topic) || msg.type !== "signed") return { kind: "ignore" };
  const peer = msg.from.toString();
  if (!isTrusted(peer)) {
    return {
      kind: "refuse",
      code: "ROLL_CALL_UNTRUSTED",
      peer,
      text: "ignoring gossip from a peer that is not a trusted head",
    };
  }
  let decoded: MsgRollCall | MsgInstallFunction;
  try {
    decoded = decodeP2pMessage(msg.data, { accept: ["MsgRollCall", "MsgInstallFunction"] });
  } catch (err) {
    const code = (err as AlloraError).code;
    return { kind: "invalid", code, peer, text: `ignoring invalid gossip message: ${errorMessage(err)}` };
  }
  if (decoded.origin !== peer) {
    return {
      kind: "refuse",
      code: "ROLL_CALL_ORIGIN_MISMATCH",
      peer,
      text: "ignoring a message whose origin is not its signer",
    };
  }
  return { kind: "message", message: decoded, from: msg.from };
}

/** Options of {@link createGossipIntake}. */
export interface GossipIntakeOptions {
  host: P2pHost;
  topicNames: readonly string[];
  isTrusted(peer: string): boolean;
  refuse: Refuse;
  logger: Logger;
  onRollCall(message: MsgRollCall, from: PeerId): void;
  onInstall(message: MsgInstallFunction, from: PeerId): void;
}

/** Subscribes to the worker's topics and hands each message it accepts on. */
export function createGossipIntake(options: GossipIntakeOptions): { start(): void; stop(): void } {
  const pubsub = options.host.services.pubsub;
  const onMessage = (evt: CustomEvent<GossipMessage>) => {
    const reading = readGossip(evt.detail, options.topicNames, options.isTrusted);
    if (reading.kind === "refuse") options.refuse(reading.code, reading.peer, reading.text);
    else if (reading.kind === "invalid") options.logger.warn({ code: reading.code, from: reading.peer }, reading.text);
    else if (reading.kind === "message") {
      if (reading.message.type === "MsgRollCall") options.onRollCall(reading.message, reading.from);
      else options.onInstall(reading.message, reading.from);
    }
  };
  return {
    start() {
      pubsub.addEventListener("message", onMessage);
      for (const name of options.topicNames) pubsub.subscribe(name);
    },
    stop() {
      pubsub.removeEventListener("message", onMessage);
    },
  };
}
