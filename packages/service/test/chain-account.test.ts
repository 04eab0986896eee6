import { describe, expect, it } from "vitest";
import { chainAccountOptionsOf } from "../src/chain-account.js";

describe("chain account options", () => {
  it("reads a node's chain flags into its chain side's options", () => {
    const config = {
      chainRpc: "http://127.0.0.1:26657",
      chainRest: undefined,
      chainId: "allora-localnet-1",
      chainGasPrice: "0.1uallo",
      faucetUrl: "http://127.0.0.1:1317/faucet",
      name: "ignored",
    };
    expect(chainAccountOptionsOf(config, "word ".repeat(24).trim())).toEqual({
      rpc: "http://127.0.0.1:26657",
      rest: undefined,
      chainId: "allora-localnet-1",
      mnemonic: "word ".repeat(24).trim(),
      gasPrice: "0.1uallo",
      faucetUrl: "http://127.0.0.1:1317/faucet",
    });
  });
});
