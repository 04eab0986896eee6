export * from "./boot-node.js";
export * from "./codec.js";
export * from "./env.js";
export * from "./messages.js";
export * from "./protocols.js";
