#!/usr/bin/env node
import "@allora/service/polyfills";
import { runNode } from "@allora/service";
import { dashboardConfig } from "../config.js";
import { createDashboardNode } from "../node.js";

await runNode({
  program: "allora-dashboard",
  summary: "the network's live page: rounds, inferences vs truth, scores, rewards, and a request form",
  binUrl: import.meta.url,
  spec: dashboardConfig,
  examples: [
    "allora-dashboard --port 3000 --chain-rest http://127.0.0.1:1317 --head-url http://127.0.0.1:6000",
    "allora-dashboard --workers worker-1=http://127.0.0.1:2112 --inference-servers worker-1=http://127.0.0.1:8000",
  ],
  create: (config, deps) => createDashboardNode(config, deps),
});
