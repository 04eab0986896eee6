/** An execute of the runner package for topic 1, as a head sends it for a hand-sent request. */
import type { MsgExecute } from "@allora/protocol";

export function runnerExecute(arg = "ETH"): MsgExecute {
  return {
    type: "MsgExecute",
    request_id: `r-${Math.random()}`,
    function_id: "runner",
    method: "allora-inference-function.wasm",
    topic: "allora-topic-1-worker",
    parameters: [],
    env_vars: [{ name: "ALLORA_ARG_PARAMS", value: arg }],
    timestamp: new Date().toISOString(),
  };
}
