import { checkHttpUrl } from "@allora/protocol";
import { type ConfigOf, defineConfig, httpLimitOptions, LOG_LEVELS } from "@allora/service";

export const MODELS = ["trend", "naive", "mean", "noisy"] as const;
export type ModelName = (typeof MODELS)[number];

/** Every option of the inference server (flag = env var in upper snake case). */
export const inferenceServerConfig = defineConfig({
  name: { type: "string", default: "inference", description: "node name on every log line" },
  host: { type: "string", default: "0.0.0.0", description: "address to listen on" },
  port: { type: "integer", default: 8000, min: 0, max: 65535, description: "HTTP port" },
  model: {
    type: "string",
    default: "trend",
    choices: MODELS,
    description: "prediction model: trend (best), naive, mean, noisy (worst)",
  },
  horizon: {
    type: "integer",
    default: 10,
    min: 0,
    max: 86_400,
    description: "seconds ahead to predict (the topic's ground-truth lag)",
  },
  window: { type: "integer", default: 30, min: 2, max: 3600, description: "seconds of history the model reads" },
  noise: { type: "number", default: 0.004, min: 0, max: 1, description: "relative noise of the noisy model" },
  "noise-seed": {
    type: "string",
    description:
      "seed the noisy model's noise: the same seed, token and second give the same prediction on every run (default: a fresh draw per request)",
  },
  "price-feed-url": {
    type: "string",
    description: "chain REST URL serving past prices (GET /allora/localnet/v1/prices/{token})",
    check: checkHttpUrl,
  },
  "price-seed": {
    type: "string",
    description: "without a chain: compute past prices from this market seed instead of a feed",
    secret: true,
  },
  "log-level": {
    type: "string",
    default: "info",
    choices: LOG_LEVELS,
    description: "log level",
  },
  ...httpLimitOptions(),
});

/** The inference server's parsed config. */
export type InferenceServerConfig = ConfigOf<typeof inferenceServerConfig>;
