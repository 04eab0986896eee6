/**
 * The options every node spec starts with: its name on every log line and its log level. Spread into an app's
 * `defineConfig({...})`; {@link runNode} reads both.
 */
import { defineConfig } from "./config.js";

/** Log levels a node accepts. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error"] as const;

/** `--name` (default `defaultName`) and `--log-level` (default `info`). */
export function nodeOptions(defaultName: string) {
  return defineConfig({
    name: { type: "string", default: defaultName, description: "node name on every log line" },
    "log-level": { type: "string", default: "info", choices: LOG_LEVELS, description: "log level" },
  });
}
