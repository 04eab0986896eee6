/**
 * The head's account sequences, handed out to submissions that run side by side. Each submission leases the next
 * sequence and says what became of it: consumed (its tx is in a block), released (the chain refused the tx, so the
 * sequence is free again), or what the chain's "expected N" means for it. The chain's answer is the truth; this
 * only keeps concurrent submissions from signing the same sequence and tells a waiting one whether to re-sign.
 */

/** The account's number and its next sequence, as the chain reports them. */
export interface AccountSequence {
  accountNumber: bigint;
  sequence: number;
}

/** What the chain's "expected N" means for a leased sequence. */
type MismatchVerdict =
  /** The chain is past it: committed already, or used by another tx. */
  | "used"
  /** An earlier sequence is missing and another submission of ours holds it: keep re-broadcasting. */
  | "wait"
  /** An earlier sequence is missing and nobody holds it: sign again (the allocator now hands out the gap). */
  | "hole";

/** One leased sequence. */
export interface SequenceLease {
  readonly accountNumber: bigint;
  readonly sequence: number;
  consumed(): void;
  release(): void;
  mismatch(expected: number): MismatchVerdict;
}

/** Creates the allocator; `load` reads the account from the chain when nothing is known yet. */
export function createSequenceAllocator(load: () => Promise<AccountSequence>) {
  let account: { accountNumber: bigint; next: number } | undefined;
  let loading: Promise<void> | undefined;
  const inFlight = new Set<number>();

  const ensureLoaded = async (): Promise<{ accountNumber: bigint; next: number }> => {
    while (!account) {
      loading ??= load()
        .then((a) => {
          account ??= { accountNumber: a.accountNumber, next: a.sequence };
        })
        .finally(() => {
          loading = undefined;
        });
      await loading;
    }
    return account;
  };

  return {
    async lease(): Promise<SequenceLease> {
      const acc = await ensureLoaded();
      while (inFlight.has(acc.next)) acc.next++;
      const sequence = acc.next++;
      inFlight.add(sequence);
      let settled = false;
      const settle = () => {
        settled = true;
        inFlight.delete(sequence);
      };
      return {
        accountNumber: acc.accountNumber,
        sequence,
        consumed() {
          if (!settled) settle();
        },
        release() {
          if (settled) return;
          settle();
          if (acc.next === sequence + 1) acc.next = sequence;
        },
        mismatch(expected) {
          if (expected > sequence) {
            acc.next = Math.max(acc.next, expected);
            return "used";
          }
          if (inFlight.has(expected)) return "wait";
          if (!settled) settle();
          acc.next = Math.min(acc.next, expected);
          return "hole";
        },
      };
    },
    /** Sequences leased and not yet settled (for tests and status). */
    inFlight: () => [...inFlight].sort((a, b) => a - b),
  };
}
