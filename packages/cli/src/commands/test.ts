/**
 * `allocmd test`: runs the project's main.py offline as a worker would and checks its output against the contract,
 * so a broken main.py is found on the laptop, not as a silent empty result on the network.
 */
import { type Command, DIR_FLAG, jsonFlag } from "../command.js";

export const testCommand: Command = {
  name: "test",
  summary: "run main.py offline exactly as the worker would, and check its output",
  usage: "test [--arg <arg>] [--topic <id>] [options]",
  details: [
    "Runs `python3 main.py <topic> 0 0 <arg>` in the project folder through the worker's own code (its runner, launcher",
    "and function sandbox) with the environment a worker gives it (a clean environment: PATH, locale, TOPIC_ID,",
    "ALLORA_ARG_PARAMS, INFERENCE_API_ADDRESS=inference.local_url and config.yaml's function_env), killed with its",
    "process group after worker.function_timeout seconds; cold (a fresh interpreter) and warm (forked from a process",
    "that imported main.py's modules, the worker's default), printing both timings. Then checks",
    'the contract: exactly one JSON line on stdout, {"infererValue": "<plain decimal string>"}, exit code 0; on failure',
    '{"error": "…"} and a non-zero exit code. Exit code 0 only when main.py produced a value the chain accepts.',
  ].join("\n"),
  flags: {
    ...DIR_FLAG,
    arg: {
      type: "string",
      value: "arg",
      description: "the topic's argument (default: the topic's arg in config.yaml)",
    },
    topic: {
      type: "string",
      value: "id",
      description: "the topic id main.py gets (default: the first in config.yaml)",
    },
    "inference-url": {
      type: "string",
      value: "url",
      description: "INFERENCE_API_ADDRESS for this run (default: inference.local_url)",
    },
    "function-env": {
      type: "string",
      value: "KEY=VALUE",
      multiple: true,
      description: "more environment for main.py, on top of config.yaml's function_env",
    },
    python: { type: "string", value: "path", description: "the Python interpreter (default python3, as in the image)" },
    timeout: {
      type: "string",
      value: "seconds",
      description: "kill main.py after this long (default worker.function_timeout)",
    },
    mode: {
      type: "string",
      value: "both|warm|cold",
      description: "function mode(s) to run main.py in (default both: cold, then warm twice)",
    },
    ...jsonFlag("print the verdict as JSON"),
  },
  examples: [
    "allocmd test --arg ETH",
    "allocmd test --topic 2 --arg BTC --inference-url http://127.0.0.1:8001",
    "allocmd test --function-env MODEL=small --timeout 5 --json",
  ],
  run: (ctx) => import("../actions/test.js").then((action) => action.runTestCommand(ctx)),
};
