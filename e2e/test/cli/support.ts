/**
 * Running the built `allocmd` binary as a user would, and cleaning up the containers a spec made.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { findFreePortBlock } from "@allora/devnet";
import { parseDocument } from "yaml";

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

/** allocmd installed from the release tarball, as a user without the repository has it. */
export interface InstalledAllocmd {
  /** The temporary folder holding the tarball, the prefix, HOME and `work/` (where projects go). */
  dir: string;
  /** The installed package folder (`<prefix>/lib/node_modules/@allora/allocmd`). */
  pkg: string;
  /** The environment every command gets: Node and the system's tools on PATH, nothing of the repository. */
  env: NodeJS.ProcessEnv;
  /** The installed `allocmd` executable. */
  bin: string;
  version: string;
  /** When `npm install -g` started (ms since the epoch). */
  installStartedAt: number;
  /** Runs the installed allocmd. */
  run(args: string[], cwd: string, timeoutMs?: number): Promise<Run>;
}

/**
 * Packs the release tarball (`pnpm release`'s script) and installs it with `npm install -g --offline` into an empty
 * prefix with an empty HOME, in a temporary folder outside the workspace.
 */
export async function installRelease(): Promise<InstalledAllocmd> {
  const version = (
    JSON.parse(readFileSync(join(REPO, "packages", "cli", "package.json"), "utf8")) as { version: string }
  ).version;
  const dir = await mkdtemp(join(tmpdir(), "allocmd-install-"));
  const release = await sh(
    process.execPath,
    [join(REPO, "packages/release/dist/bin/release.js"), "--out", dir],
    600_000,
  );
  const tarball = join(dir, `allocmd-${version}.tgz`);
  if (release.code !== 0 || !release.stdout.includes(`wrote ${tarball}`)) {
    throw new Error(`pnpm release failed:\n${release.stdout}\n${release.stderr}`);
  }
  const prefix = join(dir, "prefix");
  const home = join(dir, "home");
  await mkdir(home);
  await mkdir(join(dir, "work"));
  const env: NodeJS.ProcessEnv = {
    PATH: [join(prefix, "bin"), dirname(process.execPath), "/usr/local/bin", "/usr/bin", "/bin"].join(":"),
    HOME: home,
    NO_COLOR: "1",
    LANG: "C.UTF-8",
  };
  if (env.PATH?.split(":").some((p) => p.startsWith(REPO))) throw new Error(`PATH reaches into ${REPO}`);
  const installStartedAt = Date.now();
  const install = await sh(
    "npm",
    ["install", "-g", "--offline", "--no-audit", "--no-fund", "--prefix", prefix, tarball],
    300_000,
    join(dir, "work"),
    { ...env, npm_config_cache: join(home, ".npm"), npm_config_update_notifier: "false" },
  );
  if (install.code !== 0) throw new Error(`npm install -g --offline failed:\n${install.stderr}`);
  const bin = join(prefix, "bin", "allocmd");
  return {
    dir,
    pkg: join(prefix, "lib", "node_modules", "@allora", "allocmd"),
    env,
    bin,
    version,
    installStartedAt,
    run: (args, cwd, timeoutMs = 120_000) => sh(bin, args, timeoutMs, cwd, env),
  };
}

/** Every live process (but this one) whose command line names `path`. */
export async function processesUnder(path: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of (await readdir("/proc")).filter((p) => /^\d+$/.test(p))) {
    const cmd = (await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "")).split("\0").join(" ");
    if (cmd.includes(path) && Number(pid) !== process.pid) found.push(`${pid}: ${cmd.slice(0, 160)}`);
  }
  return found;
}

/**
 * Moves every port a project's dev network uses to a free block, through config.yaml (the source of truth), below
 * the ephemeral range (32768+) where the nodes' own outgoing connections could take one first. `extra` sets more
 * keys (path → value). Returns the head's and the chain's REST URLs.
 */
export async function moveDevPorts(
  project: string,
  extra: Array<[string[], unknown]> = [],
): Promise<{ headUrl: string; chainRest: string }> {
  const base = await findFreePortBlock(10, 20_000, 32_000);
  const configPath = join(project, "config.yaml");
  const doc = parseDocument(await readFile(configPath, "utf8"));
  const settings: Array<[string[], unknown]> = [
    [["dev", "head_rest_port"], base],
    [["dev", "head_p2p_port"], base + 1],
    [["dev", "chain_rpc_port"], base + 2],
    [["dev", "chain_rest_port"], base + 3],
    [["dev", "dashboard_port"], base + 4],
    [["inference", "port"], base + 5],
    [["inference", "local_url"], `http://127.0.0.1:${base + 5}`],
    [["worker", "http_port"], base + 6],
    [["worker", "p2p_port"], base + 7],
    ...extra,
  ];
  for (const [path, value] of settings) doc.setIn(path, value);
  await writeFile(configPath, doc.toString());
  return { headUrl: `http://127.0.0.1:${base}`, chainRest: `http://127.0.0.1:${base + 3}` };
}
