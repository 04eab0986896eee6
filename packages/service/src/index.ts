export * from "./chain-rest.js";
export * from "./config.js";
export * from "./http.js";
export * from "./logger.js";
export * from "./metrics.js";
export * from "./run-service.js";
export * from "./secret-file.js";
export * from "./version.js";
