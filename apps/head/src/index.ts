export { headConfig } from "./config.js";
export { type HeadConfig, type HeadNode, startHeadNode } from "./node.js";
