/**
 * The CLI's version: the `version` of its package.json. Images are tagged with the same version, so a project
 * made by this CLI starts FROM allora/worker:<this version>.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/** The version of @allora/allocmd. */
export function cliVersion(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "@allora/allocmd" && pkg.version) {
        cached = pkg.version;
        return cached;
      }
    } catch {
      // keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) return "0.0.0";
    dir = parent;
  }
}
