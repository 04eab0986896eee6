/**
 * Every way a tx is refused, each with its code: signature, chain id, sequence replay, fee, unknown signer,
 * registration without funds, and the bundle checks of MsgInsertBulkWorkerPayload (unregistered worker, tampered
 * bundle, round unknown or closed, duplicate inference, oversized message, atomicity).
 */

import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAlloraRegistry, makeSignedTx, signWorkerBundle, type WorkerDataBundle } from "@allora/protocol";
import type { SigningStargateClient } from "@cosmjs/stargate";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChainFixture, startChain } from "../support/chain-fixture.js";
import { broadcastRaw } from "../support/http.js";
import {
  bulkPayloadMsg,
  fund,
  register,
  registerMsg,
  rounds,
  waitForOpenRound,
  waitForRound,
} from "../support/network.js";
import { outcomeOf } from "../support/tx-codes.js";
import { waitFor } from "../support/wait-for.js";
import { connectSigner, FEE, newWallet, type TestWallet } from "../support/wallets.js";

const registry = createAlloraRegistry();

describe("tx rejections", () => {
  let fixture: ChainFixture;
  let head: TestWallet;
  let worker1: TestWallet;
  let worker2: TestWallet;
  let stranger: TestWallet;
  let headClient: SigningStargateClient;
  let sendersFile: string;

  beforeAll(async () => {
    [head, worker1, worker2, stranger] = await Promise.all([newWallet(), newWallet(), newWallet(), newWallet()]);
    sendersFile = join(tmpdir(), `allora-payload-senders-${process.pid}-${Date.now()}`);
    await writeFile(sendersFile, "# the chain's operator lists extra payload senders here\n");
    fixture = await startChain({
      topics: [{ inference_cadence: "3", submission_window: "3", ground_truth_lag: "3" }],
      payloadSenders: [head.address],
      payloadSendersFile: sendersFile,
    });
    await Promise.all([head, worker1, worker2, stranger].map((w) => fund(fixture.restUrl, w.address)));
    await Promise.all([register(fixture.rpcUrl, worker1), register(fixture.rpcUrl, worker2)]);
    headClient = await connectSigner(fixture.rpcUrl, head);
  });
  afterAll(async () => {
    headClient?.disconnect();
    await fixture?.stop();
    if (sendersFile) await rm(sendersFile, { force: true });
  });

  const sendMsg = (from: TestWallet, to: string, amount = "10") => ({
    typeUrl: "/cosmos.bank.v1beta1.MsgSend",
    value: { fromAddress: from.address, toAddress: to, amount: [{ denom: "uallo", amount }] },
  });

  async function signSend(from: TestWallet, options: { chainId?: string; fee?: string } = {}) {
    const { accountNumber, sequence } = await headClient.getSequence(from.address);
    return makeSignedTx({
      registry,
      account: from.account,
      messages: [sendMsg(from, stranger.address)],
      chainId: options.chainId ?? "allora-localnet-1",
      accountNumber,
      sequence,
      fee: { amount: [{ denom: "uallo", amount: options.fee ?? "500" }], gas: 200000 },
    });
  }

  it("refuses a bad signature (sdk 4)", async () => {
    const raw = TxRaw.decode(await signSend(head));
    raw.signatures[0]![5]! ^= 0xff;
    const res = await broadcastRaw(fixture.rpcUrl, TxRaw.encode(raw).finish());
    expect(res.code).toBe(4);
    expect(res.codespace).toBe("sdk");
    expect(res.log).toMatch(
      /^signature verification failed; please verify account number \(\d+\) and chain-id \(allora-localnet-1\): unauthorized$/,
    );
  });

  it("refuses a tx signed for another chain id (sdk 4)", async () => {
    const res = await broadcastRaw(fixture.rpcUrl, await signSend(head, { chainId: "some-other-chain" }));
    expect(res).toMatchObject({ code: 4, codespace: "sdk" });
  });

  it("refuses a replayed tx with the exact sequence message (sdk 32)", async () => {
    const { sequence } = await headClient.getSequence(head.address);
    const bytes = await signSend(head);
    const first = await broadcastRaw(fixture.rpcUrl, bytes);
    expect(first.code).toBe(0);
    await waitFor(() => headClient.getTx(first.hash), { what: "the first tx to commit" });
    const replay = await broadcastRaw(fixture.rpcUrl, bytes);
    expect(replay).toMatchObject({ code: 32, codespace: "sdk" });
    expect(replay.log).toBe(
      `account sequence mismatch, expected ${sequence + 1}, got ${sequence}: incorrect account sequence`,
    );
  });

  it("refuses a fee below tx_fee_min (sdk 13) and a signer without an account (sdk 9)", async () => {
    const cheap = await broadcastRaw(fixture.rpcUrl, await signSend(head, { fee: "10" }));
    expect(cheap).toMatchObject({ code: 13, codespace: "sdk" });
    expect(cheap.log).toContain("insufficient fee; got: 10uallo required: 100uallo");
    const nobody = await newWallet();
    const bytes = await makeSignedTx({
      registry,
      account: nobody.account,
      messages: [sendMsg(nobody, stranger.address)],
      chainId: "allora-localnet-1",
      accountNumber: 0,
      sequence: 0,
      fee: { amount: [{ denom: "uallo", amount: "500" }], gas: 200000 },
    });
    expect(await broadcastRaw(fixture.rpcUrl, bytes)).toMatchObject({ code: 9, codespace: "sdk" });
  });

  it("refuses a registration the sender cannot pay for (sdk 5)", async () => {
    const poor = await newWallet();
    await fund(fixture.restUrl, poor.address, "600"); // enough for the tx fee, not for the 1000 uallo registration fee
    const client = await connectSigner(fixture.rpcUrl, poor);
    try {
      const outcome = await outcomeOf(fixture.rpcUrl, () =>
        client.signAndBroadcast(poor.address, [registerMsg(poor, 1n)], FEE),
      );
      expect(outcome).toMatchObject({ code: 5, codespace: "sdk" });
      expect(outcome.log).toContain("registration fee of 1000uallo");
    } finally {
      client.disconnect();
    }
  });

  it("refuses registering twice (emissions 102)", async () => {
    const client = await connectSigner(fixture.rpcUrl, worker1);
    try {
      const outcome = await outcomeOf(fixture.rpcUrl, () =>
        client.signAndBroadcast(worker1.address, [registerMsg(worker1, 1n)], FEE),
      );
      expect(outcome).toMatchObject({ code: 102, codespace: "emissions" });
    } finally {
      client.disconnect();
    }
  });

  describe("bulk worker payloads", () => {
    const submit = (nonce: bigint, bundles: WorkerDataBundle[]) =>
      outcomeOf(fixture.rpcUrl, () =>
        headClient.signAndBroadcast(head.address, [bulkPayloadMsg(head.address, 1n, nonce, bundles)], FEE),
      );
    const bundleOf = (w: TestWallet, nonce: bigint, value = "3000.5") =>
      signWorkerBundle(w.account, { topicId: 1n, blockHeight: nonce, value });

    it("refuses a payload from an account that is not a whitelisted sender (emissions 110), until the operator lists it", async () => {
      const nonce = BigInt((await waitForOpenRound(fixture.restUrl, 1n, 2000)).nonce);
      const bundle = await bundleOf(worker1, nonce, "123.5");
      const client = await connectSigner(fixture.rpcUrl, stranger);
      try {
        const send = () =>
          outcomeOf(fixture.rpcUrl, () =>
            client.signAndBroadcast(stranger.address, [bulkPayloadMsg(stranger.address, 1n, nonce, [bundle])], FEE),
          );
        const refused = await send();
        expect(refused).toMatchObject({ code: 110, codespace: "emissions" });
        expect(refused.log).toContain(stranger.address);
        expect(refused.log).toContain("sender is not a whitelisted payload sender");
        const round = (await rounds(fixture.restUrl)).find((r) => r.nonce === nonce.toString());
        expect(round?.inferences.map((i) => i.worker) ?? []).not.toContain(worker1.address);
        // The operator's file is read again when it changes: the same account is then accepted.
        await writeFile(sendersFile, `# extra payload senders\n${stranger.address}\n`);
        expect((await send()).code).toBe(0);
        // The tests after this one submit worker1 again: let this round close first.
        await waitForRound(fixture.restUrl, nonce.toString(), ["closed", "scored"]);
      } finally {
        client.disconnect();
        await writeFile(sendersFile, "");
      }
    });

    it("refuses a worker that is not registered (emissions 13) and names it", async () => {
      const nonce = BigInt((await waitForOpenRound(fixture.restUrl, 1n, 2000)).nonce);
      const outcome = await submit(nonce, [await bundleOf(stranger, nonce)]);
      expect(outcome).toMatchObject({ code: 13, codespace: "emissions" });
      expect(outcome.log).toContain(stranger.address);
      expect(outcome.log).toContain("address is not registered in this topic");
    });

    it("refuses a tampered bundle (emissions 103) and names the worker", async () => {
      const nonce = BigInt((await waitForOpenRound(fixture.restUrl, 1n, 2000)).nonce);
      const bundle = await bundleOf(worker1, nonce, "3000.5");
      bundle.inferenceForecastsBundle!.inference!.value = "3999.5";
      const outcome = await submit(nonce, [bundle]);
      expect(outcome).toMatchObject({ code: 103, codespace: "emissions" });
      expect(outcome.log).toContain(worker1.address);
    });

    it("refuses an unknown round (emissions 75) and a closed one (emissions 67)", async () => {
      const unknown = await submit(999_999n, [await bundleOf(worker1, 999_999n)]);
      expect(unknown).toMatchObject({ code: 75, codespace: "emissions" });
      const open = await waitForOpenRound(fixture.restUrl, 1n, 2000);
      const closed = await waitForRound(fixture.restUrl, open.nonce, ["closed", "scored"]);
      const nonce = BigInt(closed.nonce);
      const late = await submit(nonce, [await bundleOf(worker1, nonce)]);
      expect(late).toMatchObject({ code: 67, codespace: "emissions" });
    });

    it("refuses a second inference of a worker in a round (emissions 78)", async () => {
      const nonce = BigInt((await waitForOpenRound(fixture.restUrl, 1n, 2000)).nonce);
      const bundle = await bundleOf(worker1, nonce);
      expect((await submit(nonce, [bundle])).code).toBe(0);
      const again = await submit(nonce, [await bundleOf(worker1, nonce, "3001")]);
      expect(again).toMatchObject({ code: 78, codespace: "emissions" });
      expect(again.log).toContain("inference already submitted");
      const twiceInOneTx = await submit(nonce, [await bundleOf(worker2, nonce), await bundleOf(worker2, nonce, "2")]);
      expect(twiceInOneTx).toMatchObject({ code: 78, codespace: "emissions" });
    });

    it("is atomic: one bad bundle fails the tx, and the rest can be resubmitted", async () => {
      const nonce = BigInt((await waitForOpenRound(fixture.restUrl, 1n, 2000)).nonce);
      const good = await bundleOf(worker2, nonce, "2999.25");
      const failed = await submit(nonce, [good, await bundleOf(stranger, nonce)]);
      expect(failed).toMatchObject({ code: 13, codespace: "emissions" });
      expect(failed.log).toContain(`worker ${stranger.address} (bundle 1)`);
      const round = (await rounds(fixture.restUrl)).find((r) => r.nonce === nonce.toString());
      expect(round?.inferences.map((i) => i.worker)).not.toContain(worker2.address);
      expect((await submit(nonce, [good])).code).toBe(0);
      const after = (await rounds(fixture.restUrl)).find((r) => r.nonce === nonce.toString());
      expect(after?.inferences).toContainEqual(expect.objectContaining({ worker: worker2.address, value: "2999.25" }));
    });

    it("refuses a message over max_serialized_msg_length (emissions 109)", async () => {
      const nonce = BigInt((await waitForOpenRound(fixture.restUrl, 1n, 2000)).nonce);
      const bundle = await bundleOf(worker1, nonce);
      bundle.inferenceForecastsBundle!.inference!.extraData = new Uint8Array(1_000_100);
      const outcome = await submit(nonce, [bundle]);
      expect(outcome).toMatchObject({ code: 109, codespace: "emissions" });
    });
  });
});
