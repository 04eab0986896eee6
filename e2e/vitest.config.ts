import { withSharedConfig } from "../vitest.shared.mjs";

export default withSharedConfig({
  test: {
    // Specs start whole networks; run files one at a time so they do not fight over 2 cores.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
