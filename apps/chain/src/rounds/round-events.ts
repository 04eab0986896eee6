/**
 * The state changes a block makes on its own (not from txs): rounds opening, closing and being scored. They are
 * computed once, written to the block log, and applied with the same function live and on replay, so a restart
 * rebuilds exactly the state that was acknowledged and never scores a round twice.
 */
import { DENOM } from "@allora/protocol";
import { MODULE_ACCOUNTS } from "../state/address.js";
import { type ChainState, ROUNDS_KEPT_PER_TOPIC, type WorkerOutcome } from "../state/chain-state.js";

/** A round opened at the end of block `nonce`. Times are block times in ms. */
export interface RoundOpenedEvent {
  type: "round_opened";
  topic_id: string;
  nonce: string;
  opened_at_ms: number;
  closes_at_ms: number;
  truth_at_ms: number;
}

/** A round's window closed; the network inference is fixed now (null when nobody submitted). */
export interface RoundClosedEvent {
  type: "round_closed";
  topic_id: string;
  nonce: string;
  network: { combined: number; naive: number; weights: Record<string, number>; one_out: Record<string, number> } | null;
}

/** A round's truth was revealed and it was scored; `minted` uallo were paid out as `workers[].reward`. */
export interface RoundScoredEvent {
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
  switch (event.type) {
    case "round_opened":
      applyRoundOpened(state, event);
      return;
    case "round_closed":
      applyRoundClosed(state, event, height);
      return;
    case "round_scored":
      applyRoundScored(state, event, height, maxSamples);
      return;
  }
}

function applyRoundOpened(state: ChainState, event: RoundOpenedEvent): void {
  const topicId = BigInt(event.topic_id);
  const nonce = BigInt(event.nonce);
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
}

function applyRoundClosed(state: ChainState, event: RoundClosedEvent, height: bigint): void {
  const round = state.round(BigInt(event.topic_id), BigInt(event.nonce));
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
}

function applyRoundScored(state: ChainState, event: RoundScoredEvent, height: bigint, maxSamples: number): void {
  const topicId = BigInt(event.topic_id);
  const nonce = BigInt(event.nonce);
  const round = state.round(topicId, nonce);
  const minted = BigInt(event.minted);
  state.minted += minted;
  state.credit(MODULE_ACCOUNTS.rewards, DENOM, minted);
  const outcomes: Record<string, WorkerOutcome> = {};
  let rewardTotal = 0n;
  for (const w of event.workers) {
    const reward = payWorker(state, topicId, nonce, w);
    rewardTotal += reward;
    const { address: _, ...outcome } = w;
    outcomes[w.address] = { ...outcome, reward };
  }
  if (event.instant_scores.length > 0) recordScores(state, topicId, event.instant_scores, maxSamples);
  if (round) {
    round.status = "scored";
    round.scoredAtHeight = height;
    round.result = { truth: event.truth, networkLoss: event.network_loss ?? undefined, workers: outcomes, rewardTotal };
    pruneRounds(state, topicId);
  }
}

/** Pays a scored worker its reward from the rewards account and updates its stats; returns the reward. */
function payWorker(state: ChainState, topicId: bigint, nonce: bigint, w: RoundScoredEvent["workers"][number]): bigint {
  const reward = BigInt(w.reward);
  state.transfer(MODULE_ACCOUNTS.rewards, w.address, DENOM, reward);
  const stats = state.statsOf(topicId, w.address);
  stats.regret = w.regret;
  stats.ema = w.ema;
  stats.lastScore = w.score;
  stats.lastScoredNonce = nonce;
  stats.cumulativeReward += reward;
  stats.roundsScored += 1;
  return reward;
}

/** Keeps the last `maxSamples` rounds of instant scores of a topic (what the score scaling looks back over). */
function recordScores(state: ChainState, topicId: bigint, scores: number[], maxSamples: number): void {
  const key = topicId.toString();
  const history = state.scoreHistory.get(key) ?? [];
  history.push(scores);
  while (history.length > maxSamples) history.shift();
  state.scoreHistory.set(key, history);
}

function pruneRounds(state: ChainState, topicId: bigint): void {
  const rounds = state.roundsOf(topicId);
  if (rounds.size <= ROUNDS_KEPT_PER_TOPIC) return;
  for (const [key, round] of rounds) {
    if (rounds.size <= ROUNDS_KEPT_PER_TOPIC) break;
    if (round.status === "scored") rounds.delete(key);
  }
}
