/**
 * The state changes a block makes on its own (not from txs): rounds opening, closing and being scored. They are
 * computed once, written to the block log, and applied with the same function live and on replay, so a restart
 * rebuilds exactly the state that was acknowledged and never scores a round twice.
 */
import { DENOM } from "@allora/protocol";
import { MODULE_ACCOUNTS } from "../state/address.js";
import { type ChainState, ROUNDS_KEPT_PER_TOPIC, type WorkerOutcome } from "../state/chain-state.js";

/** A round opened at the end of block `nonce`. Times are block times in ms. */
interface RoundOpenedEvent {
  type: "round_opened";
  topic_id: string;
  nonce: string;
  opened_at_ms: number;
  closes_at_ms: number;
  truth_at_ms: number;
}

/** A round's window closed; the network inference is fixed now (null when nobody submitted). */
interface RoundClosedEvent {
  type: "round_closed";
  topic_id: string;
  nonce: string;
  network: { combined: number; naive: number; weights: Record<string, number>; one_out: Record<string, number> } | null;
}

/** A round's truth was revealed and it was scored; `minted` uallo were paid out as `workers[].reward`. */
interface RoundScoredEvent {
  type: "round_scored";
  topic_id: string;
  nonce: string;
  truth: string;
  network_loss: number | null;
  minted: string;
  instant_scores: number[];
  /** Each worker's {@link WorkerOutcome}, with its address and the reward as a decimal string. */
  workers: Array<Omit<WorkerOutcome, "reward"> & { address: string; reward: string }>;
}

/** Any state change a block makes by itself. */
export type RoundEvent = RoundOpenedEvent | RoundClosedEvent | RoundScoredEvent;

/** Applies one event to the state; `height` is the block's, `maxSamples` the score history length. */
export function applyRoundEvent(state: ChainState, event: RoundEvent, height: bigint, maxSamples: number): void {
  const topicId = BigInt(event.topic_id);
  const nonce = BigInt(event.nonce);
  switch (event.type) {
    case "round_opened": {
      const topic = state.topic(topicId);
      if (topic) {
        topic.lastOpenedAtMs = event.opened_at_ms;
        topic.lastOpenedNonce = nonce;
      }
      state.roundsOf(topicId).set(nonce.toString(), {
        topicId,
        nonce,
        openedAtMs: event.opened_at_ms,
        closesAtMs: event.closes_at_ms,
        truthAtMs: event.truth_at_ms,
        status: "open",
        inferences: new Map(),
        closedAtHeight: undefined,
        scoredAtHeight: undefined,
        network: undefined,
        result: undefined,
      });
      return;
    }
    case "round_closed": {
      const round = state.round(topicId, nonce);
      if (!round) return;
      round.status = "closed";
      round.closedAtHeight = height;
      round.network = event.network
        ? {
            combined: event.network.combined,
            naive: event.network.naive,
            weights: event.network.weights,
            oneOut: event.network.one_out,
          }
        : undefined;
      return;
    }
    case "round_scored": {
      const round = state.round(topicId, nonce);
      const minted = BigInt(event.minted);
      state.minted += minted;
      state.credit(MODULE_ACCOUNTS.rewards, DENOM, minted);
      const outcomes: Record<string, WorkerOutcome> = {};
      let rewardTotal = 0n;
      for (const w of event.workers) {
        const reward = BigInt(w.reward);
        rewardTotal += reward;
        state.transfer(MODULE_ACCOUNTS.rewards, w.address, DENOM, reward);
        const stats = state.statsOf(topicId, w.address);
        stats.regret = w.regret;
        stats.ema = w.ema;
        stats.lastScore = w.score;
        stats.lastScoredNonce = nonce;
        stats.cumulativeReward += reward;
        stats.roundsScored += 1;
        const { address: _, ...outcome } = w;
        outcomes[w.address] = { ...outcome, reward };
      }
      if (event.instant_scores.length > 0) {
        const key = topicId.toString();
        const history = state.scoreHistory.get(key) ?? [];
        history.push(event.instant_scores);
        while (history.length > maxSamples) history.shift();
        state.scoreHistory.set(key, history);
      }
      if (round) {
        round.status = "scored";
        round.scoredAtHeight = height;
        round.result = {
          truth: event.truth,
          networkLoss: event.network_loss ?? undefined,
          workers: outcomes,
          rewardTotal,
        };
        pruneRounds(state, topicId);
      }
      return;
    }
  }
}

function pruneRounds(state: ChainState, topicId: bigint): void {
  const rounds = state.roundsOf(topicId);
  if (rounds.size <= ROUNDS_KEPT_PER_TOPIC) return;
  for (const [key, round] of rounds) {
    if (rounds.size <= ROUNDS_KEPT_PER_TOPIC) break;
    if (round.status === "scored") rounds.delete(key);
  }
}
