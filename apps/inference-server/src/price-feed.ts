/**
 * Where a model reads past prices: the chain's price feed over HTTP, or (without a chain) the same seeded generator
 * the chain uses, limited to the past.
 */
import { AlloraError, createPriceSeries, type HttpAnswer, httpCall, type PriceSeries } from "@allora/protocol";
import type { PricePoint } from "./models.js";

/** A source of past prices. */
export interface PriceFeed {
  /** Prices from `from` to `to` (unix seconds, inclusive, never in the future), oldest first. */
  history(token: string, from: number, to: number): Promise<PricePoint[]>;
  readonly description: string;
}

/** Reads `GET {baseUrl}/allora/localnet/v1/prices/{token}?from=&to=`. */
export function createHttpPriceFeed(baseUrl: string, timeoutMs = 2000): PriceFeed {
  const base = baseUrl.replace(/\/+$/, "");
  return {
    description: `chain price feed at ${base}`,
    async history(token, from, to) {
      const url = `${base}/allora/localnet/v1/prices/${encodeURIComponent(token)}?from=${from}&to=${to}`;
      let res: HttpAnswer;
      try {
        res = await httpCall(url, { timeoutMs });
      } catch (cause) {
        throw new AlloraError("FEED_UNAVAILABLE", `price feed unreachable at ${url}: ${(cause as Error).message}`, {
          cause,
        });
      }
      if (res.status === 404) throw new AlloraError("TOKEN_UNKNOWN", `the price feed has no token ${token}`);
      if (res.status < 200 || res.status > 299) {
        throw new AlloraError("FEED_UNAVAILABLE", `price feed answered HTTP ${res.status} for ${url}`);
      }
      const body = parseJsonBody(res.text, url);
      return (body.prices ?? []).map((p) => ({ time: Number(p.time), price: Number(p.price) }));
    },
  };
}

type PricesBody = { prices?: Array<{ time: number | string; price: string | number }> };

function parseJsonBody(text: string, url: string): PricesBody {
  try {
    return JSON.parse(text) as PricesBody;
  } catch (cause) {
    throw new AlloraError("FEED_UNAVAILABLE", `price feed at ${url} answered something that is not JSON`, { cause });
  }
}

/** Computes past prices from a market seed (the chain's own generator), never beyond `now`. */
export function createGeneratorPriceFeed(seed: string, now: () => number = () => Date.now() / 1000): PriceFeed {
  const series = new Map<string, PriceSeries>();
  return {
    description: "seeded generator (no chain)",
    async history(token, from, to) {
      const key = token.toUpperCase();
      let s = series.get(key);
      if (!s) {
        s = createPriceSeries({ seed, token: key });
        series.set(key, s);
      }
      const end = Math.min(Math.floor(to), Math.floor(now()));
      const out: PricePoint[] = [];
      for (let t = Math.floor(from); t <= end; t++) out.push({ time: t, price: s.priceAt(t) });
      return out;
    },
  };
}
