/**
 * The market the chain knows: one deterministic price series per token, seeded at genesis. Prices are plain
 * decimal strings with 8 fraction digits; the same string is the truth a round is scored against and the value
 * the price feed serves, so a worker reading the feed sees exactly what the chain will use.
 */
import { createPriceSeries, formatDecimal, type PriceSeries } from "@allora/protocol";

/** Most points one price query returns. */
export const MAX_PRICE_POINTS = 3600;
/** Fraction digits of prices. */
const PRICE_DECIMALS = 8;

/** Prices of every token, from one seed. */
export interface Market {
  /** Price of `token` at a unix second, as a plain decimal string. */
  priceAt(token: string, unixSeconds: number): string;
}

export function createMarket(seed: string): Market {
  const series = new Map<string, PriceSeries>();
  return {
    priceAt(token, unixSeconds) {
      const symbol = token.toUpperCase();
      let s = series.get(symbol);
      if (!s) {
        s = createPriceSeries({ seed, token: symbol });
        series.set(symbol, s);
      }
      return formatDecimal(s.priceAt(unixSeconds), PRICE_DECIMALS);
    },
  };
}
