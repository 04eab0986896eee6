/**
 * `allocmd stop`: stops what `allocmd run` started (the dev network and/or the `--join` container). State is kept
 * (keys, the chain's volume) unless `--volumes`.
 */
import { type Command, DIR_FLAG } from "../command.js";

export const stopCommand: Command = {
  name: "stop",
  summary: "stop the dev network (native or Docker) and the --join container of this project",
  usage: "stop [--volumes]",
  flags: {
    ...DIR_FLAG,
    volumes: { type: "boolean", description: "also delete the dev network's volumes (the local chain starts over)" },
  },
  examples: ["allocmd stop", "allocmd stop --volumes"],
  run: (ctx) => import("../actions/stop.js").then((action) => action.runStopCommand(ctx)),
};
