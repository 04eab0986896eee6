export { readInference } from "./chain/inference-output.js";
export { type WorkerConfig, workerConfig } from "./config.js";
export type { ExecutionResult } from "./execution/launcher-protocol.js";
export { type MainPyRequest, type MainPySession, startMainPySession } from "./execution/main-py-session.js";
export type { FunctionMode } from "./execution/run-plan.js";
export { createWorkerNode, type WorkerNode, type WorkerNodeDeps } from "./node.js";
export type { WorkerStatus } from "./status.js";
