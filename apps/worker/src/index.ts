export { readInference } from "./chain/inference-output.js";
export { workerConfig } from "./config.js";
export type { ExecutionResult } from "./execution/executor.js";
export type { FunctionMode } from "./execution/function-runner.js";
export { type MainPyRequest, type MainPySession, startMainPySession } from "./execution/main-py-session.js";
export { startWorkerNode, type WorkerConfig, type WorkerNode, type WorkerStatus } from "./node.js";
