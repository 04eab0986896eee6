/**
 * The record of generated files: it tells "unchanged since generated" (regenerate) from "edited by the user"
 * (keep), survives a corrupt record without losing anything, and never touches write-once files.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GENERATED_RECORD, openGeneratedFiles } from "../src/scaffold/generated-files.js";
import { tempDir } from "./support/cli.js";

let tmp: { dir: string; remove: () => Promise<void> };
beforeEach(async () => {
  tmp = await tempDir();
});
afterEach(async () => {
  await tmp.remove();
});

async function generate(content: string, options: { force?: boolean; createOnly?: boolean } = {}) {
  const files = await openGeneratedFiles(tmp.dir, { force: options.force ?? false, cliVersion: "test" });
  const outcome = await files.write("a.txt", content, options.createOnly ? { createOnly: true } : {});
  await files.save();
  return outcome;
}

describe("generated files", () => {
  it("creates, keeps unchanged, regenerates unedited, keeps edited", async () => {
    expect((await generate("v1")).action).toBe("created");
    expect((await generate("v1")).action).toBe("unchanged");
    expect((await generate("v2")).action).toBe("updated");
    expect(await readFile(join(tmp.dir, "a.txt"), "utf8")).toBe("v2");
    await writeFile(join(tmp.dir, "a.txt"), "mine");
    expect((await generate("v3")).action).toBe("kept-edited");
    expect(await readFile(join(tmp.dir, "a.txt"), "utf8")).toBe("mine");
    const forced = await generate("v3", { force: true });
    expect(forced.action).toBe("overwritten");
    expect(await readFile(join(tmp.dir, forced.backup as string), "utf8")).toBe("mine");
    expect(await readFile(join(tmp.dir, "a.txt"), "utf8")).toBe("v3");
  });

  it("records hashes only, and treats an unknown or corrupt record as 'edited' so nothing is lost", async () => {
    await generate("secret-free content");
    const record = await readFile(join(tmp.dir, GENERATED_RECORD), "utf8");
    expect(record).not.toContain("secret-free content");
    expect(JSON.parse(record).files["a.txt"].sha256).toMatch(/^[0-9a-f]{64}$/);
    await writeFile(join(tmp.dir, GENERATED_RECORD), "{not json");
    expect((await generate("other")).action).toBe("kept-edited");
  });

  it("writes write-once files once, even with --force", async () => {
    expect((await generate("first", { createOnly: true })).action).toBe("created");
    await writeFile(join(tmp.dir, "a.txt"), "API_KEY=mine");
    expect((await generate("second", { createOnly: true, force: true })).action).toBe("kept-existing");
    expect(await readFile(join(tmp.dir, "a.txt"), "utf8")).toBe("API_KEY=mine");
  });
});
