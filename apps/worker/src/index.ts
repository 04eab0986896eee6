export { type WorkerConfig, workerConfig } from "./config.js";
export type { ExecutionResult } from "./execution/executor.js";
export type { FunctionMode } from "./execution/function-runner.js";
export { type MainPyRequest, type MainPySession, startMainPySession } from "./execution/main-py-session.js";
export { createWorkerNode, type WorkerNode, type WorkerNodeDeps } from "./node.js";
export type { WorkerStatus } from "./status.js";
