#!/usr/bin/env node
import "@allora/service/polyfills";
import { runNode } from "@allora/service";
import { workerConfig } from "../config.js";
import { createWorkerNode } from "../node.js";

await runNode({
  program: "allora-worker",
  summary: "worker node: answers roll calls for its topics and runs the topic's function with its own main.py",
  binUrl: import.meta.url,
  spec: workerConfig,
  examples: [
    "allora-worker --boot-nodes /ip4/127.0.0.1/tcp/9010 --topics 1 --main-py ./main.py",
    "BOOT_NODES=/dns4/head/tcp/9010 TOPICS=1,2 allora-worker --function-env INFERENCE_API_ADDRESS=http://inference:8000",
  ],
  create: (config, deps) => createWorkerNode(config, deps),
});
