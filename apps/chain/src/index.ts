export * from "./config.js";
export * from "./node.js";
