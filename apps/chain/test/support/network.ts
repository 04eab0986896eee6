/**
 * Building blocks for tests that play the network: funding accounts from the faucet, registering workers,
 * finding an open round, and the head's bulk payload message.
 */
import { MsgInsertBulkWorkerPayload, MsgRegister, type WorkerDataBundle } from "@allora/protocol";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { expect } from "vitest";
import { getJson, postJson } from "./http.js";
import { waitFor } from "./wait-for.js";
import { connectSigner, FEE, type TestWallet } from "./wallets.js";

export async function fund(restUrl: string, address: string, amount?: string): Promise<string> {
  const res = await postJson<{ tx_hash: string }>(`${restUrl}/faucet`, amount ? { address, amount } : { address });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.tx_hash;
}

export function registerMsg(w: TestWallet, topicId: bigint): EncodeObject {
  return {
    typeUrl: MsgRegister.typeUrl,
    value: MsgRegister.fromPartial({
      sender: w.address,
      libP2pKey: `12D3KooW${w.address.slice(5, 30)}`,
      multiAddress: "/ip4/127.0.0.1/tcp/9011",
      topicId,
      owner: w.address,
    }),
  };
}

/** Registers a worker with a stock client; returns the tx hash. */
export async function register(rpcUrl: string, w: TestWallet, topicId = 1n): Promise<string> {
  const client = await connectSigner(rpcUrl, w);
  try {
    const res = await client.signAndBroadcast(w.address, [registerMsg(w, topicId)], FEE);
    expect(res.code, res.rawLog).toBe(0);
    return res.transactionHash;
  } finally {
    client.disconnect();
  }
}

export function bulkPayloadMsg(
  sender: string,
  topicId: bigint,
  nonce: bigint,
  bundles: WorkerDataBundle[],
): EncodeObject {
  return {
    typeUrl: MsgInsertBulkWorkerPayload.typeUrl,
    value: MsgInsertBulkWorkerPayload.fromPartial({
      sender,
      nonce: { blockHeight: nonce },
      topicId,
      workerDataBundles: bundles,
    }),
  };
}

/** A round as the REST rounds view shows it. */
export interface RoundView {
  topic_id: string;
  nonce: string;
  status: "open" | "closed" | "scored";
  opened_at: string;
  closes_at: string;
  truth_at: string;
  truth: string | null;
  network_inference: string | null;
  reward_total: string | null;
  inferences: Array<{ worker: string; value: string }>;
  workers: Array<{ address: string; value: string; loss: string | null; score: string | null; reward: string | null }>;
}

export async function rounds(restUrl: string, topicId = 1n, limit = 20): Promise<RoundView[]> {
  const res = await getJson<{ rounds: RoundView[] }>(
    `${restUrl}/allora/localnet/v1/topics/${topicId}/rounds?limit=${limit}`,
  );
  return res.body.rounds;
}

/** Waits for an open round with at least `minRemainingMs` of its window left. */
export async function waitForOpenRound(restUrl: string, topicId = 1n, minRemainingMs = 1500): Promise<RoundView> {
  return waitFor(
    async () =>
      (await rounds(restUrl, topicId, 5)).find(
        (r) => r.status === "open" && Date.parse(r.closes_at) - Date.now() >= minRemainingMs,
      ),
    { what: `an open round of topic ${topicId} with ${minRemainingMs} ms left`, timeoutMs: 30_000 },
  );
}

/** Waits until round `nonce` has one of the given statuses. */
export async function waitForRound(
  restUrl: string,
  nonce: string,
  status: RoundView["status"] | Array<RoundView["status"]>,
  topicId = 1n,
): Promise<RoundView> {
  const wanted = Array.isArray(status) ? status : [status];
  return waitFor(
    async () => (await rounds(restUrl, topicId, 50)).find((r) => r.nonce === nonce && wanted.includes(r.status)),
    { what: `round ${nonce} to be ${wanted.join(" or ")}`, timeoutMs: 30_000 },
  );
}
