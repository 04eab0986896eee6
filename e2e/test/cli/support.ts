/**
 * Running the built `allocmd` binary as a user would, and cleaning up the containers a spec made.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
const REPO = fileURLToPath(new URL("../../../", import.meta.url));

/** The built allocmd binary (next to the package's entry point). */
const ALLOCMD_BIN = join(dirname(fileURLToPath(import.meta.resolve("@allora/allocmd"))), "bin", "allocmd.js");

/** What a run printed and returned. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `allocmd <args>` in `cwd` and waits for it, failing after `timeoutMs`. */
export function allocmd(args: string[], cwd: string, timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ALLOCMD_BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`allocmd ${args.join(" ")} did not exit within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** Runs a command and returns its exit code and output (for docker; `env` replaces the environment). */
export function sh(
  command: string,
  args: string[],
  timeoutMs = 120_000,
  cwd?: string,
  env?: NodeJS.ProcessEnv,
): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...(cwd ? { cwd } : {}), ...(env ? { env } : {}) });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: err.message });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** Polls `allocmd status --json` until `accept` holds, failing with the last report after `timeoutMs`. */
export async function waitForStatus(
  args: string[],
  cwd: string,
  // biome-ignore lint/suspicious/noExplicitAny: the status report is asserted field by field by the caller
  accept: (report: any) => boolean,
  timeoutMs: number,
  // biome-ignore lint/suspicious/noExplicitAny: see above
): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    const run = await allocmd(["status", ...args, "--json"], cwd);
    last = run.stdout || run.stderr;
    try {
      const report = JSON.parse(run.stdout);
      if (accept(report)) return report;
    } catch {
      // not JSON yet (e.g. an error): keep polling until the deadline
    }
    if (Date.now() > deadline)
      throw new Error(`allocmd status never showed what was expected in ${timeoutMs} ms:\n${last}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/**
 * Makes sure the allora/* images of the repo's version exist, building them with `docker/build.sh` (what
 * `pnpm docker:build` runs) when one is missing: the first run on a fresh machine takes minutes, later runs none.
 */
export async function ensureImages(): Promise<void> {
  const version = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;
  const missing: string[] = [];
  for (const kind of ["worker", "head", "chain", "inference-server", "dashboard"]) {
    if ((await sh("docker", ["image", "inspect", `allora/${kind}:${version}`])).code !== 0) missing.push(kind);
  }
  if (missing.length === 0) return;
  const build = await sh("bash", ["docker/build.sh"], 1_800_000, REPO);
  if (build.code !== 0) {
    throw new Error(
      `images ${missing.join(", ")} were missing and docker/build.sh failed:\n${build.stdout}\n${build.stderr}`,
    );
  }
}
