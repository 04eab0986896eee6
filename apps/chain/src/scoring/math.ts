/**
 * The few numeric helpers scoring needs, written to stay finite for any input.
 */

/** Population standard deviation (0 for fewer than two values). */
export function stdDev(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return Math.sqrt(variance);
}

/** Linear-interpolated quantile q in [0, 1] (undefined for an empty list). */
export function quantile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** ln(1 + e^x) without overflow. */
function softplus(x: number): number {
  return x > 30 ? x : Math.log1p(Math.exp(x));
}

/** φ_p(x) = ln(1 + e^{p(x − c)}): how reward fractions grow with a normalised score. */
export function phi(p: number, c: number, x: number): number {
  return softplus(p * (x - c));
}

/** φ'_p(x) = p / (1 + e^{p(c − x)}): how network weights grow with a normalised regret. */
export function phiGradient(p: number, c: number, x: number): number {
  const z = p * (c - x);
  return z > 700 ? 0 : p / (1 + Math.exp(z));
}

/** log10 of the squared error, clamped so a perfect value does not give −∞. */
export function log10SquaredError(value: number, truth: number): number {
  return Math.log10(Math.max((value - truth) ** 2, 1e-30));
}
