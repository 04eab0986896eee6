export * from "./definitions.js";
export * from "./main-py/argv.js";
export * from "./main-py/output-contract.js";
export * from "./main-py/run-environment.js";
export * from "./packages.js";
