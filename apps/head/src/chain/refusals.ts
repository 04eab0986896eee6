/**
 * How the head reads the chain's refusals of a round's transaction: by the chain's own names
 * (`@allora/protocol`'s `chainRefusal`), never by raw numbers. A refusal either ends the round (its window closed,
 * or no round was opened at that nonce), names one of the round's bundles (drop it and sign the rest again), or is
 * final for the submission.
 */
import { type AlloraError, type ChainErrorCode, chainRefusal, type WorkerDataBundle } from "@allora/protocol";

/** A refusal of the chain, named, with its ABCI code. */
export interface Refusal {
  /** The chain's name of it (`SEQUENCE_MISMATCH`, …; `CHAIN_<n>` for a code the chain does not name). */
  name: ChainErrorCode | `CHAIN_${number}`;
  /** The ABCI code, for the head's own `CHAIN_<n>` log codes. */
  abciCode: number;
  /** The chain's log. */
  log: string;
}

/** Refusals after which the round can no longer land: its window closed, or it was never opened. */
const ROUND_OVER = new Set<Refusal["name"]>(["WINDOW_NOT_AVAILABLE", "UNFULFILLED_NONCE_NOT_FOUND"]);

/**
 * The refusal in what cosmjs threw or returned (a `BroadcastTxError`, a simulation's `Query failed with (n)` error,
 * a `DeliverTxResponse` with a non-zero code); undefined when it is not one (the chain did not answer).
 */
export function readRefusal(source: unknown): Refusal | undefined {
  const refusal: AlloraError | undefined = chainRefusal(source);
  if (!refusal) return undefined;
  const details = refusal.details as { code: number; log: string };
  return { name: refusal.code as Refusal["name"], abciCode: details.code, log: details.log };
}

/** Whether the refusal means the round is over for good. */
export function isRoundOver(refusal: Refusal): boolean {
  return ROUND_OVER.has(refusal.name);
}

/** The worker of one of `bundles` that the chain's `text` names (never the head's own `self` address). */
export function refusedWorker(text: string, bundles: readonly WorkerDataBundle[], self: string): string | undefined {
  return bundles.find((b) => b.worker !== self && text.includes(b.worker))?.worker;
}

/**
 * The sequence the chain expects, from a `SEQUENCE_MISMATCH` log (the Cosmos SDK's `account sequence mismatch,
 * expected N, got M`); undefined when the log does not say.
 */
export function expectedSequenceOf(log: string): number | undefined {
  const at = log.indexOf("expected ");
  if (at < 0) return undefined;
  const expected = Number.parseInt(log.slice(at + "expected ".length), 10);
  return Number.isNaN(expected) ? undefined : expected;
}
