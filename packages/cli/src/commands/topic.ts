/**
 * `allocmd topic <id>`: every worker of a topic as the chain ranks it (highest cumulative reward first), with its
 * latest value, score, EMA score and reward, and this project's worker marked; `--rounds N` adds recent rounds.
 */

import { type Command, jsonFlag, NETWORK_FLAGS } from "../command.js";

export const topicCommand: Command = {
  name: "topic",
  summary: "every worker of a topic, ranked: latest value, score, reward",
  usage: "topic <id> [--rounds <n>] [--chain-rest <url>] [--json]",
  positionals: ["id"],
  flags: {
    ...NETWORK_FLAGS,
    rounds: { type: "string", value: "n", description: "also show the last n rounds (truth, network value, losses)" },
    ...jsonFlag("print the chain's answers as JSON"),
  },
  examples: [
    "allocmd topic 1",
    "allocmd topic 1 --rounds 5",
    "allocmd topic 2 --chain-rest http://127.0.0.1:1317 --json",
  ],
  run: (ctx) => import("../actions/topic.js").then((action) => action.runTopicCommand(ctx)),
};
