export { createHeadChain, type HeadChain, type HeadChainOptions, type Submission } from "./chain/head-chain.js";
export { type HeadConfig, headConfig } from "./config.js";
export { createHeadNode, type HeadNode, type HeadNodeDeps } from "./node.js";
