/**
 * The allocmd guide's curl body, one definition for the specs and the benchmark.
 */
/** The request body of the allocmd guide's curl, verbatim (topic 1, argument ETH). */
export const GUIDE_BODY = {
  function_id: "bafybeigpiwl3o73zvvl6dxdqu7zqcub5mhg65jiky2xqb4rdhfmikswzqm",
  method: "allora-inference-function.wasm",
  parameters: null,
  topic: "1",
  config: {
    env_vars: [
      { name: "BLS_REQUEST_PATH", value: "/api" },
      { name: "ALLORA_ARG_PARAMS", value: "ETH" },
    ],
    number_of_nodes: -1,
    timeout: 2,
  },
};

/** The guide's body for another topic, argument and options. */
export function guideBody(topic: string, config: Record<string, unknown> = {}, arg = "ETH") {
  return {
    ...GUIDE_BODY,
    topic,
    config: {
      ...GUIDE_BODY.config,
      env_vars: [
        { name: "BLS_REQUEST_PATH", value: "/api" },
        { name: "ALLORA_ARG_PARAMS", value: arg },
      ],
      ...config,
    },
  };
}
