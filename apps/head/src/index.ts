export { createHeadChain, type HeadChain, type HeadChainOptions, type Submission } from "./chain/head-chain.js";
export { headConfig } from "./config.js";
export { type HeadConfig, type HeadNode, startHeadNode } from "./node.js";
