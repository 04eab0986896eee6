/**
 * The network inference of a round: inferences combined with weights that come from each worker's regret (how
 * much better than the network it has been). New workers start from a low quantile of the others' regrets; when
 * every worker is new, the combination is a plain average.
 */
import type { NetworkSnapshot } from "../state/chain-state.js";
import { phiGradient, quantile, stdDev } from "./math.js";

/** The constants the weights depend on. */
export interface NetworkWeightParams {
  pNorm: number;
  cNorm: number;
  epsilon: number;
}

/** One worker's inference as a number. */
export interface NumericInference {
  worker: string;
  value: number;
}

/** Quantile of the experienced workers' regrets that a newcomer starts from. */
const NEW_WORKER_REGRET_QUANTILE = 0.25;

function weightedMean(items: readonly NumericInference[], weights: Record<string, number>): number {
  let sum = 0;
  let total = 0;
  for (const { worker, value } of items) {
    const w = weights[worker] ?? 0;
    sum += w * value;
    total += w;
  }
  if (total > 0) return sum / total;
  // All weights vanished: fall back to the plain average rather than dividing by zero.
  return items.reduce((a, b) => a + b.value, 0) / Math.max(items.length, 1);
}

/** The weight of each worker from its regret (undefined = new worker). */
function networkWeights(
  workers: readonly string[],
  regretOf: (worker: string) => number | undefined,
  params: NetworkWeightParams,
): Record<string, number> {
  const known = workers.map(regretOf).filter((r): r is number => r !== undefined);
  const weights: Record<string, number> = {};
  if (known.length === 0) {
    for (const w of workers) weights[w] = 1;
    return weights;
  }
  const initial = quantile(known, NEW_WORKER_REGRET_QUANTILE) ?? 0;
  const regrets = workers.map((w) => regretOf(w) ?? initial);
  const { pNorm: p, cNorm: c, epsilon } = params;
  const sigma = stdDev(regrets);
  let normalised = regrets.map((r) => Math.min(r / (sigma + epsilon), c + 6.75 / p));
  const max = Math.max(...normalised);
  // Shift everyone up when even the best is deep in the flat part of the curve, so weights stay meaningful.
  if (max < c - 8.25 / p) normalised = normalised.map((x) => x + (c - 8.25 / p - max));
  workers.forEach((w, i) => {
    const x = normalised[i]!;
    weights[w] = x < c - 17.25 / p ? 0 : phiGradient(p, c, x);
  });
  return weights;
}

/** Combines a round's inferences into the network inference, its plain average and the one-out combinations. */
export function computeNetworkInference(
  inferences: readonly NumericInference[],
  regretOf: (worker: string) => number | undefined,
  params: NetworkWeightParams,
): NetworkSnapshot {
  const weights = networkWeights(
    inferences.map((i) => i.worker),
    regretOf,
    params,
  );
  const combined = weightedMean(inferences, weights);
  const naive = inferences.reduce((a, b) => a + b.value, 0) / Math.max(inferences.length, 1);
  const oneOut: Record<string, number> = {};
  for (const { worker } of inferences) {
    const others = inferences.filter((i) => i.worker !== worker);
    oneOut[worker] = others.length === 0 ? combined : weightedMean(others, weights);
  }
  return { combined, naive, weights, oneOut };
}
