/**
 * The one rule between a node's flags and its env vars: `--boot-nodes` is read from `BOOT_NODES`. Every app's
 * config, the devnet's container env and the CLI's compose files follow it, so a flag and its env var never drift.
 * A module of its own (no dependencies) so the CLI can use it without loading the rest of this package.
 */

/** The env var of a flag name (without `--`): `boot-nodes` → `BOOT_NODES`. */
export function envNameOfFlag(flag: string): string {
  return flag.replaceAll("-", "_").toUpperCase();
}

/** The flag name of an env var, the inverse of {@link envNameOfFlag}: `BOOT_NODES` → `boot-nodes`. */
export function flagNameOfEnv(name: string): string {
  return name.toLowerCase().replaceAll("_", "-");
}
