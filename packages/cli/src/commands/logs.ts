/**
 * `allocmd logs`: the output of what `allocmd run` started: the `--join` container when it exists, otherwise the
 * dev network (all services, or one).
 */
import { type Command, DIR_FLAG } from "../command.js";

export const logsCommand: Command = {
  name: "logs",
  summary: "show the logs of the dev network (native or Docker), or of the --join container",
  usage: "logs [service] [--follow] [--tail <n>]",
  positionals: ["service"],
  flags: {
    ...DIR_FLAG,
    follow: { type: "boolean", short: "f", description: "keep printing new lines until Ctrl-C" },
    tail: { type: "string", value: "n", description: "lines per service to start with (default 100)" },
  },
  examples: ["allocmd logs", "allocmd logs --follow", "allocmd logs head --tail 20"],
  run: (ctx) => import("../actions/logs.js").then((action) => action.runLogsCommand(ctx)),
};
