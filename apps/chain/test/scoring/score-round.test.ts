/**
 * Scoring over many rounds with three synthetic workers of clearly different accuracy: the better model must
 * earn more, and every round's scores must be recorded.
 */
import { formatDecimal } from "@allora/protocol";
import { describe, expect, it } from "vitest";
import { DEFAULT_PARAMS } from "../../src/genesis/params.js";
import { computeNetworkInference } from "../../src/scoring/network-inference.js";
import { scoreRound } from "../../src/scoring/score-round.js";

const params = { ...DEFAULT_PARAMS };

/** Deterministic noise in [-1, 1). */
function noise(seed: number): number {
  const x = Math.sin(seed * 12.9898) * 43758.5453;
  return 2 * (x - Math.floor(x)) - 1;
}

describe("scoreRound", () => {
  it("pays the accurate worker most and the worst least over 20 rounds, recording scores", () => {
    const workers = [
      { address: "good", error: 0.5 },
      { address: "medium", error: 8 },
      { address: "bad", error: 60 },
    ];
    const memory = new Map<
      string,
      { regret: number | undefined; ema: number | undefined; reward: bigint; scores: number[] }
    >();
    for (const w of workers) memory.set(w.address, { regret: undefined, ema: undefined, reward: 0n, scores: [] });
    const history: number[][] = [];
    const pot = 1_000_000n;

    for (let round = 0; round < 20; round++) {
      const truth = 3000 + 50 * Math.sin(round / 3);
      const inferences = workers.map((w, i) => ({
        worker: w.address,
        value: formatDecimal(truth + w.error * (1 + 0.3 * noise(round * 7 + i)), 6),
      }));
      const network = computeNetworkInference(
        inferences.map((i) => ({ worker: i.worker, value: Number(i.value) })),
        (w) => memory.get(w)?.regret,
        params,
      );
      const out = scoreRound({
        inferences,
        network,
        truth,
        previous: (w) => ({ regret: memory.get(w)?.regret, ema: memory.get(w)?.ema }),
        history,
        pot,
        params,
      });
      expect(out.rewardTotal).toBeLessThanOrEqual(pot);
      expect(out.rewardTotal).toBeGreaterThan(pot - 10n);
      history.push(out.instantScores);
      for (const w of workers) {
        const outcome = out.workers[w.address]!;
        const m = memory.get(w.address)!;
        m.regret = outcome.regret;
        m.ema = outcome.ema;
        m.reward += outcome.reward;
        m.scores.push(outcome.score);
        expect(Number.isFinite(outcome.loss)).toBe(true);
      }
    }

    const good = memory.get("good")!;
    const medium = memory.get("medium")!;
    const bad = memory.get("bad")!;
    expect(good.scores).toHaveLength(20);
    expect(good.reward).toBeGreaterThan(medium.reward);
    expect(medium.reward).toBeGreaterThan(bad.reward);
    expect(good.ema!).toBeGreaterThan(medium.ema!);
    expect(medium.ema!).toBeGreaterThan(bad.ema!);
    // Regret is "better than the network": the accurate worker ends up positive, the worst negative.
    expect(good.regret!).toBeGreaterThan(0);
    expect(bad.regret!).toBeLessThan(0);
  });

  it("weighs all-new workers equally and favours low-regret workers once they have history", () => {
    const inferences = [
      { worker: "a", value: 10 },
      { worker: "b", value: 20 },
    ];
    const fresh = computeNetworkInference(inferences, () => undefined, params);
    expect(fresh.combined).toBeCloseTo(15);
    expect(fresh.oneOut).toEqual({ a: 20, b: 10 });
    const experienced = computeNetworkInference(inferences, (w) => (w === "a" ? 2 : -2), params);
    expect(experienced.weights.a!).toBeGreaterThan(experienced.weights.b!);
    expect(experienced.combined).toBeLessThan(15);
  });

  it("gives a single worker a zero score and the whole pot", () => {
    const network = computeNetworkInference([{ worker: "solo", value: 101 }], () => undefined, params);
    const out = scoreRound({
      inferences: [{ worker: "solo", value: "101" }],
      network,
      truth: 100,
      previous: () => ({ regret: undefined, ema: undefined }),
      history: [],
      pot: 1000n,
      params,
    });
    expect(out.workers.solo).toMatchObject({ score: 0, reward: 1000n, fraction: 1 });
    expect(out.networkLoss).toBeCloseTo(0);
  });
});
