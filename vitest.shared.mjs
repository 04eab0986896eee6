// Shared vitest settings for every package. Each package's vitest.config.ts merges its own options on top.
import { fileURLToPath } from "node:url";
import { defineConfig, mergeConfig } from "vitest/config";

const setupFile = fileURLToPath(new URL("./vitest.setup.mjs", import.meta.url));

const shared = defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: [setupFile],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    // Results per package, summed by .ci/run into its closing line (VITEST_RESULTS names another file, for a
    // second run of one suite, e.g. the integration suite with cold workers).
    reporters: ["default", ["json", { outputFile: process.env.VITEST_RESULTS || ".vitest/results.json" }]],
  },
});

/** @param {import("vitest/config").UserConfig} [config] */
export function withSharedConfig(config = {}) {
  return mergeConfig(shared, config);
}
