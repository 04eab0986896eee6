/**
 * `allocmd request`: the guide's curl as a command. Sends the same execute request to a head and prints each
 * worker's value and run time, or, for a non-200 code, what it means and what to check.
 */
import { type Command, jsonFlag, NETWORK_FLAGS } from "../command.js";

export const requestCommand: Command = {
  name: "request",
  summary: "send an inference request to a head (the guide's curl) and show every worker's answer",
  usage: "request --topic <id> [--arg <arg>] [--head <url>] [--json]",
  details: [
    "Sends POST /api/v1/functions/execute with the guide's function id, the topic and ALLORA_ARG_PARAMS=<arg>, and",
    "prints each worker's infererValue and how long its run took. A code other than 200 is explained, with what to",
    "check. Exit code 0 when the head answered code 200, 1 otherwise.",
  ].join("\n"),
  flags: {
    ...NETWORK_FLAGS,
    topic: { type: "string", value: "id", description: "the topic id (default: the project's first topic)" },
    arg: {
      type: "string",
      value: "arg",
      description: "the argument (ALLORA_ARG_PARAMS; default: the topic's arg, or ETH)",
    },
    timeout: {
      type: "string",
      value: "seconds",
      description: "roll-call window the head waits for workers (default 2)",
    },
    nodes: { type: "string", value: "n", description: "how many workers to ask (default -1: every one that answers)" },
    ...jsonFlag("print the head's response body as it came"),
  },
  examples: [
    "allocmd request --topic 1 --arg ETH",
    "allocmd request --topic 1 --head http://127.0.0.1:6000 --json",
    "allocmd request --env prod          # the prod head of config.yaml (prod.head_url)",
  ],
  run: (ctx) => import("../actions/request.js").then((action) => action.runRequestCommand(ctx)),
};
