import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, errorFields } from "../src/index.js";

describe("logger", () => {
  it("writes JSON lines with the node name and redacts secrets", async () => {
    const out = new PassThrough();
    const lines: string[] = [];
    out.on("data", (chunk: Buffer) => lines.push(...chunk.toString().trim().split("\n")));
    const logger = createLogger({ node: "worker-1", destination: out });
    logger.child({ module: "chain" }).info({ mnemonic: "abandon abandon", account: { privkey: "00ff" } }, "loaded");
    await new Promise((r) => setImmediate(r));
    const line = JSON.parse(lines[0] as string);
    expect(line).toMatchObject({ node: "worker-1", module: "chain", msg: "loaded", level: "info" });
    expect(line.mnemonic).toBe("[redacted]");
    expect(line.account.privkey).toBe("[redacted]");
    expect(lines.join("")).not.toContain("abandon");
  });

  it("logs errors with their code", () => {
    const err = Object.assign(new Error("boom"), { code: "FUNCTION_TIMEOUT" });
    expect(errorFields(err)).toMatchObject({ code: "FUNCTION_TIMEOUT" });
    expect(errorFields(new Error("x"))).toMatchObject({ code: "INTERNAL" });
  });
});
