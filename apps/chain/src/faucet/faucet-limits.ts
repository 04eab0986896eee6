/**
 * The faucet's rate limits: within any window, one address gets at most `perAddress` grants and one client (its IP)
 * sends at most `perClient` requests. A sliding log per key, so a refusal can say exactly when the next request
 * passes. Refused requests are not counted (a client that keeps asking is not punished for longer), and the tables
 * are bounded: keys whose log is older than the window are swept, and at most `maxKeys` are kept.
 */
import { ChainError } from "../errors.js";

/** Limits of {@link createFaucetLimits}. */
export interface FaucetLimitOptions {
  windowMs: number;
  perAddress: number;
  perClient: number;
  /** Keys kept per table at most (the oldest are forgotten first). */
  maxKeys?: number;
  now?: () => number;
}

/** The faucet's limiter. */
export interface FaucetLimits {
  /** Counts one request of `client` for `address`, or throws `FAUCET_RATE_LIMITED` saying when to retry. */
  admit(address: string, client: string): void;
}

function createWindowLog(limit: number, windowMs: number, maxKeys: number) {
  const logs = new Map<string, number[]>();
  const recent = (key: string, t: number): number[] => {
    const log = (logs.get(key) ?? []).filter((at) => at > t - windowMs);
    if (log.length === 0) logs.delete(key);
    else logs.set(key, log);
    return log;
  };
  return {
    /** Milliseconds until `key` may go again (0: now). */
    waitMs(key: string, t: number): number {
      const log = recent(key, t);
      return log.length < limit ? 0 : (log[log.length - limit] as number) + windowMs - t;
    },
    count(key: string, t: number): void {
      const log = recent(key, t);
      logs.delete(key);
      logs.set(key, [...log, t]);
      while (logs.size > maxKeys) logs.delete(logs.keys().next().value as string);
    },
  };
}

export function createFaucetLimits(options: FaucetLimitOptions): FaucetLimits {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 100_000;
  const byAddress = createWindowLog(options.perAddress, options.windowMs, maxKeys);
  const byClient = createWindowLog(options.perClient, options.windowMs, maxKeys);
  const windowS = Math.round(options.windowMs / 1000);
  return {
    admit(address, client) {
      const t = now();
      const refuse = (what: string, limit: number, waitMs: number): never => {
        const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
        throw new ChainError(
          "FAUCET_RATE_LIMITED",
          `${what} at most ${limit} request(s) per ${windowS} s; retry in ${retryAfter} s`,
          { details: { retry_after: retryAfter } },
        );
      };
      const clientWait = byClient.waitMs(client, t);
      if (clientWait > 0) refuse(`this client (${client}) may send`, options.perClient, clientWait);
      const addressWait = byAddress.waitMs(address, t);
      if (addressWait > 0) refuse(`address ${address} may get`, options.perAddress, addressWait);
      byClient.count(client, t);
      byAddress.count(address, t);
    },
  };
}
