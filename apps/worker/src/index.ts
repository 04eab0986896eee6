export { workerConfig } from "./config.js";
export { startWorkerNode, type WorkerConfig, type WorkerNode, type WorkerStatus } from "./node.js";
