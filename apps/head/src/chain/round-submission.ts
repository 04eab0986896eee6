/**
 * One round's way onto the chain, as steps: prepare the transaction (fee funds, simulation), lease a sequence, sign,
 * then land it (broadcast the same signed bytes every `rebroadcastMs` while polling for it in a block). Each pass
 * signs the round once; a pass ends committed, or with a reason to sign again (a bundle the chain refused is dropped
 * first, a sequence consumed by something else or a hole before it), or the submission gives up (the round is over,
 * the deadline passed, the head is stopping).
 */
import {
  AlloraError,
  errorMessage,
  type Logger,
  MsgInsertBulkWorkerPayload,
  TypeUrls,
  type WorkerDataBundle,
} from "@allora/protocol";
import { sha256 } from "@cosmjs/crypto";
import { toHex } from "@cosmjs/encoding";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { calculateFee, type GasPrice, type SigningStargateClient } from "@cosmjs/stargate";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import type { RoundBundles } from "../execution/collect.js";
import { expectedSequenceOf, isRoundOver, type Refusal, readRefusal, refusedWorker } from "./refusals.js";
import type { SequenceLease } from "./sequence-allocator.js";

/** One submission as `/status` shows it. */
export interface Submission {
  topic_id: string;
  nonce: string;
  bundles: number;
  status: "queued" | "submitting" | "committed" | "failed" | "skipped";
  tx_hash?: string;
  /** Broadcasts of the signed bytes so far (re-broadcasts included). */
  broadcasts?: number;
  error?: string;
}

/** What every submission shares: the head's account, its chain client, its sequences and the timings. */
export interface SubmissionContext {
  address: string;
  chainId: string;
  gasPrice: GasPrice;
  connect(): Promise<SigningStargateClient>;
  /** Tops the account up from the faucet when it cannot pay fees. */
  ensureFunds(client: SigningStargateClient): Promise<void>;
  leaseSequence(): Promise<SequenceLease>;
  rebroadcastMs: number;
  deadlineMs: number;
  pollMs: number;
  /** How long to wait before trying again a chain that does not answer. */
  retryMs: number;
  isStopped(): boolean;
  logger: Logger;
}

const MEMO = "round submission";

/** A signed round, ready to broadcast. */
interface SignedRound {
  client: SigningStargateClient;
  bytes: Uint8Array;
  hash: string;
  lease: SequenceLease;
}

/**
 * How a pass ended: committed, sign again (`resign` says why), start over at once with fewer bundles (`again`), or
 * start over shortly (`retry`: the chain did not answer).
 */
type PassEnd = { committed: true } | { resign: string } | { again: true } | { retry: true };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Lands one round; resolves when it is committed or skipped, rejects (coded) when the submission gives up. */
export async function submitRound(
  context: SubmissionContext,
  round: RoundBundles,
  bundles: WorkerDataBundle[],
  record: Submission,
): Promise<void> {
  await new RoundSubmission(context, round, bundles, record).run();
}

class RoundSubmission {
  private readonly deadline: number;
  private readonly log: Logger;

  constructor(
    private readonly context: SubmissionContext,
    private readonly round: RoundBundles,
    private bundles: WorkerDataBundle[],
    private readonly record: Submission,
  ) {
    this.deadline = Date.now() + context.deadlineMs;
    this.log = context.logger.child({ topic: round.topicId.toString(), nonce: round.nonce.toString() });
  }

  async run(): Promise<void> {
    for (;;) {
      if (this.bundles.length === 0) {
        this.record.bundles = 0;
        this.record.status = "skipped";
        this.record.error = "no admissible bundle (see the log for each one dropped)";
        return;
      }
      this.record.bundles = this.bundles.length;
      this.checkDeadline("the chain did not take the round");
      const end = await this.pass();
      if ("committed" in end) return;
      if ("retry" in end) await sleep(this.context.retryMs);
      else if ("resign" in end) this.log.info({ tx: this.record.tx_hash }, `signing the round again: ${end.resign}`);
    }
  }

  /** One pass: prepare, sign, land. */
  private async pass(): Promise<PassEnd> {
    const messages = this.messages();
    const prepared = await this.prepare(messages);
    if (!("gas" in prepared)) return prepared;
    const signed = await this.sign(prepared.client, messages, prepared.gas);
    if (!signed) return { retry: true };
    return this.land(signed);
  }

  private messages(): EncodeObject[] {
    return [
      {
        typeUrl: TypeUrls.MsgInsertBulkWorkerPayload,
        value: MsgInsertBulkWorkerPayload.fromPartial({
          sender: this.context.address,
          nonce: { blockHeight: this.round.nonce },
          topicId: this.round.topicId,
          workerDataBundles: this.bundles,
        }),
      },
    ];
  }

  /**
   * Connects, funds and simulates. The chain runs the messages in Simulate, so a refused bundle names its worker:
   * it is dropped and the pass starts again.
   */
  private async prepare(messages: EncodeObject[]): Promise<{ client: SigningStargateClient; gas: number } | PassEnd> {
    try {
      const client = await this.context.connect();
      await this.context.ensureFunds(client);
      return { client, gas: await client.simulate(this.context.address, messages, MEMO) };
    } catch (err) {
      const text = errorMessage(err);
      const refusal = readRefusal(err);
      if (!refusal) {
        this.log.warn({ code: "CHAIN_UNREACHABLE" }, `cannot prepare the round's tx yet, retrying: ${text}`);
        return { retry: true };
      }
      if (isRoundOver(refusal)) throw refused(refusal, `the chain refused the round: ${text}`);
      const worker = refusedWorker(text, this.bundles, this.context.address);
      if (!worker) throw refused(refusal, `the chain refused the round: ${text}`);
      this.log.warn({ code: "BUNDLE_REFUSED", worker }, `chain refused a bundle, dropping it: ${text}`);
      this.drop(worker);
      return { again: true };
    }
  }

  /** Leases a sequence and signs the round with it; undefined when the account cannot be read yet. */
  private async sign(
    client: SigningStargateClient,
    messages: EncodeObject[],
    gas: number,
  ): Promise<SignedRound | undefined> {
    const { address, chainId, gasPrice } = this.context;
    let lease: SequenceLease;
    try {
      lease = await this.context.leaseSequence();
    } catch (err) {
      if (err instanceof AlloraError && err.code === "CHAIN_ACCOUNT_UNFUNDED") throw err;
      this.log.warn(
        { code: "CHAIN_UNREACHABLE" },
        `cannot read the account's sequence, retrying: ${errorMessage(err)}`,
      );
      return undefined;
    }
    const fee = calculateFee(Math.ceil(gas * 1.3), gasPrice);
    const raw = await client.sign(address, messages, fee, MEMO, {
      accountNumber: lease.accountNumber,
      sequence: lease.sequence,
      chainId,
    });
    const bytes = TxRaw.encode(raw).finish();
    const hash = toHex(sha256(bytes)).toUpperCase();
    this.record.tx_hash = hash;
    return { client, bytes, hash, lease };
  }

  /** Broadcasts, then polls; the same bytes go out again every `rebroadcastMs` until the tx is found in a block. */
  private async land(signed: SignedRound): Promise<PassEnd> {
    let lastSend = 0;
    for (;;) {
      this.checkDeadline(`transaction ${signed.hash} was not committed`);
      const tx = await signed.client.getTx(signed.hash).catch(() => null);
      if (tx) {
        signed.lease.consumed();
        return this.inBlock(signed.hash, tx);
      }
      if (Date.now() - lastSend >= this.context.rebroadcastMs) {
        lastSend = Date.now();
        const end = await this.broadcast(signed);
        if (end === "soon")
          lastSend = Date.now() - this.context.rebroadcastMs + Math.min(this.context.rebroadcastMs, 500);
        else if (end === "recheck") continue;
        else if (end !== "sent") return end;
      }
      await sleep(this.context.pollMs);
    }
  }

  /** A tx found in a block: committed, or failed (a worker registered away meanwhile: the chain's log names it). */
  private inBlock(hash: string, tx: { code: number; rawLog?: string }): PassEnd {
    const rawLog = tx.rawLog ?? "";
    if (tx.code === 0) {
      this.record.status = "committed";
      this.log.info({ bundles: this.bundles.length, tx: hash, broadcasts: this.record.broadcasts }, "round submitted");
      return { committed: true };
    }
    const refusal = readRefusal(tx) ?? { name: `CHAIN_${tx.code}` as const, abciCode: tx.code, log: rawLog };
    if (isRoundOver(refusal)) throw refused(refusal, `transaction ${hash} failed in its block: ${rawLog}`);
    const worker = refusedWorker(rawLog, this.bundles, this.context.address);
    if (!worker) throw refused(refusal, `transaction ${hash} failed with code ${tx.code}: ${rawLog}`);
    this.drop(worker);
    return { resign: `its block refused worker ${worker}` };
  }

  /**
   * One broadcast of the signed bytes: `sent` (or already waiting in the mempool), `soon` (the chain is not
   * answering: try again within half a second, so a chain that is back gets the tx quickly), `recheck` (the tx may
   * be committed: look again), or the end of the pass.
   */
  private async broadcast(signed: SignedRound): Promise<PassEnd | "sent" | "soon" | "recheck"> {
    this.record.broadcasts = (this.record.broadcasts ?? 0) + 1;
    try {
      await signed.client.broadcastTxSync(signed.bytes);
      return "sent";
    } catch (err) {
      const text = (err as { log?: string }).log ?? errorMessage(err);
      const refusal = readRefusal(err);
      if (!refusal) {
        this.logUnreachable(signed.hash, text);
        return "soon";
      }
      // Waiting for its block: an earlier send of these very bytes got through.
      if (refusal.name === "TX_IN_MEMPOOL") return "sent";
      if (refusal.name === "SEQUENCE_MISMATCH") return this.onSequenceMismatch(signed, refusal);
      signed.lease.release();
      if (isRoundOver(refusal)) throw refused(refusal, `the chain refused the round: ${text}`);
      const worker = refusedWorker(text, this.bundles, this.context.address);
      if (!worker) throw refused(refusal, `chain refused the submission (code ${refusal.abciCode}): ${text}`);
      this.log.warn(
        { code: `CHAIN_${refusal.abciCode}`, worker },
        `chain refused a bundle, dropping it and resubmitting: ${text}`,
      );
      this.drop(worker);
      return { resign: `the chain refused worker ${worker}` };
    }
  }

  /** What the chain's expected sequence means for this tx's lease. */
  private async onSequenceMismatch(signed: SignedRound, refusal: Refusal): Promise<PassEnd | "sent" | "recheck"> {
    const expected = expectedSequenceOf(refusal.log);
    const verdict = expected === undefined ? "used" : signed.lease.mismatch(expected);
    if (verdict === "used") {
      // Our sequence is behind the chain's: committed (look once more) or taken by another tx.
      if (await signed.client.getTx(signed.hash).catch(() => null)) return "recheck";
      signed.lease.consumed();
      return { resign: `its sequence ${signed.lease.sequence} was used by another transaction` };
    }
    if (verdict === "hole") return { resign: `sequence ${expected} before it will never be filled` };
    // "wait": an earlier submission of ours holds the missing sequence; re-broadcast until it lands.
    return "sent";
  }

  private logUnreachable(hash: string, text: string): void {
    const broadcasts = this.record.broadcasts ?? 0;
    if (broadcasts === 1 || broadcasts % 10 === 0) {
      this.log.warn(
        { code: "CHAIN_UNREACHABLE", tx: hash, broadcasts },
        `broadcast failed, sending the same transaction again: ${text}`,
      );
    }
  }

  private drop(worker: string): void {
    this.bundles = this.bundles.filter((b) => b.worker !== worker);
  }

  private checkDeadline(what: string): void {
    if (this.context.isStopped()) throw new AlloraError("HEAD_STOPPING", "the head is stopping");
    if (Date.now() > this.deadline) {
      const last = this.record.tx_hash ? ` (last tx ${this.record.tx_hash})` : "";
      throw new AlloraError(
        "CHAIN_TX_TIMEOUT",
        `${what} within ${Math.round(this.context.deadlineMs / 1000)} s${last}`,
      );
    }
  }
}

/** The error a submission gives up with on a refusal, coded `CHAIN_<n>` as the head's log has always said. */
function refused(refusal: Refusal, message: string): AlloraError {
  return new AlloraError(`CHAIN_${refusal.abciCode}`, message, { details: { refusal: refusal.name } });
}
