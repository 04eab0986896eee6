import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { dashboardConfig } from "../../src/config.js";

const run = promisify(execFile);
const BIN = new URL("../../dist/bin/dashboard.js", import.meta.url).pathname;
const repoVersion = (
  JSON.parse(readFileSync(new URL("../../../../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

describe("allora-dashboard", () => {
  it("--version prints the repo's version, which tags its image too", async () => {
    const { stdout } = await run(process.execPath, [BIN, "--version"]);
    expect(stdout).toBe(`allora-dashboard ${repoVersion}\n`);
  });

  it("--help lists every option with its env var", async () => {
    const { stdout } = await run(process.execPath, [BIN, "--help"]);
    for (const flag of Object.keys(dashboardConfig)) {
      const env = flag.replaceAll("-", "_").toUpperCase();
      expect(stdout).toMatch(new RegExp(`--${flag}\\s+env ${env}\\s`));
    }
  });

  it("lists every bad option at once and exits 2 without a stack trace", async () => {
    const failed = await run(process.execPath, [BIN, "--port=abc", "--workers=bad", "--chain-rest=ftp://x"]).catch(
      (err: { code: number; stderr: string }) => err,
    );
    expect((failed as { code: number }).code).toBe(2);
    const stderr = (failed as { stderr: string }).stderr;
    expect(stderr).toContain('--port: "abc" is not an integer');
    expect(stderr).toContain('--workers: "bad" is not of the form <worker-name>=<url>');
    expect(stderr).toContain("--chain-rest");
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
