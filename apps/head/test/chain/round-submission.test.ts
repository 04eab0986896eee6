import { AlloraError, silentLogger, WorkerDataBundle } from "@allora/protocol";
import { GasPrice, type SigningStargateClient } from "@cosmjs/stargate";
import { describe, expect, it } from "vitest";
import { type Submission, type SubmissionContext, submitRound } from "../../src/chain/round-submission.js";
import { createSequenceAllocator } from "../../src/chain/sequence-allocator.js";

const W1 = "allo1dr8zcmea4wf7tf242xkj6xyzgu0wr2z9x6skyc";
const W2 = "allo1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq";
const HEAD = "allo1headheadheadheadheadheadheadheadheadhe";
const round = { topicId: 1n, nonce: 44n, bundles: [] };
const bundles = () => [W1, W2].map((worker) => WorkerDataBundle.fromPartial({ worker, topicId: 1n }));

/** A chain client whose answers a test scripts; it records what it was asked. */
function fakeChain(script: {
  simulate?: (workers: string[]) => number | Error;
  broadcast?: (n: number) => unknown;
  committedAfter?: number;
}) {
  const calls = { simulated: [] as string[][], signedSequences: [] as number[], broadcasts: 0 };
  let sent = 0;
  const client = {
    async simulate(_address: string, messages: Array<{ value: { workerDataBundles: WorkerDataBundle[] } }>) {
      const workers = messages[0]?.value.workerDataBundles.map((b) => b.worker) ?? [];
      calls.simulated.push(workers);
      const answer = script.simulate?.(workers) ?? 100_000;
      if (answer instanceof Error) throw answer;
      return answer;
    },
    async sign(_a: string, _m: unknown, _f: unknown, _memo: string, signer: { sequence: number }) {
      calls.signedSequences.push(signer.sequence);
      return { bodyBytes: new Uint8Array([signer.sequence]), authInfoBytes: new Uint8Array(), signatures: [] };
    },
    async getTx() {
      return sent >= (script.committedAfter ?? 1) ? { code: 0, rawLog: "" } : null;
    },
    async broadcastTxSync() {
      calls.broadcasts++;
      const refusal = script.broadcast?.(calls.broadcasts);
      if (refusal) throw refusal;
      sent++;
      return "HASH";
    },
  } as unknown as SigningStargateClient;
  return { client, calls };
}

function context(client: SigningStargateClient, extra: Partial<SubmissionContext> = {}): SubmissionContext {
  const sequences = createSequenceAllocator(async () => ({ accountNumber: 1n, sequence: 5 }));
  return {
    address: HEAD,
    chainId: "test-1",
    gasPrice: GasPrice.fromString("0.1uallo"),
    connect: async () => client,
    ensureFunds: async () => {},
    leaseSequence: () => sequences.lease(),
    rebroadcastMs: 5,
    deadlineMs: 5000,
    pollMs: 1,
    retryMs: 1,
    isStopped: () => false,
    logger: silentLogger,
    ...extra,
  };
}

const record = (): Submission => ({ topic_id: "1", nonce: "44", bundles: 2, status: "submitting" });
const broadcastError = (code: number, codespace: string, log: string) =>
  Object.assign(new Error(log), { code, codespace, log });

describe("round submission", () => {
  it("signs once and lands the round", async () => {
    const chain = fakeChain({});
    const r = record();
    await submitRound(context(chain.client), round, bundles(), r);
    expect(r).toMatchObject({ status: "committed", bundles: 2, broadcasts: 1 });
    expect(chain.calls.signedSequences).toEqual([5]);
  });

  it("drops the bundle a simulation refuses by name and submits the rest", async () => {
    const chain = fakeChain({
      simulate: (workers) =>
        workers.includes(W1)
          ? new Error(`Query failed with (78): worker ${W1} (bundle 0) topic 1 nonce 44: inference already submitted`)
          : 100_000,
    });
    const r = record();
    await submitRound(context(chain.client), round, bundles(), r);
    expect(chain.calls.simulated).toEqual([[W1, W2], [W2]]);
    expect(r).toMatchObject({ status: "committed", bundles: 1 });
  });

  it("gives up when the chain says the round is over, with the head's CHAIN_<n> code", async () => {
    const chain = fakeChain({
      simulate: () => new Error("Query failed with (67): topic 1 nonce 44: worker nonce window not available"),
    });
    const failure = await submitRound(context(chain.client), round, bundles(), record()).catch((e) => e);
    expect(failure).toBeInstanceOf(AlloraError);
    expect(failure).toMatchObject({ code: "CHAIN_67", details: { refusal: "WINDOW_NOT_AVAILABLE" } });
    expect(failure.message).toMatch(/^the chain refused the round: Query failed with \(67\)/);
  });

  it("skips a round whose every bundle was refused", async () => {
    const chain = fakeChain({
      simulate: (workers) =>
        new Error(`Query failed with (13): worker ${workers[0]}: address is not registered in this topic`),
    });
    const r = record();
    await submitRound(context(chain.client), round, bundles(), r);
    expect(r).toMatchObject({ status: "skipped", bundles: 0 });
  });

  it("keeps polling when the bytes are already in the mempool", async () => {
    const chain = fakeChain({
      broadcast: (n) => (n === 1 ? undefined : broadcastError(19, "sdk", "tx already in mempool")),
      committedAfter: 1,
    });
    const r = record();
    await submitRound(context(chain.client), round, bundles(), r);
    expect(r.status).toBe("committed");
  });

  it("signs again with the chain's sequence when its own was used by another transaction", async () => {
    let commitAfterResign = false;
    const chain = fakeChain({
      broadcast: (n) => {
        if (n === 1)
          return broadcastError(32, "sdk", "account sequence mismatch, expected 9, got 5: incorrect account sequence");
        commitAfterResign = true;
        return undefined;
      },
    });
    const r = record();
    await submitRound(context(chain.client), round, bundles(), r);
    expect(commitAfterResign).toBe(true);
    expect(chain.calls.signedSequences).toEqual([5, 9]);
    expect(r.status).toBe("committed");
  });

  it("retries a chain that does not answer, then gives up at the deadline", async () => {
    const chain = fakeChain({ simulate: () => new Error("connect ECONNREFUSED 127.0.0.1:26657") });
    const failure = await submitRound(context(chain.client, { deadlineMs: 30 }), round, bundles(), record()).catch(
      (e) => e,
    );
    expect(failure).toMatchObject({ code: "CHAIN_TX_TIMEOUT" });
    expect(chain.calls.simulated.length).toBeGreaterThan(1);
  });

  it("stops when the head stops", async () => {
    const chain = fakeChain({});
    const failure = await submitRound(
      context(chain.client, { isStopped: () => true }),
      round,
      bundles(),
      record(),
    ).catch((e) => e);
    expect(failure).toMatchObject({ code: "HEAD_STOPPING" });
  });
});
