import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isAlloraError } from "@allora/protocol";
import { describe, expect, it } from "vitest";
import { loadGenesisFile, parseGenesis } from "../../src/genesis/genesis.js";

const example = fileURLToPath(new URL("../../genesis.example.json", import.meta.url));

describe("genesis", () => {
  it("accepts the shipped example and fills the default parameters", async () => {
    const genesis = await loadGenesisFile(example);
    expect(genesis.chainId).toBe("allora-localnet-1");
    expect(genesis.topics[0]).toMatchObject({ defaultArg: "ETH", inferenceCadence: 10n, lossMethod: "mse" });
    expect(genesis.params).toMatchObject({
      registrationFee: 1000n,
      txFeeMin: 1000n,
      pNorm: 3,
      cNorm: 0.75,
      epsilon: 0.01,
    });
    expect(genesis.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("lists every problem at once, each with its path", async () => {
    const raw = JSON.parse(await readFile(example, "utf8"));
    raw.chain_id = "bad chain id!";
    raw.market_seed = "";
    raw.accounts.push({ address: "cosmos1notours", coins: [{ denom: "uallo", amount: -5 }] });
    raw.topics[0].submission_window = "20"; // longer than the cadence
    raw.topics[0].loss_method = "mae";
    raw.params.reward_per_round = undefined;
    raw.params.alpha_regret = "2";
    raw.extra = true;
    try {
      parseGenesis(raw);
      expect.unreachable("parseGenesis accepted an invalid genesis");
    } catch (err) {
      expect(isAlloraError(err, "GENESIS_INVALID")).toBe(true);
      const problems = (err as { details: { problems: string[] } }).details.problems;
      const text = problems.join("\n");
      for (const path of [
        "genesis.extra",
        "chain_id",
        "market_seed",
        "accounts[1].address",
        "accounts[1].coins[0].amount",
        "topics[0]: submission_window",
        "topics[0]: loss_method",
        "topics[0]: ground_truth_lag",
        "params.reward_per_round",
        "params.alpha_regret",
      ]) {
        expect(text).toContain(path);
      }
    }
  });

  it("gives the same hash to the same content however it is formatted", async () => {
    const raw = JSON.parse(await readFile(example, "utf8"));
    expect(parseGenesis(raw).hash).toBe(parseGenesis(JSON.parse(JSON.stringify(raw, null, 8))).hash);
    raw.market_seed = "another";
    expect(parseGenesis(raw).hash).not.toBe((await loadGenesisFile(example)).hash);
  });

  it("explains a missing file", async () => {
    await expect(loadGenesisFile(join("/nonexistent", "genesis.json"))).rejects.toMatchObject({
      code: "GENESIS_INVALID",
    });
  });
});
