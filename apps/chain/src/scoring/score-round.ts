/**
 * Scoring one round once its truth is known (no reputers, no forecasters):
 *
 * - loss of each worker and of the network inference: log10 of the squared error;
 * - one-out score T_j = loss without j − network loss (how much the network needs j; 0 with a single worker);
 * - regret R_j ← α_r(network loss − loss_j) + (1 − α_r)R_j, and EMA score s_j ← α_m T_j + (1 − α_m)s_j
 *   (both start at their first value);
 * - reward fraction u_j ∝ φ_p(T_j / (σ_T + ε)) with σ_T the spread of the scores of the last rounds; an equal
 *   split when that spread is below ε; reward_j = floor(pot × u_j).
 */
import type { NetworkSnapshot, WorkerOutcome } from "../state/chain-state.js";
import { log10SquaredError, phi, stdDev } from "./math.js";

/** Constants of scoring. */
interface ScoreParams {
  alphaRegret: number;
  meritSortitionAlpha: number;
  pRewardInference: number;
  cRewardInference: number;
  epsilon: number;
  maxSamplesToScaleScores: number;
}

/** What scoring a round needs. */
export interface ScoreInput {
  inferences: ReadonlyArray<{ worker: string; value: string }>;
  network: NetworkSnapshot;
  truth: number;
  /** The worker's regret and EMA score before this round (undefined = never scored). */
  previous: (worker: string) => { regret: number | undefined; ema: number | undefined };
  /** Instant scores of earlier rounds of the topic, newest last. */
  history: readonly number[][];
  /** uallo to split. */
  pot: bigint;
  params: ScoreParams;
}

/** The outcome of a round. */
export interface ScoreOutput {
  networkLoss: number;
  workers: Record<string, WorkerOutcome>;
  rewardTotal: bigint;
  /** This round's instant scores, to append to the history. */
  instantScores: number[];
}

/** Precision of reward fractions when turning them into integer amounts. */
const FRACTION_SCALE = 1_000_000_000_000n;

export function scoreRound(input: ScoreInput): ScoreOutput {
  const { inferences, network, truth, params } = input;
  const n = inferences.length;
  const networkLoss = log10SquaredError(network.combined, truth);
  const rows = inferences.map(({ worker, value }) => {
    const loss = log10SquaredError(Number(value), truth);
    const oneOutLoss = log10SquaredError(network.oneOut[worker] ?? network.combined, truth);
    const score = n > 1 ? oneOutLoss - networkLoss : 0;
    const prev = input.previous(worker);
    const instantRegret = networkLoss - loss;
    const regret =
      prev.regret === undefined
        ? instantRegret
        : params.alphaRegret * instantRegret + (1 - params.alphaRegret) * prev.regret;
    const ema =
      prev.ema === undefined ? score : params.meritSortitionAlpha * score + (1 - params.meritSortitionAlpha) * prev.ema;
    return { worker, value, loss, score, regret, ema };
  });

  const instantScores = rows.map((r) => r.score);
  const samples = [...input.history.slice(-(params.maxSamplesToScaleScores - 1)), instantScores].flat();
  const sigma = stdDev(samples);
  let fractions: number[];
  if (sigma < params.epsilon) {
    fractions = rows.map(() => 1 / n);
  } else {
    const raw = rows.map((r) =>
      phi(params.pRewardInference, params.cRewardInference, r.score / (sigma + params.epsilon)),
    );
    const total = raw.reduce((a, b) => a + b, 0);
    fractions = total > 0 ? raw.map((m) => m / total) : rows.map(() => 1 / n);
  }

  const workers: Record<string, WorkerOutcome> = {};
  let rewardTotal = 0n;
  rows.forEach((row, i) => {
    const fraction = fractions[i]!;
    const reward = (input.pot * BigInt(Math.floor(fraction * Number(FRACTION_SCALE)))) / FRACTION_SCALE;
    rewardTotal += reward;
    workers[row.worker] = {
      value: row.value,
      loss: row.loss,
      score: row.score,
      regret: row.regret,
      ema: row.ema,
      fraction,
      reward,
    };
  });
  return { networkLoss, workers, rewardTotal, instantScores };
}
