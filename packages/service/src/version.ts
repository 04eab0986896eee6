/**
 * The version of the network's apps, images and CLI (they move together).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The `version` of the nearest package.json above `importMetaUrl`. */
export function readPackageVersion(importMetaUrl: string): string {
  let dir = dirname(fileURLToPath(importMetaUrl));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version?: string };
      if (pkg.version) return pkg.version;
    } catch {
      // keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) return "0.0.0";
    dir = parent;
  }
}
