export * from "./apps.js";
export * from "./description.js";
export * from "./ports.js";
export * from "./process-runner.js";
export * from "./state.js";
