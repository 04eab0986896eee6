/**
 * Checks of the values users type: topic ids, names, URLs, ports, boot node multiaddrs, env pairs. Each returns a
 * sentence saying what is wrong and what a good value looks like, or undefined when the value is fine; the
 * `parse*` forms throw usage errors (exit 2) for flags.
 */
import { checkBootNode, checkHttpUrl, isAlloraError, parseTopicId } from "@allora/protocol";

export { checkBootNode, checkHttpUrl };

import { usageError } from "./errors.js";

/** Worker names: they become a folder, a compose service, a container and an image name. */
const NAME_PATTERN = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;

/** Why `name` is not a usable worker name, or undefined. */
export function checkName(name: string): string | undefined {
  if (NAME_PATTERN.test(name)) return undefined;
  return (
    `"${name}" is not a usable worker name: use 2 to 40 lowercase letters, digits and hyphens, starting with a ` +
    "letter (it names the folder, the compose service and the image), e.g. eth-worker"
  );
}

/** Why `value` is not a chain topic id, or undefined. */
function checkTopicId(value: string): string | undefined {
  try {
    const id = parseTopicId(value);
    if (id > BigInt(Number.MAX_SAFE_INTEGER)) return `topic "${value}" is too large`;
    return undefined;
  } catch (err) {
    return isAlloraError(err) ? err.message : String(err);
  }
}

/** Parses `--topic 1` or `--topic 1,2` into topic ids; throws a usage error naming the bad one. */
export function parseTopicsFlag(value: string, flag = "--topic"): number[] {
  const items = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw usageError("USAGE_BAD_VALUE", `${flag} needs a topic id such as 1`);
  const ids: number[] = [];
  for (const item of items) {
    const problem = checkTopicId(item);
    if (problem) throw usageError("USAGE_BAD_VALUE", `${flag}: ${problem}`);
    const id = Number(item);
    if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** The host and port of a boot node multiaddr that {@link checkBootNode} accepted. */
export function bootNodeHostPort(value: string): { host: string; port: number; proto: string; rest: string } {
  const parts = value.split("/").filter(Boolean);
  const proto = parts[0] ?? "ip4";
  const host = parts[1] ?? "";
  const tcp = parts.indexOf("tcp");
  const port = Number(parts[tcp + 1]);
  const rest = parts.slice(tcp + 2).join("/");
  return { host, port, proto, rest: rest ? `/${rest}` : "" };
}

/** Parses comma-separated boot node flags; throws a usage error naming the first bad one. */
export function parseBootNodesFlag(values: readonly string[], flag = "--boot-nodes"): string[] {
  const out: string[] = [];
  for (const value of values.flatMap((v) => v.split(","))) {
    const item = value.trim();
    if (!item) continue;
    const problem = checkBootNode(item);
    if (problem) throw usageError("USAGE_BAD_VALUE", `${flag}: ${problem}`);
    out.push(item);
  }
  return out;
}

/** Parses a URL flag; throws a usage error when it is not http(s). */
export function parseUrlFlag(value: string, flag: string): string {
  const problem = checkHttpUrl(value);
  if (problem) throw usageError("USAGE_BAD_VALUE", `${flag}: ${problem}`);
  return value.replace(/\/+$/, "");
}

/** Parses a positive integer flag within bounds. */
export function parseIntegerFlag(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw usageError("USAGE_BAD_VALUE", `${flag} must be a whole number from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

/** Parses a positive number of seconds. */
export function parseSecondsFlag(value: string, flag: string, max = 3600): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(n > 0) || n > max) {
    throw usageError(
      "USAGE_BAD_VALUE",
      `${flag} must be a number of seconds above 0 and at most ${max}, got "${value}"`,
    );
  }
  return n;
}

/** Env var names main.py may be given. */
const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses `KEY=VALUE` flags into pairs. */
export function parseEnvFlags(values: readonly string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of values) {
    const eq = pair.indexOf("=");
    const name = eq > 0 ? pair.slice(0, eq) : "";
    if (!ENV_NAME_PATTERN.test(name)) {
      throw usageError("USAGE_BAD_VALUE", `${flag} "${pair}" is not KEY=VALUE (e.g. ${flag} API_TIMEOUT=5)`);
    }
    out[name] = pair.slice(eq + 1);
  }
  return out;
}
