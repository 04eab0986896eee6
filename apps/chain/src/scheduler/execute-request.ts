/**
 * The execute request the chain sends the head when a round opens: the b7s `functions/execute` body naming the
 * topic's function and method, with the round's nonce in ALLORA_BLOCK_HEIGHT_CURRENT.
 */
import type { Topic } from "../state/chain-state.js";

/** Body of POST /api/v1/functions/execute. */
export interface ExecuteRequestBody {
  function_id: string;
  method: string;
  topic: string;
  config: {
    env_vars: Array<{ name: string; value: string }>;
    number_of_nodes: number;
    timeout: number;
  };
}

/** Roll-call timeout the chain asks for, in seconds (as upstream). */
const ROLL_CALL_TIMEOUT_S = 2;

export function makeExecuteRequest(topic: Topic, nonce: bigint): ExecuteRequestBody {
  const id = topic.id.toString();
  return {
    function_id: topic.inferenceLogic,
    method: topic.inferenceMethod,
    topic: id,
    config: {
      env_vars: [
        { name: "BLS_REQUEST_PATH", value: "/api" },
        { name: "ALLORA_ARG_PARAMS", value: topic.defaultArg },
        { name: "ALLORA_BLOCK_HEIGHT_CURRENT", value: nonce.toString() },
        { name: "TOPIC_ID", value: id },
      ],
      number_of_nodes: -1,
      timeout: ROLL_CALL_TIMEOUT_S,
    },
  };
}

/** The URL to post to: a bare origin gets the b7s path appended; a URL with a path is used as given. */
export function executeUrl(blocklessApiUrl: string): string {
  const url = new URL(blocklessApiUrl);
  if (url.pathname === "/" || url.pathname === "") url.pathname = "/api/v1/functions/execute";
  return url.toString();
}
