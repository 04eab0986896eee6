/**
 * Bech32 (BIP 173) addresses, written here so that reading an `allo1…` address does not depend on which
 * `@scure/base` a project installs: cosmjs 0.39's `fromBech32` passes `Infinity` as its length limit, which
 * `@scure/base` 2.4 refuses with a `RangeError`.
 */
import { AlloraError } from "../errors.js";

const CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const GENERATORS = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
/** Longest address read by default: BIP 173's 90 characters. */
const DEFAULT_LIMIT = 90;

function polymod(values: readonly number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GENERATORS[i] as number;
  }
  return chk >>> 0;
}

function expandPrefix(prefix: string): number[] {
  const out: number[] = [];
  for (const c of prefix) out.push(c.charCodeAt(0) >>> 5);
  out.push(0);
  for (const c of prefix) out.push(c.charCodeAt(0) & 31);
  return out;
}

/** Regroups bits, e.g. bytes (8) into bech32 words (5); `undefined` when padding is not zero on the way back. */
function convertBits(data: ArrayLike<number>, from: number, to: number, pad: boolean): number[] | undefined {
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  const max = (1 << to) - 1;
  for (let i = 0; i < data.length; i++) {
    acc = (acc << from) | (data[i] as number);
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push((acc >>> bits) & max);
    }
  }
  if (pad) {
    if (bits > 0) out.push((acc << (to - bits)) & max);
  } else if (bits >= from || ((acc << (to - bits)) & max) !== 0) {
    return undefined;
  }
  return out;
}

/**
 * The bech32 address of `data` with human-readable `prefix`.
 *
 * @example
 * ```ts
 * encodeBech32("allo", new Uint8Array(20)) // "allo1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqe6ssq6"
 * ```
 */
export function encodeBech32(prefix: string, data: Uint8Array): string {
  if (!/^[\x21-\x7e]{1,83}$/.test(prefix) || prefix !== prefix.toLowerCase()) {
    throw new AlloraError("ADDRESS_INVALID", `bech32 prefix "${prefix}" is not 1-83 lower-case printable characters`);
  }
  const words = convertBits(data, 8, 5, true) as number[];
  const mod = polymod([...expandPrefix(prefix), ...words, 0, 0, 0, 0, 0, 0]) ^ 1;
  const checksum = Array.from({ length: 6 }, (_, i) => (mod >>> (5 * (5 - i))) & 31);
  return `${prefix}1${[...words, ...checksum].map((w) => CHARSET[w]).join("")}`;
}

/** Options of {@link decodeBech32}. */
export interface DecodeBech32Options {
  /** The prefix the address must have (e.g. `"allo"`); any prefix when left out. */
  prefix?: string;
  /** Longest address accepted (default 90, as BIP 173). */
  limit?: number;
}

/**
 * The prefix and bytes of a bech32 address. Throws `ADDRESS_INVALID` saying what is wrong: too long, mixed case, no
 * separator, a character outside the bech32 set, a bad checksum, or another prefix than `options.prefix`.
 *
 * @example
 * ```ts
 * decodeBech32("allo19rl4cm2hmr8afy4kldpxz3fka4jguq0ajnh7gv", { prefix: "allo" }).data.byteLength // 20
 * ```
 */
export function decodeBech32(address: string, options: DecodeBech32Options = {}): { prefix: string; data: Uint8Array } {
  const fail = (why: string): never => {
    throw new AlloraError("ADDRESS_INVALID", `"${address.slice(0, 100)}" is not a bech32 address: ${why}`, {
      details: { reason: why },
    });
  };
  const limit = options.limit ?? DEFAULT_LIMIT;
  if (typeof address !== "string") return fail("it is not a string");
  if (address.length > limit) return fail(`it is longer than ${limit} characters`);
  if (address !== address.toLowerCase() && address !== address.toUpperCase())
    return fail("it mixes upper and lower case");
  const lower = address.toLowerCase();
  const sep = lower.lastIndexOf("1");
  if (sep < 1 || lower.length - sep - 1 < 6) return fail("it has no prefix, separator `1` and checksum");
  const prefix = lower.slice(0, sep);
  if (!/^[\x21-\x7e]+$/.test(prefix)) return fail("its prefix has characters outside printable ASCII");
  const words: number[] = [];
  for (const c of lower.slice(sep + 1)) {
    const w = CHARSET.indexOf(c);
    if (w < 0) return fail(`"${c}" is not a bech32 character`);
    words.push(w);
  }
  if (polymod([...expandPrefix(prefix), ...words]) !== 1) return fail("its checksum is wrong");
  const data = convertBits(words.slice(0, -6), 5, 8, false);
  if (data === undefined) return fail("its data has non-zero padding");
  if (options.prefix !== undefined && prefix !== options.prefix) {
    return fail(`its prefix is "${prefix}", expected "${options.prefix}"`);
  }
  return { prefix, data: Uint8Array.from(data) };
}
