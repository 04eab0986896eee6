export { buildInferenceApp, type InferenceAppOptions } from "./app.js";
export { inferenceServerConfig, MODELS, type ModelName } from "./config.js";
export { type PricePoint, predict } from "./models.js";
export { createGeneratorPriceFeed, createHttpPriceFeed, type PriceFeed } from "./price-feed.js";
