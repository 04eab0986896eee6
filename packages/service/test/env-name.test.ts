import { describe, expect, it } from "vitest";
import { envNameOfFlag, flagNameOfEnv } from "../src/env-name.js";

describe("the flag-to-env rule", () => {
  it("upper-snakes a flag", () => {
    expect(envNameOfFlag("boot-nodes")).toBe("BOOT_NODES");
    expect(envNameOfFlag("chain-mnemonic-file")).toBe("CHAIN_MNEMONIC_FILE");
    expect(envNameOfFlag("port")).toBe("PORT");
  });

  it("turns an env var back into its flag", () => {
    for (const flag of ["boot-nodes", "p2p-port", "faucet-url", "name"]) {
      expect(flagNameOfEnv(envNameOfFlag(flag))).toBe(flag);
    }
  });
});
