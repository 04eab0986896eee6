/**
 * `allocmd status`: "is my worker working?" in one command: whether the head is reachable and sees this worker
 * connected and subscribed to its topics, whether the chain has it registered, its latest inference, score and
 * reward per topic, and its balance. Every "no" comes with what to do.
 */
import { type Command, jsonFlag, NETWORK_FLAGS } from "../command.js";

export const statusCommand: Command = {
  name: "status",
  summary: "is my worker working? head connection, registration, latest inference, score, balance",
  usage: "status [--env dev|prod] [--head <url>] [--chain-rest <url>] [--json]",
  details: [
    "Asks the head (GET /api/v1/status) whether this project's worker is connected and subscribed to its topics,",
    "and the chain whether it is registered, its latest inference, score, EMA score, reward and rank per topic, and",
    "its balance. Exit code 0 when everything is as it should be, 1 when something is not (each named, with a fix).",
  ].join("\n"),
  flags: {
    ...NETWORK_FLAGS,
    "worker-url": {
      type: "string",
      value: "url",
      description: "the worker's own HTTP face, asked why it is not registered (default: its port on 127.0.0.1)",
    },
    ...jsonFlag("print the report as JSON"),
  },
  examples: [
    "allocmd status",
    "allocmd status --json",
    "allocmd status --env prod",
    "allocmd status --head http://127.0.0.1:6000",
  ],
  run: (ctx) => import("../actions/status.js").then((action) => action.runStatusCommand(ctx)),
};
