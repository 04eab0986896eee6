export * from "./definitions.js";
export * from "./packages.js";
