/**
 * `allocmd run`: the project's dev network (dev-docker-compose.yaml) up and ready in one command, so nobody needs
 * to know compose; or, with `--join`, only this worker as a container joining a network already running on this
 * machine. Either way it waits (deadline, progress) until the head sees the worker serving its topics.
 */
import { type Command, DIR_FLAG } from "../command.js";

export const runCommand: Command = {
  name: "run",
  summary: "start the dev network with this worker, or (--join) only this worker joining a running network",
  usage: "run [--join <head multiaddr>] [options]",
  details: [
    "With --native: runs the same network (chain, head, sample model, dashboard, this worker with its keys and",
    "main.py) as processes from this allocmd, no Docker needed, in the foreground: it is ready once the worker",
    "answered a first request through the head; Ctrl-C (or allocmd stop) stops every node. State and logs are in",
    "state/native/.",
    "",
    "Without --join: builds the worker image and starts dev-docker-compose.yaml (chain, head, sample inference server,",
    "this worker) in the background, then waits until the head sees the worker serving its topics.",
    "",
    "With --join: builds the image from the project's Dockerfile and runs only this worker as a container that joins",
    "the network at <head multiaddr> (e.g. `pnpm dev` on this machine: /ip4/127.0.0.1/tcp/9010). On Linux the",
    "container uses host networking (127.0.0.1 is the host); elsewhere, or with --network-mode bridge, it runs on the",
    "Docker bridge and reaches the host as host.docker.internal. The chain defaults to the join host's ports 26657",
    "and 1317, the model to inference.local_url.",
  ].join("\n"),
  flags: {
    ...DIR_FLAG,
    join: { type: "string", value: "multiaddr", description: "join this head instead of starting the dev network" },
    head: {
      type: "string",
      value: "url",
      description: "--join: the head's REST URL to wait on (default: join host, port 6000)",
    },
    "chain-rpc": {
      type: "string",
      value: "url",
      description: "--join: the chain's RPC URL (default: join host, port 26657)",
    },
    "chain-rest": {
      type: "string",
      value: "url",
      description: "--join: the chain's REST URL (default: join host, port 1317)",
    },
    "no-chain": { type: "boolean", description: "--join: the network has no chain (pnpm dev --no-chain)" },
    "inference-url": {
      type: "string",
      value: "url",
      description: "--join: the model server as seen from this machine (default inference.local_url)",
    },
    "network-mode": {
      type: "string",
      value: "host|bridge",
      description: "--join: how the container reaches the host (default host on Linux)",
    },
    timeout: {
      type: "string",
      value: "seconds",
      description: "how long to wait for the worker to serve its topics (default 180)",
    },
    "no-wait": { type: "boolean", description: "start and return without waiting" },
    native: {
      type: "boolean",
      description: "run the network as processes from this allocmd, without Docker; Ctrl-C stops it",
    },
    quiet: { type: "boolean", description: "--native: print only the nodes' warnings and errors" },
  },
  examples: [
    "allocmd run",
    "allocmd run --native",
    "allocmd run --join /ip4/127.0.0.1/tcp/9010",
    "allocmd run --join /ip4/127.0.0.1/tcp/9010 --no-chain --inference-url http://127.0.0.1:8001",
    "allocmd run --join /ip4/192.168.1.20/tcp/9010 --network-mode bridge",
  ],
  run: (ctx) => import("../actions/run.js").then((action) => action.runRunCommand(ctx)),
};
