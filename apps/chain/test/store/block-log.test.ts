import { appendFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "@allora/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type BlockRecord, openBlockLog } from "../../src/store/block-log.js";

function block(height: number): BlockRecord {
  return {
    type: "block",
    height: String(height),
    time: new Date(height * 1000).toISOString(),
    time_ms: height * 1000,
    hash: `H${height}`,
    app_hash: `A${height}`,
    txs: [],
    events: [],
  };
}

describe("block log", () => {
  let dir: string;
  const options = () => ({ dataDir: join(dir, "data"), chainId: "c-1", genesisHash: "g", logger: silentLogger });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "allora-block-log-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads back what it appended", () => {
    const log = openBlockLog(options());
    log.append(block(1));
    log.append(block(2));
    log.close();
    const again = openBlockLog(options());
    expect(again.blocks.map((b) => b.height)).toEqual(["1", "2"]);
    again.close();
  });

  it("drops a torn last line and truncates it away", async () => {
    const log = openBlockLog(options());
    log.append(block(1));
    log.close();
    const path = join(dir, "data", "blocks.jsonl");
    await appendFile(path, '{"type":"block","height":"2","ti');
    const again = openBlockLog(options());
    expect(again.blocks).toHaveLength(1);
    again.append(block(2));
    again.close();
    const lines = (await readFile(path, "utf8")).trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(() => lines.map((l) => JSON.parse(l))).not.toThrow();
  });

  it("refuses a damaged line in the middle and another genesis", async () => {
    const log = openBlockLog(options());
    log.append(block(1));
    log.close();
    expect(() => openBlockLog({ ...options(), genesisHash: "other" })).toThrow(/another genesis/);
    const path = join(dir, "data", "blocks.jsonl");
    const [genesis, first] = (await readFile(path, "utf8")).trim().split("\n");
    await writeFile(path, `${genesis}\n{not json\n${first}\n`);
    expect(() => openBlockLog(options())).toThrow(expect.objectContaining({ code: "BLOCK_LOG_CORRUPT" }));
  });

  it("refuses a data dir another live process holds", async () => {
    const log = openBlockLog(options());
    log.close();
    // The test runner's parent process is alive and is not us.
    await writeFile(join(dir, "data", "chain.lock"), `${process.ppid}\n`);
    expect(() => openBlockLog(options())).toThrow(expect.objectContaining({ code: "DATA_DIR_LOCKED" }));
  });
});
