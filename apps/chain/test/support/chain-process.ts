/**
 * The chain as a real child process (`node dist/bin/chain.js`), for tests that need `kill -9`. The build is
 * refreshed first when any source file is newer than it.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const appDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CHAIN_BIN = join(appDir, "dist", "bin", "chain.js");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Runs `tsc -p tsconfig.build.json` unless dist is newer than every source file. */
export function ensureBuilt(): void {
  let built = 0;
  try {
    built = statSync(CHAIN_BIN).mtimeMs;
  } catch {
    // not built yet
  }
  if (built >= newestMtime(join(appDir, "src"))) return;
  const tsc = createRequire(import.meta.url).resolve("typescript/lib/tsc.js");
  execFileSync(process.execPath, [tsc, "-p", join(appDir, "tsconfig.build.json")], { cwd: appDir, stdio: "inherit" });
}

export interface ChainProcess {
  proc: ChildProcess;
  /** Parsed JSON log lines so far. */
  lines: Array<Record<string, unknown>>;
  rpcUrl: string;
  restUrl: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the chain and resolves once it logs "chain started" (with its URLs), or rejects if it exits first. */
export async function spawnChain(args: string[], timeoutMs = 20_000): Promise<ChainProcess> {
  const proc = spawn(process.execPath, [CHAIN_BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const lines: Array<Record<string, unknown>> = [];
  let stderr = "";
  proc.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const started = new Promise<{ rpc: string; rest: string }>((resolve, reject) => {
    let buffer = "";
    proc.stdout?.on("data", (d: Buffer) => {
      buffer += d.toString();
      let nl = buffer.indexOf("\n");
      while (nl !== -1) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        nl = buffer.indexOf("\n");
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          lines.push(parsed);
          if (parsed.msg === "chain started") resolve({ rpc: String(parsed.rpc), rest: String(parsed.rest) });
        } catch {
          // not a log line
        }
      }
    });
    void exited.then(({ code, signal }) =>
      reject(new Error(`chain exited (code ${code}, signal ${signal}) before starting: ${stderr}`)),
    );
    setTimeout(() => reject(new Error(`chain did not start within ${timeoutMs} ms: ${stderr}`)), timeoutMs).unref();
  });
  try {
    const urls = await started;
    return { proc, lines, rpcUrl: urls.rpc, restUrl: urls.rest, exited };
  } catch (err) {
    proc.kill("SIGKILL");
    throw err;
  }
}
