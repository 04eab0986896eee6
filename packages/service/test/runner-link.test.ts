/**
 * A node notices its runner's death through the pipe on ALLORA_RUNNER_FD: a real child process holding one end,
 * this test the other; closing it (as the kernel does when the runner dies) must reach the child as "gone".
 */
import { spawn } from "node:child_process";
import type { Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { RUNNER_FD_ENV, watchRunner } from "../src/runner-link.js";

const LINK = fileURLToPath(new URL("../dist/runner-link.js", import.meta.url));

describe("watchRunner", () => {
  it("calls back when the runner's end of the pipe closes, and not before", async () => {
    const code = `const { watchRunner } = await import(${JSON.stringify(LINK)});
      watchRunner(process.env, () => { console.log("gone"); process.exit(0); });
      console.log("watching");
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", code], {
      env: { ...process.env, [RUNNER_FD_ENV]: "3" },
      stdio: ["ignore", "pipe", "inherit", "pipe"],
    });
    let out = "";
    child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
    const deadline = Date.now() + 10_000;
    while (!out.includes("watching") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200)); // still running while the runner holds its end
    expect(out).toBe("watching\n");
    (child.stdio[3] as Socket).destroy();
    expect(await exited).toBe(0);
    expect(out).toBe("watching\ngone\n");
  });

  it("watches nothing without the variable, and refuses a value that is no fd", () => {
    expect(typeof watchRunner({}, () => {})).toBe("function");
    expect(() => watchRunner({ [RUNNER_FD_ENV]: "stdout" }, () => {})).toThrow(/ALLORA_RUNNER_FD must be/);
    expect(() => watchRunner({ [RUNNER_FD_ENV]: "1" }, () => {})).toThrow(/above 2/);
  });
});
