/**
 * What happens at the end of every block, in this order: rounds whose window is over close (fixing the network
 * inference), closed rounds whose truth time has come are scored and paid, and every topic whose cadence has
 * elapsed opens a round named by this block's height. Each step is applied before the next is computed, so a
 * round can close and be scored in the same block.
 */
import type { ChainParams } from "../genesis/params.js";
import type { Market } from "../market/market.js";
import { computeNetworkInference } from "../scoring/network-inference.js";
import { scoreRound } from "../scoring/score-round.js";
import type { ChainState, Round, Topic } from "../state/chain-state.js";
import {
  applyRoundEvent,
  type RoundClosedEvent,
  type RoundEvent,
  type RoundOpenedEvent,
  type RoundScoredEvent,
} from "./round-events.js";

/** What the end of a block needs. */
export interface EndBlockContext {
  height: bigint;
  timeMs: number;
  params: ChainParams;
  market: Market;
}

function roundsWithStatus(state: ChainState, status: Round["status"]): Round[] {
  const out: Round[] = [];
  const topicIds = [...state.topics.values()].map((t) => t.id).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const id of topicIds) {
    for (const round of state.roundsOf(id).values()) if (round.status === status) out.push(round);
  }
  return out;
}

/** Computes the block's own state changes, applies them, and returns them for the block log. */
export function runEndBlock(state: ChainState, ctx: EndBlockContext): RoundEvent[] {
  const events: RoundEvent[] = [];
  const emit = (event: RoundEvent | undefined) => {
    if (!event) return;
    applyRoundEvent(state, event, ctx.height, ctx.params.maxSamplesToScaleScores);
    events.push(event);
  };
  for (const round of roundsWithStatus(state, "open")) {
    if (ctx.timeMs >= round.closesAtMs) emit(closeRound(state, round, ctx.params));
  }
  for (const round of roundsWithStatus(state, "closed")) {
    if (ctx.timeMs >= round.truthAtMs) emit(scoreClosedRound(state, round, ctx));
  }
  for (const topic of topicsById(state)) emit(openRoundIfDue(topic, ctx));
  return events;
}

function topicsById(state: ChainState): Topic[] {
  return [...state.topics.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The round's window is over: fixes its network inference (none when nobody submitted). */
function closeRound(state: ChainState, round: Round, params: ChainParams): RoundClosedEvent {
  const inferences = [...round.inferences.values()].map((i) => ({ worker: i.worker, value: Number(i.value) }));
  const network =
    inferences.length === 0
      ? null
      : computeNetworkInference(inferences, (w) => state.statsOf(round.topicId, w).regret, params);
  return {
    type: "round_closed",
    topic_id: round.topicId.toString(),
    nonce: round.nonce.toString(),
    network: network && {
      combined: network.combined,
      naive: network.naive,
      weights: network.weights,
      one_out: network.oneOut,
    },
  };
}

/** The round's truth time has come: scores and pays it (nothing is minted for a round nobody answered). */
function scoreClosedRound(state: ChainState, round: Round, ctx: EndBlockContext): RoundScoredEvent | undefined {
  const topic = state.topic(round.topicId);
  if (!topic) return undefined;
  const { params } = ctx;
  const truth = ctx.market.priceAt(topic.defaultArg, round.truthAtMs / 1000);
  const inferences = [...round.inferences.values()].map((i) => ({ worker: i.worker, value: i.value }));
  const scored = {
    type: "round_scored",
    topic_id: round.topicId.toString(),
    nonce: round.nonce.toString(),
    truth,
  } as const;
  if (inferences.length === 0 || !round.network) {
    return { ...scored, network_loss: null, minted: "0", instant_scores: [], workers: [] };
  }
  const outcome = scoreRound({
    inferences,
    network: round.network,
    truth: Number(truth),
    previous: (w) => {
      const stats = state.statsOf(round.topicId, w);
      return { regret: stats.regret, ema: stats.ema };
    },
    history: state.scoreHistory.get(round.topicId.toString()) ?? [],
    pot: params.rewardPerRound,
    params,
  });
  return {
    ...scored,
    network_loss: outcome.networkLoss,
    minted: params.rewardPerRound.toString(),
    instant_scores: outcome.instantScores,
    workers: Object.entries(outcome.workers).map(([address, w]) => ({ address, ...w, reward: w.reward.toString() })),
  };
}

/** Opens a round named by this block's height when the topic's cadence has elapsed. */
function openRoundIfDue(topic: Topic, ctx: EndBlockContext): RoundOpenedEvent | undefined {
  const cadenceMs = Number(topic.inferenceCadence) * 1000;
  if (topic.lastOpenedAtMs !== undefined && ctx.timeMs - topic.lastOpenedAtMs < cadenceMs) return undefined;
  if (topic.lastOpenedNonce === ctx.height) return undefined;
  // The truth is the price at a whole second no earlier than open time + lag, so it is never already in the
  // served past while the round still accepts inferences.
  const truthSecond = Math.ceil(ctx.timeMs / 1000) + Number(topic.groundTruthLag);
  return {
    type: "round_opened",
    topic_id: topic.id.toString(),
    nonce: ctx.height.toString(),
    opened_at_ms: ctx.timeMs,
    closes_at_ms: ctx.timeMs + Number(topic.submissionWindow) * 1000,
    truth_at_ms: truthSecond * 1000,
  };
}
