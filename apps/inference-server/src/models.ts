/**
 * Prediction models of different skill, so a network has something to rank. Each reads past prices only
 * (oldest first, one per second) and predicts the price `horizon` seconds after the last one.
 */
import type { ModelName } from "./config.js";

/** One price point. */
export interface PricePoint {
  time: number;
  price: number;
}

/** Model parameters. */
export interface ModelOptions {
  horizon: number;
  noise: number;
  /** Uniform random source in [0, 1) (injected so tests are deterministic). */
  random: () => number;
}

function gaussian(random: () => number): number {
  const u1 = Math.max(random(), Number.MIN_VALUE);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * random());
}

/** Least-squares line through the history, extrapolated to the horizon: follows the market's trend. */
function trend(history: readonly PricePoint[], horizon: number): number {
  const n = history.length;
  const t0 = (history[n - 1] as PricePoint).time;
  let sx = 0;
  let sy = 0;
  for (const p of history) {
    sx += p.time - t0;
    sy += p.price;
  }
  const mx = sx / n;
  const my = sy / n;
  let cov = 0;
  let varX = 0;
  for (const p of history) {
    cov += (p.time - t0 - mx) * (p.price - my);
    varX += (p.time - t0 - mx) ** 2;
  }
  const slope = varX === 0 ? 0 : cov / varX;
  return my + slope * (horizon - mx);
}

/** Predicts with the named model. Throws when there is no history. */
export function predict(model: ModelName, history: readonly PricePoint[], options: ModelOptions): number {
  const last = history.at(-1);
  if (!last) throw new Error("no price history to predict from");
  switch (model) {
    case "trend":
      return history.length < 2 ? last.price : trend(history, options.horizon);
    case "naive":
      return last.price;
    case "mean":
      return history.reduce((s, p) => s + p.price, 0) / history.length;
    case "noisy":
      return last.price * (1 + options.noise * gaussian(options.random));
  }
}
