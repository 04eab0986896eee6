/**
 * Step 5 of an execute, explain: the `message` of every outcome that is not a plain success, written for the person
 * who sent the request: what the head saw, how many workers did what, and each one's code.
 */
import type { PeerFailure } from "@allora/protocol";
import type { WorkerSession } from "../network/worker-sessions.js";
import type { ExecutePlan } from "./check-request.js";
import type { CollectedAnswers } from "./collect.js";
import type { RollCallEnd, RollCallTally } from "./roll-call.js";

/** A peer id short enough for a message. */
export function shortPeer(peer: string): string {
  return peer.length > 16 ? `${peer.slice(0, 8)}…${peer.slice(-6)}` : peer;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * Why no roll call is worth sending, before sending it: no subscribed worker is connected, or fewer than the request
 * asks for; undefined when the roll call should go out.
 */
export function explainNoWorkers(
  plan: ExecutePlan,
  subscribed: number,
  connected: readonly WorkerSession[],
  elapsedMs: number,
): string | undefined {
  const detail = noWorkerDetail(plan, subscribed, connected, elapsedMs);
  return detail === undefined
    ? undefined
    : `roll call for topic ${plan.topicId} (${plan.topic}) got no worker: ${detail}`;
}

function noWorkerDetail(
  plan: ExecutePlan,
  subscribed: number,
  connected: readonly WorkerSession[],
  elapsedMs: number,
): string | undefined {
  const { topic } = plan;
  if (subscribed === 0) {
    if (connected.length === 0) return `no worker is connected to this head; answered in ${elapsedMs} ms`;
    const otherTopics = [...new Set(connected.flatMap((s) => s.hello?.topics ?? []))];
    return `none of the ${plural(connected.length, "connected worker")} is subscribed to ${topic} (they serve ${otherTopics.join(", ") || "no topic"}); answered in ${elapsedMs} ms`;
  }
  if (plan.wanted > subscribed) {
    return `the request asks for ${plan.wanted} workers but only ${plural(subscribed, "connected worker")} serve${subscribed === 1 ? "s" : ""} it; answered in ${elapsedMs} ms`;
  }
  return undefined;
}

/** Why a roll call that went out found too few workers. */
export function explainShortRollCall(
  plan: ExecutePlan,
  tally: RollCallTally,
  end: RollCallEnd,
  rollCallMs: number,
): string {
  const { accepted, declined, expected, wanted } = tally;
  const reasons = [...declined].map(([peer, f]) => `${shortPeer(peer)}: ${f.code} (${f.message})`);
  const counted = `${plural(expected.size, "connected worker")} subscribed, ${accepted.length + declined.size} answered, ${accepted.length} accepted`;
  const why =
    end === "timeout"
      ? `roll call for topic ${plan.topicId} timed out after ${plan.rollCallMs} ms: ${counted}`
      : `roll call for topic ${plan.topicId} ended after ${rollCallMs} ms without enough workers: ${counted}`;
  return `${why}${wanted > 0 ? ` (needed ${wanted})` : ""}${reasons.length > 0 ? `; declined: ${reasons.join("; ")}` : ""}`;
}

/** What an execute that ran should tell its caller, one note per fact; empty for a plain success. */
export interface OutcomeFacts {
  plan: ExecutePlan;
  chosen: readonly string[];
  collected: CollectedAnswers;
  declined: ReadonlyMap<string, PeerFailure>;
  /** Peers that returned a result but are not registered on the topic. */
  unregistered: readonly string[] | undefined;
}

/** The notes of an outcome (see {@link OutcomeFacts}); `reachedThreshold`: whether the results reached it. */
export function explainOutcome(facts: OutcomeFacts, reachedThreshold: boolean): string[] {
  const { plan, collected, declined } = facts;
  const { failures, unanswered } = collected;
  const notes: string[] = [];
  if (!reachedThreshold)
    notes.push(
      `${collected.outputs.length} of ${plural(facts.chosen.length, "chosen worker")} returned a result (threshold ${Math.round(plan.threshold * 100)}%)`,
    );
  if (unanswered.length > 0) {
    notes.push(`no answer from ${unanswered.map((p) => `${p} (${failures[p]?.code})`).join(", ")}`);
  }
  const failed = Object.entries(failures).filter(([p]) => !unanswered.includes(p) && !declined.has(p));
  if (declined.size > 0) {
    notes.push(`declined the roll call: ${[...declined].map(([p, f]) => `${shortPeer(p)} ${f.code}`).join(", ")}`);
  }
  if (failed.length > 0)
    notes.push(`failed: ${failed.map(([p, f]) => `${shortPeer(p)} ${f.code}: ${f.message}`).join("; ")}`);
  if (facts.unregistered && facts.unregistered.length > 0) {
    notes.push(
      `not registered on the chain for topic ${plan.topicId}: ${facts.unregistered.map(shortPeer).join(", ")}`,
    );
  }
  return notes;
}
