#!/usr/bin/env node
import "@allora/service/polyfills";
import { readPackageVersion, runService } from "@allora/service";
import { dashboardConfig } from "../config.js";
import { startDashboardNode } from "../node.js";

await runService({
  program: "allora-dashboard",
  summary: "the network's live page: rounds, inferences vs truth, scores, rewards, and a request form",
  version: readPackageVersion(import.meta.url),
  spec: dashboardConfig,
  examples: [
    "allora-dashboard --port 3000 --chain-rest http://127.0.0.1:1317 --head-url http://127.0.0.1:6000",
    "allora-dashboard --workers worker-1=http://127.0.0.1:2112 --inference-servers worker-1=http://127.0.0.1:8000",
  ],
  nodeName: (c) => c.name,
  logLevel: (c) => c.logLevel,
  start: ({ config, logger, version }) => startDashboardNode(config, { logger, version }),
});
