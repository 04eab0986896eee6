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
import type { ChainState, Round } from "../state/chain-state.js";
import { applyRoundEvent, type RoundEvent } from "./round-events.js";

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
  const emit = (event: RoundEvent) => {
    applyRoundEvent(state, event, ctx.height, ctx.params.maxSamplesToScaleScores);
    events.push(event);
  };
  const { params } = ctx;

  for (const round of roundsWithStatus(state, "open")) {
    if (ctx.timeMs < round.closesAtMs) continue;
    const inferences = [...round.inferences.values()].map((i) => ({ worker: i.worker, value: Number(i.value) }));
    const network =
      inferences.length === 0
        ? null
        : computeNetworkInference(inferences, (w) => state.statsOf(round.topicId, w).regret, params);
    emit({
      type: "round_closed",
      topic_id: round.topicId.toString(),
      nonce: round.nonce.toString(),
      network: network && {
        combined: network.combined,
        naive: network.naive,
        weights: network.weights,
        one_out: network.oneOut,
      },
    });
  }

  for (const round of roundsWithStatus(state, "closed")) {
    if (ctx.timeMs < round.truthAtMs) continue;
    const topic = state.topic(round.topicId);
    if (!topic) continue;
    const truth = ctx.market.priceAt(topic.defaultArg, round.truthAtMs / 1000);
    const inferences = [...round.inferences.values()].map((i) => ({ worker: i.worker, value: i.value }));
    if (inferences.length === 0 || !round.network) {
      emit({
        type: "round_scored",
        topic_id: round.topicId.toString(),
        nonce: round.nonce.toString(),
        truth,
        network_loss: null,
        minted: "0",
        instant_scores: [],
        workers: [],
      });
      continue;
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
    emit({
      type: "round_scored",
      topic_id: round.topicId.toString(),
      nonce: round.nonce.toString(),
      truth,
      network_loss: outcome.networkLoss,
      minted: params.rewardPerRound.toString(),
      instant_scores: outcome.instantScores,
      workers: Object.entries(outcome.workers).map(([address, w]) => ({
        address,
        ...w,
        reward: w.reward.toString(),
      })),
    });
  }

  const topics = [...state.topics.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const topic of topics) {
    const cadenceMs = Number(topic.inferenceCadence) * 1000;
    if (topic.lastOpenedAtMs !== undefined && ctx.timeMs - topic.lastOpenedAtMs < cadenceMs) continue;
    if (topic.lastOpenedNonce === ctx.height) continue;
    // The truth is the price at a whole second no earlier than open time + lag, so it is never already in the
    // served past while the round still accepts inferences.
    const truthSecond = Math.ceil(ctx.timeMs / 1000) + Number(topic.groundTruthLag);
    emit({
      type: "round_opened",
      topic_id: topic.id.toString(),
      nonce: ctx.height.toString(),
      opened_at_ms: ctx.timeMs,
      closes_at_ms: ctx.timeMs + Number(topic.submissionWindow) * 1000,
      truth_at_ms: truthSecond * 1000,
    });
  }
  return events;
}
