/**
 * Where each kind of node's program lives: the built bin of its app package.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { NodeKind } from "./description.js";

/** The app package of each node kind. */
export const APP_PACKAGES: Readonly<Record<NodeKind, string>> = {
  chain: "@allora/chain",
  head: "@allora/head",
  worker: "@allora/worker",
  "inference-server": "@allora/inference-server",
  dashboard: "@allora/dashboard",
};

const require = createRequire(import.meta.url);

/** The package folder of a node kind's app. */
export function appDir(kind: NodeKind): string {
  return dirname(require.resolve(`${APP_PACKAGES[kind]}/package.json`));
}

/** The built entry point (bin) of a node kind. */
export function appBin(kind: NodeKind): string {
  const dir = appDir(kind);
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { bin: Record<string, string> };
  const bin = Object.values(pkg.bin)[0];
  if (!bin) throw new Error(`${APP_PACKAGES[kind]} declares no bin`);
  return join(dir, bin);
}
