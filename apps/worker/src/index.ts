export { readInference } from "./chain/inference-output.js";
export { workerConfig } from "./config.js";
export type { ExecutionResult } from "./execution/launcher-protocol.js";
export { type MainPyRequest, type MainPySession, startMainPySession } from "./execution/main-py-session.js";
export type { FunctionMode } from "./execution/run-plan.js";
export { startWorkerNode, type WorkerConfig, type WorkerNode, type WorkerStatus } from "./node.js";
