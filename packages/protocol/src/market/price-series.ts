/**
 * The market: a deterministic price series per token, computed from a secret seed and a unix time in seconds.
 * The chain holds the seed (so nobody can compute the future without it) and serves the past; tests use the same
 * generator to know the truth.
 *
 * The log price is a sum of slow sinusoids with seeded periods, amplitudes and phases (a smooth, trending market
 * whose near future can be estimated from its past by a good model) plus small per-second noise.
 */
import { createHash } from "node:crypto";

/** Options of {@link createPriceSeries}. */
export interface PriceSeriesOptions {
  /** Secret seed (genesis). */
  seed: string;
  /** Token symbol, e.g. `ETH`. */
  token: string;
  /** Price level the series moves around (default from {@link defaultBasePrice}). */
  basePrice?: number;
}

/** A deterministic price series. */
export interface PriceSeries {
  readonly token: string;
  /** The price at a unix time in seconds (fractions are floored). */
  priceAt(unixSeconds: number): number;
}

const BASE_PRICES: Record<string, number> = { ETH: 3000, BTC: 60000, SOL: 150, ARB: 1.2 };

/** The level a token's series moves around: ETH 3000, BTC 60000, SOL 150, ARB 1.2, otherwise 100. */
export function defaultBasePrice(token: string): number {
  return BASE_PRICES[token.toUpperCase()] ?? 100;
}

/** A seeded uniform generator (xorshift128+ on 32-bit halves is enough here; splitmix32 keeps it tiny). */
function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    z = (z ^ (z >>> 16)) >>> 0;
    return z / 2 ** 32;
  };
}

function hash32(a: number, b: number): number {
  let h = Math.imul(a ^ 0x5bd1e995, 0x27d4eb2d) ^ b;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
  return (h ^ (h >>> 15)) >>> 0;
}

const COMPONENTS = 7;
const NOISE = 0.0002;

/**
 * A deterministic price series for one token.
 *
 * @example
 * ```ts
 * const eth = createPriceSeries({ seed: "genesis-secret", token: "ETH" })
 * eth.priceAt(1_750_000_000) // 3012.77…, the same on every machine
 * ```
 */
export function createPriceSeries(options: PriceSeriesOptions): PriceSeries {
  const token = options.token.toUpperCase();
  const digest = createHash("sha256").update(`${options.seed}\u0000${token}`).digest();
  const seedA = digest.readUInt32LE(0);
  const seedB = digest.readUInt32LE(4);
  const rand = splitmix32(seedA);
  const logBase = Math.log(options.basePrice ?? defaultBasePrice(token));
  const waves: Array<{ omega: number; amplitude: number; phase: number }> = [];
  for (let k = 0; k < COMPONENTS; k++) {
    const period = 300 * 2 ** k * (0.8 + 0.4 * rand());
    waves.push({
      omega: (2 * Math.PI) / period,
      amplitude: 0.004 * Math.sqrt(period / 300) * (0.6 + 0.8 * rand()),
      phase: 2 * Math.PI * rand(),
    });
  }
  const noiseAt = (t: number): number => {
    const u1 = (hash32(seedB, t) + 1) / 2 ** 32;
    const u2 = hash32(seedB ^ 0x68e31da4, t) / 2 ** 32;
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  };
  return {
    token,
    priceAt(unixSeconds: number): number {
      const t = Math.floor(unixSeconds);
      let x = logBase;
      for (const w of waves) x += w.amplitude * Math.sin(w.omega * t + w.phase);
      x += NOISE * noiseAt(t >>> 0);
      return Math.exp(x);
    },
  };
}
