export * from "./aliases.js";
export * from "./cid.js";
export * from "./manifest.js";
export * from "./package.js";
export * from "./tar.js";
