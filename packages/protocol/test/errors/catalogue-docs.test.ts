/**
 * One catalogue: every code docs/ERRORS.md lists is a code of `ErrorCatalogue` (so it compiles where it is thrown),
 * and every code of the catalogue is documented there, in docs/CHAIN.md (the chain's own) or docs/CLI.md (allocmd's).
 */
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { CHAIN_ERRORS, CliErrorCodes, ErrorCatalogue } from "../../src/index.js";

const docs = (name: string) => readFile(new URL(`../../../../docs/${name}`, import.meta.url), "utf8");

describe("the error catalogue and the docs", () => {
  it("lists what docs/ERRORS.md lists, and documents what it lists", async () => {
    const md = await docs("ERRORS.md");
    const documented = new Set(
      [...md.matchAll(/^\| `([A-Z][A-Z0-9_]+)`(?: \/ `([A-Z][A-Z0-9_]+)`|, `([A-Z][A-Z0-9_]+)`)?/gm)]
        .flatMap((m) => [m[1], m[2], m[3]])
        .filter((c): c is string => c !== undefined),
    );
    const catalogue = Object.keys(ErrorCatalogue);
    expect([...documented].filter((c) => !catalogue.includes(c))).toEqual([]);
    const elsewhere = `${await docs("CHAIN.md")}\n${await docs("CLI.md")}\n${await docs("WORKER.md")}`;
    const undocumented = catalogue.filter(
      (c) => !documented.has(c) && !(c in CHAIN_ERRORS) && !(c in CliErrorCodes) && !elsewhere.includes(c),
    );
    expect(undocumented).toEqual([]);
  });
});
