/**
 * The worker's side of the function sandbox: which paths are secret, what a slot's uid must be able to use, and the
 * start-up report of the layers in force (docs/WORKER.md, "Function sandbox").
 */
import { chmod, stat } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import type { Logger } from "@allora/protocol";
import type { SandboxLayer, SandboxOptions, SandboxReport } from "./launcher-protocol.js";

/** What the sandbox needs to know about this worker. */
export interface SandboxInputs {
  layers: readonly string[];
  dataDir: string;
  keyDir: string;
  mnemonicFile?: string;
  mainPy: string;
  python: string;
  readPaths: readonly string[];
  uidBase: number;
  slots: number;
  limits: SandboxOptions["limits"];
}

const within = (path: string, folder: string) => {
  const rel = relative(folder, path);
  return rel === "" || (!rel.startsWith("..") && !rel.startsWith("/"));
};

/** The launcher's sandbox options for this worker. */
export function sandboxOptions(inputs: SandboxInputs): SandboxOptions {
  const dataDir = resolve(inputs.dataDir);
  const mainDir = dirname(resolve(inputs.mainPy));
  const secretPaths = [resolve(inputs.keyDir), join(dataDir, "runs")];
  const privatePaths = [dataDir];
  if (inputs.mnemonicFile) {
    const mnemonic = resolve(inputs.mnemonicFile);
    secretPaths.push(mnemonic);
    // A folder of mnemonics (a network's secrets folder) stays closed too, unless main.py or the data folder (where
    // the function packages are, as in the images' /data) lives in it: then only its other entries stay closed.
    const folder = dirname(mnemonic);
    if (within(mainDir, folder) || within(dataDir, folder)) privatePaths.push(folder);
    else secretPaths.push(folder);
  }
  return {
    layers: inputs.layers as SandboxLayer[],
    secretPaths,
    privatePaths,
    readPaths: inputs.readPaths.map((p) => resolve(p)),
    interpreters: [inputs.python, process.execPath, "/bin/sh"],
    uidBase: inputs.uidBase,
    uidSlots: inputs.slots,
    limits: inputs.limits,
    uidChecks: [
      { path: inputs.python, mode: "x", what: "the Python interpreter (--python)" },
      { path: resolve(inputs.mainPy), mode: "r", what: "main.py (--main-py)" },
      { path: join(dataDir, "functions"), mode: "x", what: "the function store (<data-dir>/functions)" },
    ],
  };
}

/**
 * When the worker is root, a slot's uid must be able to enter the data folder, its function store and its scratch
 * root (never the key folder, which stays 0700): adds the others' search bit (x, not r) to those three folders.
 */
export async function openDataDirForSlots(dataDir: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  for (const dir of [dataDir, join(dataDir, "functions"), join(dataDir, "runs")]) {
    const st = await stat(dir).catch(() => undefined);
    if (st?.isDirectory() && (st.mode & 0o001) === 0) await chmod(dir, (st.mode & 0o7777) | 0o001);
  }
}

/** One line naming the layers in force. */
function describeSandbox(report: SandboxReport): string {
  const parts: string[] = [];
  if (report.landlock) {
    const scoped = report.landlock.scoped.length ? ` (scoped: ${report.landlock.scoped.join(", ")})` : "";
    parts.push(`landlock ABI ${report.landlock.abi}${scoped}`);
  }
  if (report.uid_separation)
    parts.push(`uid per run slot ${report.uid_separation.first}-${report.uid_separation.last}`);
  if (report.capabilities_dropped) parts.push("root's capabilities dropped");
  if (report.rlimits) {
    const r = report.rlimits;
    parts.push(
      `rlimits (memory ${r.memory_mib} MiB, ${r.processes} processes ${r.processes_counted}, files ${r.file_size_mib} MiB, ${r.open_files} open files, no core dumps)`,
    );
  }
  if (report.subreaper) parts.push("subreaper");
  if (!report.launcher_dumpable) parts.push("launcher not dumpable");
  return parts.length ? parts.join("; ") : "none";
}

/** Logs the report: one info line, and a coded warning per layer missing or turned off. */
export function logSandbox(report: SandboxReport, logger: Logger): void {
  logger.info({ sandbox: report }, `function sandbox: ${describeSandbox(report)}`);
  for (const gap of report.unavailable) {
    logger.warn(
      { code: "SANDBOX_LAYER_UNAVAILABLE", layer: gap.layer, remedy: gap.remedy },
      `function sandbox: layer ${gap.layer} is unavailable on this host: ${gap.reason}; to fix: ${gap.remedy}`,
    );
  }
  for (const layer of report.disabled) {
    logger.warn(
      { code: "SANDBOX_LAYER_DISABLED", layer },
      `function sandbox: layer ${layer} is turned off (--function-sandbox); functions run without it`,
    );
  }
}
