/**
 * Step 2 of an execute, pick: the roll call. The head asks the topic's workers who can run the function now and
 * chooses per `number_of_nodes`. {@link RollCallTally} makes every decision (who counts as having answered, when the
 * roll call is over, who is chosen) as plain state; {@link runRollCall} only sends, listens and waits.
 */
import type { P2pHost } from "@allora/p2p";
import { encodeP2pMessage, type MsgRollCall, type MsgRollCallResponse, type PeerFailure } from "@allora/protocol";
import type { WorkerSessions } from "../network/worker-sessions.js";
import type { ExecutePlan } from "./check-request.js";

/** How a roll call ended: every expected worker answered or enough accepted, or its window passed. */
export type RollCallEnd = "complete" | "timeout";

/** The answers of one roll call and the decisions they lead to. */
export class RollCallTally {
  /** Workers that accepted, in the order they did. */
  readonly accepted: string[] = [];
  /** Workers that declined, with why. */
  readonly declined = new Map<string, PeerFailure>();

  constructor(
    /** Workers expected to answer: connected subscribers, plus any other peer that answered. */
    readonly expected: Set<string>,
    /** How many to choose; -1 is every worker that accepts. */
    readonly wanted: number,
    /** The function the roll call is for; answers about another are ignored. */
    readonly cid: string,
  ) {}

  /** Records one answer; `undefined` when it is ignored (a second answer, or one about another function). */
  record(peer: string, response: MsgRollCallResponse): "accepted" | "declined" | undefined {
    if (this.accepted.includes(peer) || this.declined.has(peer) || response.function_id !== this.cid) return undefined;
    this.expected.add(peer);
    if (response.code === "202") {
      this.accepted.push(peer);
      return "accepted";
    }
    this.declined.set(peer, {
      code: response.error_code ?? `ROLL_CALL_${response.code}`,
      message: response.message ?? `declined with ${response.code}`,
    });
    return "declined";
  }

  /** Whether waiting longer can change the outcome: enough accepted, everyone answered, or too few can still accept. */
  isSettled(): boolean {
    const answered = this.accepted.length + this.declined.size;
    if (this.wanted > 0 && this.accepted.length >= this.wanted) return true;
    if ([...this.expected].every((p) => this.accepted.includes(p) || this.declined.has(p))) return true;
    return this.wanted > 0 && this.accepted.length + (this.expected.size - answered) < this.wanted;
  }

  /** The chosen workers: the first `wanted` that accepted, or every one with `wanted` -1. */
  chosen(): string[] {
    return this.wanted > 0 ? this.accepted.slice(0, this.wanted) : [...this.accepted];
  }

  /** Whether the roll call found too few workers to run the request. */
  isShort(): boolean {
    const chosen = this.chosen().length;
    return chosen === 0 || (this.wanted > 0 && chosen < this.wanted);
  }
}

/**
 * The workers a roll call expects answers from: the connected subscribers of `topic`, and every worker whose session
 * hello says it serves `topic`. The session counts on its own because a worker's gossip subscription can lag behind
 * its session, or never reach the head at all: a worker that reconnected while the head was overloaded (a hundred
 * workers on one machine) had its session back but stayed unknown to gossip, and so was never asked.
 */
export function rollCallWorkers(host: P2pHost, sessions: Pick<WorkerSessions, "all">, topic: string): Set<string> {
  const expected = new Set(
    host.services.pubsub
      .getSubscribers(topic)
      .filter((peer) => host.getConnections(peer).length > 0)
      .map((peer) => peer.toString()),
  );
  for (const session of sessions.all()) {
    if (!session.channel.isClosed && session.hello?.topics.includes(topic)) expected.add(session.peerId);
  }
  return expected;
}

/** The roll call of a plan. A chain round travels with it only on the priority lane (the chain's own requests). */
export function makeRollCall(plan: ExecutePlan, requestId: string, origin: string, priority: boolean): MsgRollCall {
  return {
    type: "MsgRollCall",
    origin,
    function_id: plan.cid,
    request_id: requestId,
    topic: plan.topic,
    consensus: 0,
    ...(priority && plan.chainRound ? { chain_round: plan.chainRound } : {}),
  };
}

/** Where a roll call goes: the workers' sessions first, then the topic's gossip. */
export interface RollCallChannels {
  sessions: Pick<WorkerSessions, "get" | "listenRollCall">;
  /** Publishes on the topic's gossip; rejects when it cannot. */
  publish(topic: string, bytes: Uint8Array): Promise<unknown>;
}

/** One roll call to run. */
export interface RollCallInput {
  message: MsgRollCall;
  tally: RollCallTally;
  windowMs: number;
  /**
   * Called (with `wanted` -1 only) for each worker that gets the roll call on its session or accepts it, so its
   * execute goes out at once and the roll call and the runs overlap; a worker that declines drops it.
   */
  dispatchEarly?: (peer: string) => void;
}

/** What a roll call came to. */
export type RollCallOutcome = { end: RollCallEnd } | { end: "unpublished"; reason: string };

/**
 * Runs a roll call: listens for answers, sends it on every expected worker's session (a fraction of a millisecond)
 * and, unless every expected worker got it there, on the topic's gossip (which reaches every subscriber, with or
 * without a session, a millisecond or two later; a worker answers the first copy it gets), and resolves when the
 * tally is settled or the window passes.
 */
export async function runRollCall(channels: RollCallChannels, input: RollCallInput): Promise<RollCallOutcome> {
  const { message, tally } = input;
  const early = tally.wanted < 0 ? input.dispatchEarly : undefined;
  let finish: (end: RollCallEnd) => void = () => {};
  const done = new Promise<RollCallEnd>((resolve) => {
    finish = resolve;
  });
  const stopListening = channels.sessions.listenRollCall(message.request_id, (peer, response) => {
    const verdict = tally.record(peer, response);
    if (verdict === undefined) return;
    if (verdict === "accepted") early?.(peer);
    if (tally.isSettled()) finish("complete");
  });
  const windowTimer = setTimeout(() => finish("timeout"), input.windowMs);
  try {
    const expected = tally.expected.size;
    let onSessions = 0;
    for (const peer of tally.expected) {
      if (!sendOnSession(channels, peer, message)) continue;
      onSessions++;
      early?.(peer);
    }
    try {
      // Gossip is for the workers a session did not reach; when every one got it there, a gossip copy would only
      // cost each worker a signature check and a forward per mesh peer.
      if (onSessions < expected || expected === 0) await channels.publish(message.topic, encodeP2pMessage(message));
    } catch (err) {
      return {
        end: "unpublished",
        reason: `could not publish the roll call on ${message.topic}: ${(err as Error).message}`,
      };
    }
    return { end: await done };
  } finally {
    clearTimeout(windowTimer);
    stopListening();
  }
}

/** Sends the roll call on a worker's session; false when it has none open (the gossip copy still reaches it). */
function sendOnSession(channels: RollCallChannels, peer: string, message: MsgRollCall): boolean {
  const session = channels.sessions.get(peer);
  if (!session || session.channel.isClosed) return false;
  try {
    session.channel.send(message);
    return true;
  } catch {
    return false;
  }
}
