/** Numbers and times as people read them: ALLO (not only uallo), prices with two decimals, local times. */

const UALLO_PER_ALLO = 1_000_000n;

/** `1234567` uallo → `1.234567 ALLO` (trailing zeros trimmed). */
export function formatAllo(uallo: string | bigint | undefined | null): string {
  if (uallo === undefined || uallo === null) return "–";
  const v = BigInt(uallo);
  const sign = v < 0n ? "-" : "";
  const abs = v < 0n ? -v : v;
  const whole = (abs / UALLO_PER_ALLO).toLocaleString("en-US");
  const frac = (abs % UALLO_PER_ALLO).toString().padStart(6, "0").replace(/0+$/, "");
  return `${sign}${whole}${frac ? `.${frac}` : ""} ALLO`;
}

/** Compact ALLO for table cells: `0.6823 ALLO` (four decimals; the exact amount goes in the cell's title). */
export function formatAlloShort(uallo: string | bigint | undefined | null): string {
  if (uallo === undefined || uallo === null) return "–";
  return `${(Number(BigInt(uallo)) / 1e6).toLocaleString("en-US", { maximumFractionDigits: 4 })} ALLO`;
}

/** An axis tick: three significant digits, no trailing zeros. */
export function formatTick(value: number): string {
  if (value === 0) return "0";
  const abs = Math.abs(value);
  if (abs >= 1000) return value.toLocaleString("en-US", { maximumFractionDigits: 0 });
  return String(Number(value.toPrecision(3)));
}

/** uallo as a float number of ALLO, for charts. */
export function alloNumber(uallo: string | bigint): number {
  return Number(BigInt(uallo)) / 1e6;
}

const price = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** A price or an inference: `2,345.68`. */
export function formatPrice(value: string | null | undefined): string {
  if (value === null || value === undefined) return "–";
  const n = Number(value);
  return Number.isFinite(n) ? price.format(n) : value;
}

/** A score, loss or other small quantity: four significant digits, exponent when tiny or huge. */
export function formatMetric(value: string | null | undefined): string {
  if (value === null || value === undefined) return "–";
  const n = Number(value);
  if (!Number.isFinite(n)) return value;
  if (n === 0) return "0";
  const abs = Math.abs(n);
  return abs >= 1e6 || abs < 1e-3 ? n.toExponential(2) : n.toPrecision(4);
}

/** `14:03:21` in local time. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "–";
  return new Date(iso).toLocaleTimeString("en-GB", { hour12: false });
}

/** `3.2 s`, `1 min 4 s`, `2 h 5 min`. */
export function formatDuration(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

/** Nanoseconds as milliseconds: `12.3 ms`. */
export function formatNs(ns: number | undefined): string {
  return ns === undefined ? "–" : `${(ns / 1e6).toFixed(1)} ms`;
}
