/**
 * Prediction models of different skill, so a network has something to rank. Each reads past prices only
 * (oldest first, one per second) and predicts the price `horizon` seconds after the last one.
 */
import { createHash } from "node:crypto";
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

/**
 * The noisy model's random source for one prediction when its noise is seeded: a function of the seed, the token
 * and the second the prediction is made from only, so the same seed gives the same answer for the same second on
 * every run and machine (two servers with different seeds draw independently).
 */
export function seededRandom(seed: string, token: string, asOf: number): () => number {
  let state = createHash("sha256")
    .update(`${seed}\u0000${token.toUpperCase()}\u0000${Math.floor(asOf)}`)
    .digest()
    .readUInt32LE(0);
  // splitmix32
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return ((z ^ (z >>> 16)) >>> 0) / 2 ** 32;
  };
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
