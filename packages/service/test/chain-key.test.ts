/**
 * A signing node's chain key: read from its file, and refused at start when the chain options do not go together.
 */
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readChainKey } from "../src/chain-key.js";

const NEEDS = "the node needs its key";
let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "allora-chain-key-"));
  file = join(dir, "chain.mnemonic");
  await writeFile(file, "word ".repeat(24).trim() + "\n");
  await chmod(file, 0o600);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("readChainKey", () => {
  it("reads the mnemonic, trimmed, and none when no file is set", async () => {
    const rpc = { chainRpc: "http://127.0.0.1:26657", chainRest: "http://127.0.0.1:1317" };
    expect(await readChainKey({ ...rpc, chainMnemonicFile: file }, NEEDS)).toBe("word ".repeat(24).trim());
    expect(await readChainKey({}, NEEDS)).toBeUndefined();
  });

  it("refuses --chain-rpc without the mnemonic file or without --chain-rest, naming the missing option", async () => {
    await expect(readChainKey({ chainRpc: "http://x:1", chainRest: "http://x:2" }, NEEDS)).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      message: `--chain-rpc is set but --chain-mnemonic-file is not: ${NEEDS}`,
    });
    await expect(readChainKey({ chainRpc: "http://x:1", chainMnemonicFile: file }, NEEDS)).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      message: `--chain-rpc is set but --chain-rest is not: ${NEEDS}`,
    });
  });
});
