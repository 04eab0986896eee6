/**
 * MsgCreateTopic and MsgRemoveRegistration through a stock client.
 */
import { MsgCreateTopic, MsgCreateTopicResponse, MsgRemoveRegistration } from "@allora/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChainFixture, startChain } from "../support/chain-fixture.js";
import { getJson } from "../support/http.js";
import { fund, register } from "../support/network.js";
import { outcomeOf } from "../support/tx-codes.js";
import { waitFor } from "../support/wait-for.js";
import { connectSigner, FEE, newWallet, type TestWallet } from "../support/wallets.js";

describe("topics and registrations", () => {
  let fixture: ChainFixture;
  let creator: TestWallet;
  let worker: TestWallet;

  beforeAll(async () => {
    fixture = await startChain();
    [creator, worker] = await Promise.all([newWallet(), newWallet()]);
    await Promise.all([fund(fixture.restUrl, creator.address), fund(fixture.restUrl, worker.address)]);
  });
  afterAll(async () => {
    await fixture?.stop();
  });

  const topicMsg = (overrides: Partial<MsgCreateTopic> = {}) => ({
    typeUrl: MsgCreateTopic.typeUrl,
    value: MsgCreateTopic.fromPartial({
      creator: creator.address,
      metadata: "BTC in 5 s",
      inferenceLogic: "bafybeigpiwl3o73zvvl6dxdqu7zqcub5mhg65jiky2xqb4rdhfmikswzqm",
      inferenceMethod: "allora-inference-function.wasm",
      inferenceCadence: 5n,
      defaultArg: "BTC",
      lossMethod: "mse",
      groundTruthLag: 5n,
      submissionWindow: 5n,
      ...overrides,
    }),
  });

  it("creates a topic whose first round opens in the same block", async () => {
    const client = await connectSigner(fixture.rpcUrl, creator);
    try {
      const res = await client.signAndBroadcast(creator.address, [topicMsg()], "auto");
      expect(res.code, res.rawLog).toBe(0);
      expect(res.msgResponses[0]?.typeUrl).toBe(MsgCreateTopicResponse.typeUrl);
      const { topicId } = MsgCreateTopicResponse.decode(res.msgResponses[0]!.value);
      expect(topicId).toBe(2n);
      const topic = await getJson<{ topic: Record<string, string> }>(`${fixture.restUrl}/emissions/v1/topics/2`);
      expect(topic.body.topic).toMatchObject({
        creator: creator.address,
        default_arg: "BTC",
        last_round_nonce: String(res.height),
      });
    } finally {
      client.disconnect();
    }
  });

  it("refuses a topic out of range (emissions 106) and one created for someone else (sdk 4)", async () => {
    const client = await connectSigner(fixture.rpcUrl, creator);
    try {
      const bad = await outcomeOf(fixture.rpcUrl, () =>
        client.signAndBroadcast(creator.address, [topicMsg({ submissionWindow: 10n, lossMethod: "huber" })], FEE),
      );
      expect(bad).toMatchObject({ code: 106, codespace: "emissions" });
      expect(bad.log).toContain("submission_window");
      expect(bad.log).toContain("loss_method");
      const forged = await outcomeOf(fixture.rpcUrl, () =>
        client.signAndBroadcast(creator.address, [topicMsg({ creator: worker.address })], FEE),
      );
      expect(forged).toMatchObject({ code: 4, codespace: "sdk" });
    } finally {
      client.disconnect();
    }
  });

  it("removes a registration, and refuses removing it twice (emissions 13)", async () => {
    await register(fixture.rpcUrl, worker);
    const registered = () =>
      getJson<{ is_registered: boolean }>(`${fixture.restUrl}/emissions/v1/worker_registered/1/${worker.address}`);
    expect((await registered()).body.is_registered).toBe(true);
    const client = await connectSigner(fixture.rpcUrl, worker);
    const remove = {
      typeUrl: MsgRemoveRegistration.typeUrl,
      value: MsgRemoveRegistration.fromPartial({ sender: worker.address, topicId: 1n }),
    };
    try {
      expect((await client.signAndBroadcast(worker.address, [remove], FEE)).code).toBe(0);
      await waitFor(async () => (await registered()).body.is_registered === false || undefined, {
        what: "deregistration",
      });
      const again = await outcomeOf(fixture.rpcUrl, () => client.signAndBroadcast(worker.address, [remove], FEE));
      expect(again).toMatchObject({ code: 13, codespace: "emissions" });
    } finally {
      client.disconnect();
    }
  });
});
