/**
 * Plain decimal strings, the form chain `Dec` values travel in ("2946.45", never "2.94645e3").
 */
import { AlloraError } from "../errors.js";

const PLAIN_DECIMAL = /^-?(0|[1-9]\d*)(\.\d+)?$/;

/** True when `value` is a plain decimal string such as `"2946.45"` or `"-0.5"`. */
export function isPlainDecimal(value: string): boolean {
  return value.length <= 80 && PLAIN_DECIMAL.test(value);
}

/** Throws `DECIMAL_INVALID` unless `value` is a plain decimal string. */
export function assertPlainDecimal(value: string, what = "value"): void {
  if (!isPlainDecimal(value)) {
    throw new AlloraError(
      "DECIMAL_INVALID",
      `${what} ${JSON.stringify(value)} is not a plain decimal string like "2946.45"`,
    );
  }
}

/**
 * Formats a finite number as a plain decimal string with at most `decimals` fraction digits, trailing zeros removed.
 *
 * @example
 * ```ts
 * formatDecimal(2946.450001, 4) // "2946.45"
 * formatDecimal(1e-7, 8)        // "0.0000001"
 * ```
 */
export function formatDecimal(value: number, decimals = 6): string {
  if (!Number.isFinite(value)) throw new AlloraError("DECIMAL_INVALID", `cannot format ${value} as a decimal`);
  // toFixed switches to exponent form from 1e21 up; integers that large are exact as BigInt.
  if (Math.abs(value) >= 1e21) return BigInt(Math.round(value)).toString();
  const fixed = value.toFixed(Math.min(Math.max(decimals, 0), 20));
  const trimmed = fixed.includes(".") ? fixed.replace(/0+$/, "").replace(/\.$/, "") : fixed;
  return trimmed === "-0" ? "0" : trimmed;
}
