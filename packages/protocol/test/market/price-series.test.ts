import { describe, expect, it } from "vitest";
import {
  assertPlainDecimal,
  createPriceSeries,
  defaultBasePrice,
  formatDecimal,
  isPlainDecimal,
} from "../../src/index.js";

const T0 = 1_780_000_000;

describe("price series", () => {
  it("is deterministic for a seed and token, and differs across seeds and tokens", () => {
    const a = createPriceSeries({ seed: "s1", token: "ETH" });
    const b = createPriceSeries({ seed: "s1", token: "eth" });
    const c = createPriceSeries({ seed: "s2", token: "ETH" });
    const d = createPriceSeries({ seed: "s1", token: "BTC" });
    expect(a.priceAt(T0)).toBe(b.priceAt(T0));
    expect(a.priceAt(T0)).toBe(a.priceAt(T0 + 0.9));
    expect(a.priceAt(T0)).not.toBe(c.priceAt(T0));
    expect(d.priceAt(T0) / a.priceAt(T0)).toBeGreaterThan(5);
  });

  it("stays within a band around the token's level and moves every second", () => {
    const eth = createPriceSeries({ seed: "s1", token: "ETH" });
    const base = defaultBasePrice("ETH");
    let changes = 0;
    for (let t = T0; t < T0 + 24 * 3600; t += 37) {
      const p = eth.priceAt(t);
      expect(p).toBeGreaterThan(base * 0.6);
      expect(p).toBeLessThan(base * 1.6);
      if (eth.priceAt(t + 1) !== p) changes++;
    }
    expect(changes).toBeGreaterThan(2000);
  });

  it("has structure a model can use: a trend fit beats the last price, which beats noise", () => {
    const eth = createPriceSeries({ seed: "bench", token: "ETH" });
    const lag = 10;
    let trendErr = 0;
    let lastErr = 0;
    for (let t = T0; t < T0 + 6 * 3600; t += 53) {
      const xs = Array.from({ length: 20 }, (_, i) => i - 19);
      const ys = xs.map((x) => eth.priceAt(t + x));
      const mx = xs.reduce((s, x) => s + x, 0) / xs.length;
      const my = ys.reduce((s, y) => s + y, 0) / ys.length;
      const slope =
        xs.reduce((s, x, i) => s + (x - mx) * ((ys[i] as number) - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
      const truth = eth.priceAt(t + lag);
      trendErr += (my + slope * (lag - mx) - truth) ** 2;
      lastErr += (eth.priceAt(t) - truth) ** 2;
    }
    expect(trendErr).toBeLessThan(lastErr);
  });
});

describe("decimals", () => {
  it("formats plain decimals without exponents", () => {
    expect(formatDecimal(2946.450001, 4)).toBe("2946.45");
    expect(formatDecimal(1e-7, 8)).toBe("0.0000001");
    expect(formatDecimal(1e21, 2)).toBe("1000000000000000000000");
    expect(formatDecimal(-0.00001, 2)).toBe("0");
    expect(formatDecimal(42, 3)).toBe("42");
  });

  it("accepts plain decimals and rejects the rest", () => {
    for (const ok of ["0", "42", "-0.5", "2946.45"]) expect(isPlainDecimal(ok)).toBe(true);
    for (const bad of ["", "1e3", "01", ".5", "5.", "NaN", "1,5", " 1"]) expect(isPlainDecimal(bad)).toBe(false);
    expect(() => assertPlainDecimal("1E+3")).toThrow(/plain decimal/);
  });
});
