/**
 * Who goes first at the head. The chain's own round (a request whose `ALLORA_BLOCK_HEIGHT_CURRENT` names a round
 * the chain has open, the first request for that round) goes straight through and is flagged to the workers, which
 * keep round slots for it. Every other request is a hand-sent one and takes a place in a bounded lane: at most
 * `maxActive` run at once, `maxQueued` wait (each at most `maxWaitMs`), and the rest are refused at once with
 * `HEAD_BUSY`, so REST load queues at the head instead of crowding the chain's rounds out of the workers.
 */
import { AlloraError, type Logger } from "@allora/protocol";
import { readOpenNonces } from "../chain/open-rounds.js";

/** Options of {@link createAdmission}. */
export interface AdmissionOptions {
  maxActive: number;
  maxQueued: number;
  maxWaitMs: number;
  /** Places (running or waiting) one client address may hold, so one client cannot take the lane from the others. */
  maxPerClient?: number;
  /** The chain's REST URL: rounds are checked open there. Without it no request gets priority. */
  chainRest: string | undefined;
  logger: Logger;
}

/** A place taken; `release` frees it. */
export interface Admitted {
  priority: boolean;
  release(): void;
}

/** How long a read of one topic's open rounds serves every claim, and (for a round newer than any it lists) the least. */
const OPEN_ROUNDS_TTL_MS = 100;
const MIN_REREAD_MS = 20;
/** Rounds remembered as already given priority. */
const MAX_CLAIMED = 4096;

export function createAdmission(options: AdmissionOptions) {
  const rest = options.chainRest?.replace(/\/+$/, "");
  let active = 0;
  const perClient = new Map<string, number>();
  const maxPerClient = options.maxPerClient ?? Number.POSITIVE_INFINITY;
  const waiting: Array<{ resolve: () => void; timer: ReturnType<typeof setTimeout> }> = [];
  const claimed = new Set<string>();
  const openRounds = new Map<string, { at: number; nonces: Promise<Set<string>>; newer: (nonce: string) => boolean }>();

  const readOpen = (topic: string, nonce: string): Promise<Set<string>> => {
    const cached = openRounds.get(topic);
    const age = cached ? Date.now() - cached.at : Number.POSITIVE_INFINITY;
    // A fresh read serves every claim; a round newer than the read (it opened since) is worth one more soon.
    if (cached && (age < MIN_REREAD_MS || (age < OPEN_ROUNDS_TTL_MS && !cached.newer(nonce)))) return cached.nonces;
    const nonces = readOpenNonces(rest as string, topic, 2000);
    let highest = -1n;
    void nonces.then(
      (set) => {
        for (const n of set) if (BigInt(n) > highest) highest = BigInt(n);
      },
      () => undefined,
    );
    openRounds.set(topic, { at: Date.now(), nonces, newer: (n) => BigInt(n) > highest });
    if (openRounds.size > 1024) openRounds.delete(openRounds.keys().next().value as string);
    return nonces;
  };

  /** Whether a request for this chain round is the chain's own: the round is open and nobody claimed it yet. */
  const isChainRound = async (topic: string, nonce: string): Promise<boolean> => {
    if (!rest) return false;
    const key = `${topic}/${nonce}`;
    if (claimed.has(key)) return false;
    let open: Set<string>;
    try {
      open = await readOpen(topic, nonce);
    } catch (err) {
      options.logger.warn(
        { code: "CHAIN_UNREACHABLE", topic, nonce },
        `cannot check the round on the chain; it runs without priority: ${(err as Error).message}`,
      );
      return false;
    }
    if (!open.has(nonce) || claimed.has(key)) return false;
    claimed.add(key);
    if (claimed.size > MAX_CLAIMED) claimed.delete(claimed.values().next().value as string);
    return true;
  };

  const releaser = () => {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = waiting.shift();
      if (next) {
        clearTimeout(next.timer);
        next.resolve();
      } else active--;
    };
  };

  return {
    /** Takes a place for a request; `round` is its chain round, when it names one. */
    async admit(round: { topic: string; nonce: string } | undefined, client = "local"): Promise<Admitted> {
      if (round && (await isChainRound(round.topic, round.nonce))) return { priority: true, release: () => {} };
      const held = perClient.get(client) ?? 0;
      if (held >= maxPerClient) {
        throw new AlloraError(
          "CLIENT_BUSY",
          `${client} has ${held} requests running or waiting at this head, the limit per client (--max-rest-per-client); wait for an answer before sending more`,
        );
      }
      perClient.set(client, held + 1);
      const leave = () => {
        const left = (perClient.get(client) ?? 1) - 1;
        if (left <= 0) perClient.delete(client);
        else perClient.set(client, left);
      };
      try {
        await takePlace();
      } catch (err) {
        leave();
        throw err;
      }
      const free = releaser();
      return {
        priority: false,
        release: () => {
          leave();
          free();
        },
      };
    },
    /** Running and waiting hand-sent requests. */
    load: () => ({ active, waiting: waiting.length }),
  };

  /** A place in the lane: at once, after a wait, or HEAD_BUSY. */
  async function takePlace(): Promise<void> {
    if (active < options.maxActive) {
      active++;
      return;
    }
    if (waiting.length >= options.maxQueued) {
      throw new AlloraError(
        "HEAD_BUSY",
        `${active} requests are running and ${waiting.length} waiting, the limits of this head (--max-rest-executes ${options.maxActive}, --max-rest-queued ${options.maxQueued}); retry in a second`,
      );
    }
    await new Promise<void>((resolve, reject) => {
      const entry = {
        resolve,
        timer: setTimeout(() => {
          waiting.splice(waiting.indexOf(entry), 1);
          reject(
            new AlloraError(
              "HEAD_BUSY",
              `waited ${options.maxWaitMs} ms behind ${active} running requests without a turn; retry later`,
            ),
          );
        }, options.maxWaitMs),
      };
      waiting.push(entry);
    });
  }
}

/** The admission of one head. */
export type Admission = ReturnType<typeof createAdmission>;
