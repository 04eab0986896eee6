/**
 * The worker's record of roll calls: what it decided for each request, which head asked, for which topic and
 * function, and the slots accepted roll calls hold until their execute arrives. An execute runs only for a roll call
 * this worker accepted from the same head, for the same function and topic. With `number_of_nodes -1` the head sends
 * the execute together with the roll call, so an execute may arrive first and wait here for the decision.
 * Reservations expire fast when no execute follows, and each head's roll calls are rate-limited, so no head can hold
 * the slots for long or flood the worker.
 */

/** What the worker decided about one roll call. */
type Decision = "accepted" | "declined";

/** The roll call an accepted decision belongs to. */
export interface RollCallFacts {
  origin: string;
  topicId: bigint;
  functionId: string;
  /** Whether the function is the topic's own (a chain bundle may be signed for it). */
  own: boolean;
  /** Whether the roll call was the chain's round and got its priority (round slots, first in the queue). */
  priority?: boolean;
}

/** What an execute finds: the decision and, when accepted, the roll call's facts. */
export type Outcome = { decision: "accepted"; facts: RollCallFacts } | { decision: "declined" | "unseen" };

interface Entry {
  seen?: boolean;
  decision?: Decision;
  facts?: RollCallFacts;
  waiters: Array<(o: Outcome) => void>;
}

/** Options of {@link createRollCallBook}. */
export interface RollCallBookOptions {
  /** Runs plus reservations the worker takes before it declines as busy. */
  capacity: () => number;
  /** Of the capacity, what only the chain's rounds may take (the worker's round slots). */
  reservedForRounds?: () => number;
  /** Runs in progress and waiting for a slot. */
  load: () => number;
  /** How long an execute waits for a roll call it has not seen. */
  unseenWaitMs?: number;
  /** How much longer it waits for one still being decided (its package installing). */
  decidingWaitMs?: number;
  /** How long a decision is kept for its execute. */
  decisionTtlMs?: number;
  /** How long an accepted roll call holds its slot without an execute. */
  reservationTtlMs?: number;
  /** Roll calls one head may send per second (burst: twice that). */
  ratePerSecond?: number;
}

/** The book. */
export interface RollCallBook {
  /** Marks a roll call as seen; false when it was seen already (the head sends it on its session and on gossip). */
  firstSight(requestId: string): boolean;
  /** Whether `origin` may send another roll call now (its token bucket). */
  withinRate(origin: string): boolean;
  /**
   * Whether the worker has room for one more accepted roll call (runs, queue and reservations); a chain round may
   * also take the capacity held back for rounds.
   */
  hasRoom(chainRound?: boolean): boolean;
  /** Holds a slot for an accepted roll call until its execute arrives or the reservation expires. */
  reserve(requestId: string): void;
  /** Frees a reservation (its execute arrived, or the roll call was declined after all). */
  release(requestId: string): void;
  reservations(): number;
  decide(requestId: string, decision: Decision, facts?: RollCallFacts): void;
  /** The decision for an execute, waiting for it when the roll call is not decided yet. */
  outcomeOf(requestId: string): Promise<Outcome>;
}

/** Creates the book. */
export function createRollCallBook(options: RollCallBookOptions): RollCallBook {
  const unseenWaitMs = options.unseenWaitMs ?? 3000;
  const decidingWaitMs = options.decidingWaitMs ?? 30_000;
  const decisionTtlMs = options.decisionTtlMs ?? 60_000;
  const reservationTtlMs = options.reservationTtlMs ?? 10_000;
  const ratePerSecond = options.ratePerSecond ?? 200;
  const entries = new Map<string, Entry>();
  const reserved = new Map<string, ReturnType<typeof setTimeout>>();
  const buckets = new Map<string, { tokens: number; at: number }>();

  const entry = (requestId: string): Entry => {
    let e = entries.get(requestId);
    if (!e) {
      e = { waiters: [] };
      entries.set(requestId, e);
    }
    return e;
  };

  const release = (requestId: string) => {
    const timer = reserved.get(requestId);
    if (timer) clearTimeout(timer);
    reserved.delete(requestId);
  };

  return {
    firstSight(requestId) {
      const e = entry(requestId);
      if (e.seen) return false;
      e.seen = true;
      return true;
    },
    withinRate(origin) {
      const now = Date.now();
      const burst = ratePerSecond * 2;
      const b = buckets.get(origin) ?? { tokens: burst, at: now };
      b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * ratePerSecond);
      b.at = now;
      buckets.set(origin, b);
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
    hasRoom: (chainRound = false) =>
      options.load() + reserved.size < options.capacity() - (chainRound ? 0 : (options.reservedForRounds?.() ?? 0)),
    reserve(requestId) {
      release(requestId);
      reserved.set(
        requestId,
        setTimeout(() => reserved.delete(requestId), reservationTtlMs),
      );
      reserved.get(requestId)?.unref?.();
    },
    release,
    reservations: () => reserved.size,
    decide(requestId, decision, facts) {
      const e = entry(requestId);
      e.decision = decision;
      if (facts) e.facts = facts;
      const outcome: Outcome =
        decision === "accepted" && facts
          ? { decision, facts }
          : { decision: decision === "accepted" ? "declined" : decision };
      for (const waiter of e.waiters.splice(0)) waiter(outcome);
      setTimeout(() => entries.delete(requestId), decisionTtlMs).unref();
    },
    outcomeOf(requestId) {
      const existing = entries.get(requestId);
      if (existing?.decision) {
        return Promise.resolve(
          existing.decision === "accepted" && existing.facts
            ? { decision: "accepted", facts: existing.facts }
            : { decision: "declined" },
        );
      }
      return new Promise((resolve) => {
        const e = existing ?? entry(requestId);
        const giveUp = () => {
          e.waiters = e.waiters.filter((w) => w !== done);
          if (!e.decision && e.waiters.length === 0 && !e.seen) entries.delete(requestId);
          resolve({ decision: "unseen" });
        };
        // A roll call still being decided (e.g. installing its package) gets longer than one never seen at all.
        let timer = setTimeout(() => {
          if (e.seen) timer = setTimeout(giveUp, decidingWaitMs);
          else giveUp();
        }, unseenWaitMs);
        const done = (o: Outcome) => {
          clearTimeout(timer);
          resolve(o);
        };
        e.waiters.push(done);
      });
    },
  };
}
