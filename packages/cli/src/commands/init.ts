/**
 * `allocmd init`: creates a worker project (or brings an existing one up to date) and, with `--env prod`, its
 * production compose file. Keys are made in-process; nothing is ever prompted; running it again keeps the keys and
 * every file the user edited (unless `--force`) and reports, file by file, what it kept and what it wrote.
 */
import type { Command } from "../command.js";

export const initCommand: Command = {
  name: "init",
  summary: "create a worker project (dev), or its production compose file (--env prod)",
  usage: "init --name <name> --topic <id>[,<id>…] [--env dev|prod] [options]",
  details: [
    "Creates <name>/ with config.yaml (the one source of truth), main.py, requirements.txt, Dockerfile,",
    "dev-docker-compose.yaml, .env, .gitignore, README.md, the worker's libp2p keys (keys/) and its chain mnemonic",
    "(secrets/chain.mnemonic, mode 0600). No Docker or other tool is needed. Inside a project, `init` regenerates",
    "the files from config.yaml, keeping keys and every file you edited (--force regenerates edited files, with a",
    "backup). `--env prod` writes prod-docker-compose.yaml for config.yaml's prod network, carrying over your own",
    "services from the dev file. Flags that set config.yaml values (--topic, --boot-nodes, …) are saved there.",
  ].join("\n"),
  flags: {
    name: { type: "string", value: "name", description: "worker name: folder, compose service and image name" },
    topic: { type: "string", value: "id[,id…]", description: "chain topic id(s) the worker serves (needed to create)" },
    arg: {
      type: "string",
      value: "arg",
      description: "the topic's argument main.py gets (default: ETH for 1, BTC for 2)",
    },
    env: {
      type: "string",
      value: "dev|prod",
      description: "dev (default): the project and local network; prod: prod compose",
    },
    dir: {
      type: "string",
      value: "path",
      description: "the project folder (default: ./<name>, or the current folder inside a project)",
    },
    "import-keys": {
      type: "string",
      value: "folder",
      description: "use this allora-keys folder as the worker's identity",
    },
    "mnemonic-file": {
      type: "string",
      value: "file",
      description: "use the mnemonic in this file as the worker's chain key",
    },
    "image-version": {
      type: "string",
      value: "version",
      description: "tag of the allora/* images (default: allocmd's version)",
    },
    "boot-nodes": {
      type: "string",
      value: "multiaddr[,…]",
      multiple: true,
      description: "prod: head multiaddrs to join, e.g. /dns4/head.example.org/tcp/9010",
    },
    "chain-rpc": { type: "string", value: "url", description: "prod: the chain's CometBFT RPC URL" },
    "chain-rest": { type: "string", value: "url", description: "prod: the chain's Cosmos REST URL" },
    "chain-id": { type: "string", value: "id", description: "prod: the chain id (default allora-localnet-1)" },
    "head-url": { type: "string", value: "url", description: "prod: a head's REST URL, for request/status --env prod" },
    "faucet-url": {
      type: "string",
      value: "url",
      description: "prod: a faucet that funds registration (test networks)",
    },
    announce: {
      type: "string",
      value: "multiaddr[,…]",
      multiple: true,
      description: "prod: public multiaddrs heads reach this worker at",
    },
    force: {
      type: "boolean",
      description: "regenerate files you edited (backed up first); replace keys with imported ones",
    },
  },
  examples: [
    "allocmd init --name eth-worker --topic 1 --env dev",
    "allocmd init --name btc-worker --topic 2 --import-keys ~/old-worker/keys --mnemonic-file ~/old-worker.mnemonic",
    "cd eth-worker && allocmd init --env prod --boot-nodes /dns4/head.example.org/tcp/9010 \\\n" +
      "      --chain-rpc https://rpc.example.org --chain-rest https://rest.example.org",
    "allocmd init            # inside a project: regenerate after editing config.yaml",
  ],
  run: (ctx) => import("../actions/init.js").then((action) => action.runInitCommand(ctx)),
};
