import { describe, expect, it } from "vitest";
import { loadGenesisFile } from "../../src/genesis/genesis.js";
import { createMarket } from "../../src/market/market.js";
import { runEndBlock } from "../../src/rounds/end-block.js";
import { ChainState } from "../../src/state/chain-state.js";

const example = new URL("../../genesis.example.json", import.meta.url).pathname;

/** The end of a block as a plain function: a topic's rounds open, close and are scored by block time alone. */
describe("runEndBlock", () => {
  it("opens a round at the cadence, closes it after the window and scores it once its truth time has come", async () => {
    const genesis = await loadGenesisFile(example);
    const state = new ChainState();
    const topic = state.addTopic(genesis.topics[0]!, genesis.topics[0]!.creator, 0n);
    const market = createMarket(genesis.marketSeed);
    const ctx = (height: bigint, timeMs: number) => ({ height, timeMs, params: genesis.params, market });
    const t0 = 1_700_000_000_000;

    const opened = runEndBlock(state, ctx(1n, t0));
    expect(opened).toEqual([
      expect.objectContaining({ type: "round_opened", topic_id: topic.id.toString(), nonce: "1", opened_at_ms: t0 }),
    ]);
    const round = state.round(topic.id, 1n)!;
    expect(round.status).toBe("open");
    // The same block height never opens a second round, and nothing is due a moment later.
    expect(runEndBlock(state, ctx(1n, t0 + 1))).toEqual([]);

    const closed = runEndBlock(state, ctx(2n, round.closesAtMs));
    expect(closed.find((e) => e.type === "round_closed")).toMatchObject({ nonce: "1", network: null });
    // A round whose truth time has come by then is scored in the same block, right after it closed.
    const later = runEndBlock(state, ctx(3n, Math.max(round.truthAtMs, round.closesAtMs + 1)));
    const scored = [...closed, ...later].filter((e) => e.type === "round_scored" && e.nonce === "1");
    // Nobody answered: scored once, with nothing minted.
    expect(scored).toEqual([expect.objectContaining({ minted: "0", network_loss: null, workers: [] })]);
    expect(state.round(topic.id, 1n)?.status).toBe("scored");
    expect(state.minted).toBe(0n);
  });
});
