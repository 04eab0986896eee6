export { type InferenceServerConfig, inferenceServerConfig, MODELS, type ModelName } from "./config.js";
export { buildInferenceApp, type InferenceAppOptions } from "./http/app.js";
export { type PricePoint, predict } from "./models.js";
export { createInferenceServerNode, type InferenceServerNode } from "./node.js";
export { createGeneratorPriceFeed, createHttpPriceFeed, type PriceFeed } from "./price-feed.js";
