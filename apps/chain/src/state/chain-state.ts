/**
 * The chain's state: accounts and balances, topics, registrations, rounds with their inferences and results, and
 * per-worker scoring memory. Everything a tx may change goes through methods that record an undo step in the
 * journal, so a failing tx leaves no trace.
 */
import { ChainError } from "../errors.js";
import type { TopicFields } from "../topics/topic-rules.js";
import { Journal } from "./journal.js";

/** An account: created the first time it receives funds. */
export interface Account {
  address: string;
  accountNumber: bigint;
  sequence: bigint;
  /** Known once the account has signed a tx. */
  pubkey: Uint8Array | undefined;
  balances: Map<string, bigint>;
}

/** A topic. */
export interface Topic extends TopicFields {
  id: bigint;
  creator: string;
  createdAtHeight: bigint;
  /** Block time (ms) of the last round opened, so cadence survives restarts. */
  lastOpenedAtMs: number | undefined;
  lastOpenedNonce: bigint | undefined;
}

/** A worker's registration on a topic. */
export interface Registration {
  address: string;
  libP2pKey: string;
  multiAddress: string;
  owner: string;
  registeredAtHeight: bigint;
}

/** An inference stored in a round. */
export interface StoredInference {
  worker: string;
  value: string;
  /** Height of the block that included it. */
  height: bigint;
  txHash: string;
}

/** open: accepts inferences; closed: window over, waiting for the truth; scored: truth known, rewards paid. */
type RoundStatus = "open" | "closed" | "scored";

/** The network's combined view of a round, fixed when the round closes. */
export interface NetworkSnapshot {
  /** Weighted combination of the inferences. */
  combined: number;
  /** Plain average. */
  naive: number;
  weights: Record<string, number>;
  /** Combination without each worker. */
  oneOut: Record<string, number>;
}

/** What scoring decided for one worker in one round. */
export interface WorkerOutcome {
  value: string;
  /** log10 of the worker's loss. */
  loss: number;
  /** One-out score T. */
  score: number;
  regret: number;
  ema: number;
  fraction: number;
  reward: bigint;
}

/** A scored round's result. */
interface RoundResult {
  truth: string;
  /** log10 of the network inference's loss (undefined when the round had no inferences). */
  networkLoss: number | undefined;
  workers: Record<string, WorkerOutcome>;
  rewardTotal: bigint;
}

/** A round of a topic, named by its nonce (the height of the block that opened it). */
export interface Round {
  topicId: bigint;
  nonce: bigint;
  openedAtMs: number;
  closesAtMs: number;
  truthAtMs: number;
  status: RoundStatus;
  inferences: Map<string, StoredInference>;
  closedAtHeight: bigint | undefined;
  scoredAtHeight: bigint | undefined;
  network: NetworkSnapshot | undefined;
  result: RoundResult | undefined;
}

/** What the chain remembers about a worker on a topic between rounds. */
export interface WorkerStats {
  regret: number | undefined;
  ema: number | undefined;
  lastScore: number | undefined;
  lastScoredNonce: bigint | undefined;
  cumulativeReward: bigint;
  roundsScored: number;
  latestValue: string | undefined;
  latestNonce: bigint | undefined;
}

/** Rounds kept per topic; older scored rounds are dropped from memory (their txs and results stay in the log). */
export const ROUNDS_KEPT_PER_TOPIC = 500;

const key = (id: bigint) => id.toString();

/** The entry of `k` in `map`, made by `make` and stored when there is none yet. */
function getOrCreate<K, V>(map: Map<K, V>, k: K, make: () => V): V {
  let value = map.get(k);
  if (value === undefined) {
    value = make();
    map.set(k, value);
  }
  return value;
}

const newWorkerStats = (): WorkerStats => ({
  regret: undefined,
  ema: undefined,
  lastScore: undefined,
  lastScoredNonce: undefined,
  cumulativeReward: 0n,
  roundsScored: 0,
  latestValue: undefined,
  latestNonce: undefined,
});

export class ChainState {
  readonly journal = new Journal();
  readonly accounts = new Map<string, Account>();
  readonly topics = new Map<string, Topic>();
  readonly registrations = new Map<string, Map<string, Registration>>();
  readonly rounds = new Map<string, Map<string, Round>>();
  readonly workerStats = new Map<string, Map<string, WorkerStats>>();
  /** Instant scores of the last scored rounds, per topic, newest last. */
  readonly scoreHistory = new Map<string, number[][]>();
  nextAccountNumber = 0n;
  nextTopicId = 1n;
  /** Total uallo minted as round rewards. */
  minted = 0n;

  account(address: string): Account | undefined {
    return this.accounts.get(address);
  }

  balance(address: string, denom: string): bigint {
    return this.accounts.get(address)?.balances.get(denom) ?? 0n;
  }

  private setBalance(account: Account, denom: string, amount: bigint): void {
    const before = account.balances.get(denom);
    if (amount === 0n) account.balances.delete(denom);
    else account.balances.set(denom, amount);
    this.journal.record(() => {
      if (before === undefined) account.balances.delete(denom);
      else account.balances.set(denom, before);
    });
  }

  /** Adds funds, creating the account (with the next account number) on first receipt. */
  credit(address: string, denom: string, amount: bigint): void {
    if (amount === 0n) return;
    let account = this.accounts.get(address);
    if (!account) {
      account = {
        address,
        accountNumber: this.nextAccountNumber,
        sequence: 0n,
        pubkey: undefined,
        balances: new Map(),
      };
      this.accounts.set(address, account);
      this.nextAccountNumber += 1n;
      this.journal.record(() => {
        this.accounts.delete(address);
        this.nextAccountNumber -= 1n;
      });
    }
    this.setBalance(account, denom, (account.balances.get(denom) ?? 0n) + amount);
  }

  /** Removes funds; `INSUFFICIENT_FUNDS` when the balance is short. */
  debit(address: string, denom: string, amount: bigint, what = "spendable balance"): void {
    if (amount === 0n) return;
    const account = this.accounts.get(address);
    const have = account?.balances.get(denom) ?? 0n;
    if (!account || have < amount) {
      throw new ChainError(
        "INSUFFICIENT_FUNDS",
        `${what} ${have}${denom} of ${address} is smaller than ${amount}${denom}`,
      );
    }
    this.setBalance(account, denom, have - amount);
  }

  transfer(from: string, to: string, denom: string, amount: bigint, what?: string): void {
    this.debit(from, denom, amount, what);
    this.credit(to, denom, amount);
  }

  setSequence(account: Account, sequence: bigint): void {
    const before = account.sequence;
    account.sequence = sequence;
    this.journal.record(() => {
      account.sequence = before;
    });
  }

  setPubkey(account: Account, pubkey: Uint8Array): void {
    if (account.pubkey) return;
    account.pubkey = pubkey;
    this.journal.record(() => {
      account.pubkey = undefined;
    });
  }

  topic(id: bigint): Topic | undefined {
    return this.topics.get(key(id));
  }

  addTopic(fields: TopicFields, creator: string, height: bigint): Topic {
    const topic: Topic = {
      ...fields,
      id: this.nextTopicId,
      creator,
      createdAtHeight: height,
      lastOpenedAtMs: undefined,
      lastOpenedNonce: undefined,
    };
    this.topics.set(key(topic.id), topic);
    this.nextTopicId += 1n;
    this.journal.record(() => {
      this.topics.delete(key(topic.id));
      this.nextTopicId -= 1n;
    });
    return topic;
  }

  registrationsOf(topicId: bigint): Map<string, Registration> {
    return getOrCreate(this.registrations, key(topicId), () => new Map());
  }

  isRegistered(topicId: bigint, address: string): boolean {
    return this.registrations.get(key(topicId))?.has(address) ?? false;
  }

  register(topicId: bigint, registration: Registration): void {
    const map = this.registrationsOf(topicId);
    map.set(registration.address, registration);
    this.journal.record(() => map.delete(registration.address));
  }

  unregister(topicId: bigint, address: string): void {
    const map = this.registrationsOf(topicId);
    const before = map.get(address);
    if (!before) return;
    map.delete(address);
    this.journal.record(() => map.set(address, before));
  }

  roundsOf(topicId: bigint): Map<string, Round> {
    return getOrCreate(this.rounds, key(topicId), () => new Map());
  }

  round(topicId: bigint, nonce: bigint): Round | undefined {
    return this.rounds.get(key(topicId))?.get(key(nonce));
  }

  statsOf(topicId: bigint, worker: string): WorkerStats {
    return getOrCreate(
      getOrCreate(this.workerStats, key(topicId), () => new Map()),
      worker,
      newWorkerStats,
    );
  }

  /** Stores an inference in an open round and remembers it as the worker's latest. */
  addInference(round: Round, inference: StoredInference): void {
    round.inferences.set(inference.worker, inference);
    const stats = this.statsOf(round.topicId, inference.worker);
    const before = { value: stats.latestValue, nonce: stats.latestNonce };
    stats.latestValue = inference.value;
    stats.latestNonce = round.nonce;
    this.journal.record(() => {
      round.inferences.delete(inference.worker);
      stats.latestValue = before.value;
      stats.latestNonce = before.nonce;
    });
  }
}
