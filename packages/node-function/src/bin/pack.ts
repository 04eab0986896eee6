/**
 * Build step: packs every function package, writes `dist/packages/<name>-<cid>.tar` and
 * `dist/function-packages.json`, and prints each CID.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildPackages } from "../definitions.js";
import type { PackageRecord } from "../packages.js";

const distDir = fileURLToPath(new URL("../../dist/", import.meta.url));
mkdirSync(`${distDir}packages`, { recursive: true });
const records: PackageRecord[] = [];
for (const [key, pkg] of Object.entries(buildPackages())) {
  const file = `packages/${pkg.manifest.name}-${pkg.cid}.tar`;
  writeFileSync(`${distDir}${file}`, pkg.bytes);
  records.push({
    key,
    name: pkg.manifest.name,
    version: pkg.manifest.version,
    cid: pkg.cid,
    file,
    bytes: pkg.bytes.byteLength,
  });
  console.log(
    `function package ${pkg.manifest.name}@${pkg.manifest.version}: ${pkg.cid} (${pkg.bytes.byteLength} bytes)`,
  );
}
writeFileSync(`${distDir}function-packages.json`, `${JSON.stringify(records, null, 2)}\n`);
