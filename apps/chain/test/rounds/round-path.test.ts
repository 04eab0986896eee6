/**
 * A full round: three registered workers of different accuracy sign their bundles, a head account submits them in
 * one MsgInsertBulkWorkerPayload, the truth is revealed after the lag, the round is scored, rewards are paid into
 * balances, the best worker earns more than the worst, and the REST views show all of it.
 */
import { createPriceSeries, formatDecimal, signWorkerBundle } from "@allora/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMarket } from "../../src/market/market.js";
import { type ChainFixture, startChain } from "../support/chain-fixture.js";
import { getJson } from "../support/http.js";
import { bulkPayloadMsg, fund, register, rounds, waitForOpenRound, waitForRound } from "../support/network.js";
import { connectSigner, FEE, newWallet, type TestWallet } from "../support/wallets.js";

describe("a round from bundles to rewards", () => {
  let fixture: ChainFixture;
  let head: TestWallet;
  let best: TestWallet;
  let middle: TestWallet;
  let worst: TestWallet;

  beforeAll(async () => {
    [head, best, middle, worst] = await Promise.all([newWallet(), newWallet(), newWallet(), newWallet()]);
    fixture = await startChain({
      topics: [{ inference_cadence: "3", submission_window: "3", ground_truth_lag: "3" }],
      payloadSenders: [head.address],
    });
    await Promise.all([head, best, middle, worst].map((w) => fund(fixture.restUrl, w.address)));
    await Promise.all([best, middle, worst].map((w) => register(fixture.rpcUrl, w)));
  });
  afterAll(async () => {
    await fixture?.stop();
  });

  it("stores, reveals, scores and pays", async () => {
    const round = await waitForOpenRound(fixture.restUrl, 1n, 2000);
    const nonce = BigInt(round.nonce);
    // The test knows the market seed, so it knows the truth the chain will reveal.
    const truthSecond = Date.parse(round.truth_at) / 1000;
    const truth = Number(createMarket(fixture.marketSeed).priceAt("ETH", truthSecond));
    expect(truth).toBeCloseTo(createPriceSeries({ seed: fixture.marketSeed, token: "ETH" }).priceAt(truthSecond), 6);

    const values = new Map([
      [best.address, formatDecimal(truth + 0.5, 6)],
      [middle.address, formatDecimal(truth + 12, 6)],
      [worst.address, formatDecimal(truth + 150, 6)],
    ]);
    const bundles = await Promise.all(
      [best, middle, worst].map((w) =>
        signWorkerBundle(w.account, { topicId: 1n, blockHeight: nonce, value: values.get(w.address)! }),
      ),
    );
    const headClient = await connectSigner(fixture.rpcUrl, head);
    const balancesBefore = new Map<string, bigint>();
    try {
      for (const w of [best, middle, worst]) {
        balancesBefore.set(w.address, BigInt((await headClient.getBalance(w.address, "uallo")).amount));
      }
      const res = await headClient.signAndBroadcast(
        head.address,
        [bulkPayloadMsg(head.address, 1n, nonce, bundles)],
        FEE,
      );
      expect(res.code, res.rawLog).toBe(0);
      expect(res.events.filter((e) => e.type === "inference_stored")).toHaveLength(3);

      const latest = await getJson<{ block_height: string; inferences: { inferences: Array<Record<string, string>> } }>(
        `${fixture.restUrl}/emissions/v1/latest_inferences/1`,
      );
      expect(latest.body.block_height).toBe(nonce.toString());
      expect(latest.body.inferences.inferences).toHaveLength(3);
      expect(latest.body.inferences.inferences).toContainEqual(
        expect.objectContaining({
          topic_id: "1",
          block_height: nonce.toString(),
          inferer: best.address,
          value: values.get(best.address),
        }),
      );

      const scored = await waitForRound(fixture.restUrl, round.nonce, "scored");
      expect(Number(scored.truth)).toBeCloseTo(truth, 8);
      const reward = (address: string) => BigInt(scored.workers.find((w) => w.address === address)!.reward!);
      expect(reward(best.address)).toBeGreaterThan(reward(worst.address));
      expect(reward(best.address)).toBeGreaterThan(reward(middle.address));
      const total = reward(best.address) + reward(middle.address) + reward(worst.address);
      expect(total).toBeLessThanOrEqual(1_000_000n);
      expect(total).toBeGreaterThan(999_990n);
      for (const w of scored.workers) {
        expect(w.loss).not.toBeNull();
        expect(w.score).not.toBeNull();
      }

      // Rewards are bank balances, visible through cosmjs.
      for (const w of [best, middle, worst]) {
        const after = BigInt((await headClient.getBalance(w.address, "uallo")).amount);
        expect(after - balancesBefore.get(w.address)!).toBe(reward(w.address));
      }
    } finally {
      headClient.disconnect();
    }

    const workers = await getJson<{ workers: Array<Record<string, string | null>> }>(
      `${fixture.restUrl}/allora/localnet/v1/topics/1/workers`,
    );
    expect(workers.body.workers[0]).toMatchObject({ address: best.address, latest_value: values.get(best.address) });
    expect(workers.body.workers.at(-1)?.address).not.toBe(best.address);
    for (const w of workers.body.workers) {
      expect(w.lib_p2p_key).toMatch(/^12D3KooW/);
      expect(BigInt(w.cumulative_reward!)).toBeGreaterThan(0n);
      expect(w.ema_score).not.toBeNull();
    }

    const ema = await getJson<{ score: Record<string, string> }>(
      `${fixture.restUrl}/emissions/v1/inferer_score_ema/1/${best.address}`,
    );
    expect(ema.body.score).toMatchObject({ topic_id: "1", block_height: nonce.toString(), address: best.address });
    expect(Number(ema.body.score.score)).toBeGreaterThan(0);

    const network = await getJson<{ network_inferences: Record<string, unknown>; inference_block_height: string }>(
      `${fixture.restUrl}/emissions/v1/latest_network_inferences/1`,
    );
    expect(network.body.inference_block_height).toBe(nonce.toString());
    expect(network.body.network_inferences.inferer_values).toHaveLength(3);

    const registered = await getJson(`${fixture.restUrl}/emissions/v1/worker_registered/1/${best.address}`);
    expect(registered.body).toEqual({ is_registered: true });

    // A round is scored exactly once.
    const again = (await rounds(fixture.restUrl)).filter((r) => r.nonce === round.nonce);
    expect(again).toHaveLength(1);
  });
});
