export * from "./apps.js";
export * from "./compose.js";
export * from "./container-runner.js";
export { argsToEnv, containerPaths } from "./container-state.js";
export * from "./description.js";
export * from "./pidfile.js";
export * from "./ports.js";
export * from "./process-runner.js";
export * from "./state.js";
