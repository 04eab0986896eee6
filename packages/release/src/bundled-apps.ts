/**
 * What `@allora/devnet`'s `apps.js` becomes inside the release: every node's program is a bundle beside the one
 * that imports this (`<package>/dist/<kind>.js`), not an app package found through node_modules. The release build
 * substitutes this module for devnet's, so the process runner spawns `node <package>/dist/head.js …` unchanged.
 */
import { fileURLToPath } from "node:url";
import type { NodeKind } from "@allora/devnet";

/** The folder the node bundles are in (the installed package's dist/). */
export function appDir(_kind: NodeKind): string {
  return fileURLToPath(new URL(".", import.meta.url));
}

/** The bundle of a node kind. */
export function appBin(kind: NodeKind): string {
  return fileURLToPath(new URL(`./${kind}.js`, import.meta.url));
}
