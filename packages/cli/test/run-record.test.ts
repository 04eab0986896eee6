import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runRecordFile } from "../src/project/run-record.js";
import { tempDir } from "./support/cli.js";

interface Example {
  pid: number;
  url: string;
}

const record = runRecordFile<Example>("example.json", (r) => Number.isInteger(r.pid) && typeof r.url === "string");
let tmp: { dir: string; remove: () => Promise<void> };
beforeEach(async () => {
  tmp = await tempDir();
});
afterEach(async () => {
  await tmp.remove();
});

describe("a record of what allocmd run started", () => {
  it("saves, loads and forgets a record", async () => {
    expect(await record.load(tmp.dir)).toBeUndefined();
    await record.save(tmp.dir, { pid: 42, url: "http://127.0.0.1:6000" });
    expect(await record.load(tmp.dir)).toEqual({ pid: 42, url: "http://127.0.0.1:6000" });
    await record.clear(tmp.dir);
    expect(await record.load(tmp.dir)).toBeUndefined();
    await record.clear(tmp.dir);
  });

  it("reads a file that is not such a record as no record", async () => {
    await mkdir(join(tmp.dir, ".allocmd"), { recursive: true });
    for (const text of ["{", "null", "[]", '{"pid":"42","url":"x"}', '{"pid":42}']) {
      await writeFile(join(tmp.dir, ".allocmd", "example.json"), text);
      expect(await record.load(tmp.dir)).toBeUndefined();
    }
  });
});
