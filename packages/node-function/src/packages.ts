/**
 * The packed function packages, as the build recorded them in `dist/function-packages.json`.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type FunctionManifest, GUIDE_FUNCTION_CID, readFunctionPackage, verifyCid } from "@allora/protocol";

/** A packed function package on disk. */
export interface NodeFunctionPackage {
  /** Short name: `runner` or `echo`. */
  key: string;
  cid: string;
  manifest: FunctionManifest;
  bytes: Uint8Array;
  /** Path of the `.tar` file. */
  file: string;
}

/** One entry of `dist/function-packages.json`. */
export interface PackageRecord {
  key: string;
  name: string;
  version: string;
  cid: string;
  file: string;
  bytes: number;
}

// One level below the package root from src/ (tests) and dist/ (built code) alike.
const distDir = fileURLToPath(new URL("../dist/", import.meta.url));

/** The records the build wrote. */
export function readPackageRecords(): PackageRecord[] {
  return JSON.parse(readFileSync(`${distDir}function-packages.json`, "utf8")) as PackageRecord[];
}

/** Loads and verifies every built package. */
export function loadNodeFunctionPackages(): NodeFunctionPackage[] {
  return readPackageRecords().map((record) => {
    const file = `${distDir}${record.file}`;
    const bytes = new Uint8Array(readFileSync(file));
    verifyCid(record.cid, bytes);
    return { key: record.key, cid: record.cid, manifest: readFunctionPackage(bytes).manifest, bytes, file };
  });
}

/** The CID of the runner package, the function topics name. */
export function runnerPackageCid(): string {
  const runner = readPackageRecords().find((r) => r.key === "runner");
  if (!runner) throw new Error("dist/function-packages.json has no runner package: run the package's build");
  return runner.cid;
}

/** Default function aliases: the guide's published function CID stands for this repo's runner package. */
export function defaultFunctionAliases(): Map<string, string> {
  return new Map([[GUIDE_FUNCTION_CID, runnerPackageCid()]]);
}
