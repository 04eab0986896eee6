/**
 * A token bucket per client address: `perMinute` requests a minute on average, up to `burst` at once. Buckets of
 * clients that went quiet are dropped, so the table cannot grow without bound.
 */

/** The verdict on one request. */
type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** A rate limiter keyed by client. */
export interface RateLimiter {
  take(client: string): RateDecision;
}

/** Options of {@link createRateLimiter}. */
export interface RateLimitOptions {
  perMinute: number;
  burst: number;
  /** Clients tracked at most (the oldest are forgotten first). */
  maxClients?: number;
  now?: () => number;
}

export function createRateLimiter(options: RateLimitOptions): RateLimiter {
  const now = options.now ?? Date.now;
  const maxClients = options.maxClients ?? 10_000;
  const perMs = options.perMinute / 60_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(client) {
      const t = now();
      const bucket = buckets.get(client) ?? { tokens: options.burst, at: t };
      bucket.tokens = Math.min(options.burst, bucket.tokens + (t - bucket.at) * perMs);
      bucket.at = t;
      buckets.delete(client);
      buckets.set(client, bucket);
      if (buckets.size > maxClients) buckets.delete(buckets.keys().next().value as string);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { allowed: true };
      }
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) };
    },
  };
}
