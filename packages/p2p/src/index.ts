export * from "./boot-nodes.js";
export * from "./frame-reader.js";
export * from "./framing.js";
export * from "./function-transfer.js";
export * from "./host.js";
export * from "./message-channel.js";
export * from "./pending-reply.js";
