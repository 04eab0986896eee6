#!/usr/bin/env node
import "@allora/service/polyfills";
import { runNode } from "@allora/service";
import { inferenceServerConfig } from "../config.js";
import { createInferenceServerNode } from "../node.js";

await runNode({
  program: "allora-inference-server",
  summary: "sample model server: predictions from past prices, with configurable skill",
  binUrl: import.meta.url,
  spec: inferenceServerConfig,
  examples: [
    "allora-inference-server --port 8000 --model trend --price-feed-url http://127.0.0.1:1317",
    "allora-inference-server --model noisy --price-seed demo   # no chain: the seeded generator's past",
    "allora-inference-server --model noisy --price-seed demo --noise-seed run-1   # the same answers for the same second",
  ],
  create: (config, deps) => createInferenceServerNode(config, deps),
});
