/**
 * A new project's `config.yaml`: the defaults for a name and its topics, rendered as YAML with a comment on every
 * setting, so the file explains itself. Later edits go through the YAML document (see `update-config.ts`), which
 * keeps these comments.
 */
import { DEFAULT_PORTS, DEFAULT_TOPICS } from "@allora/devnet/description";
import { LOCALNET_CHAIN_ID } from "@allora/protocol";
import { Document, isMap, type YAMLMap } from "yaml";
import type { ProjectConfig, TopicConfig } from "./schema.js";

/** The argument main.py gets for a topic: the dev network's token for its topics, ETH otherwise. */
export function defaultTopicArg(id: number): string {
  return DEFAULT_TOPICS.find((t) => t.id === String(id))?.token ?? "ETH";
}

/** The defaults of a new project. */
export function makeDefaultConfig(options: {
  name: string;
  topics: readonly TopicConfig[];
  version: string;
}): ProjectConfig {
  return {
    version: 1,
    name: options.name,
    topics: options.topics.map((t) => ({ ...t })),
    image: { repository: "allora", version: options.version },
    worker: {
      keys: "keys",
      mnemonic_file: "secrets/chain.mnemonic",
      p2p_port: DEFAULT_PORTS.workerP2p,
      http_port: DEFAULT_PORTS.workerHttp,
      function_timeout: 20,
      log_level: "info",
    },
    inference: {
      service: "inference",
      port: DEFAULT_PORTS.inference,
      local_url: `http://127.0.0.1:${DEFAULT_PORTS.inference}`,
    },
    function_env: {},
    dev: {
      chain_id: LOCALNET_CHAIN_ID,
      head_rest_port: DEFAULT_PORTS.headRest,
      head_p2p_port: DEFAULT_PORTS.headP2p,
      chain_rpc_port: DEFAULT_PORTS.chainRpc,
      chain_rest_port: DEFAULT_PORTS.chainRest,
      dashboard_port: DEFAULT_PORTS.dashboard,
    },
    prod: {
      chain_id: LOCALNET_CHAIN_ID,
      boot_nodes: [],
      chain_rpc: "",
      chain_rest: "",
      head_url: "",
      faucet_url: "",
      announce: [],
    },
  };
}

const HEADER = [
  " allocmd project: the one source of truth for this worker. allocmd generates the Dockerfile and the compose",
  " files from it: edit this file, then run `allocmd init` (dev) or `allocmd init --env prod` again.",
  " No secrets here: the chain mnemonic is in the file worker.mnemonic_file (mode 0600), other secrets in .env.",
  " `allocmd doctor` checks this file, the keys and Docker.",
].join("\n");

/** Comments by key path (dot separated); a leading blank line before top-level sections. */
const COMMENTS: Record<string, string> = {
  version: " Schema version of this file.",
  name: " Worker name: the compose service, container and image name (lowercase letters, digits, hyphens).",
  topics:
    " Chain topics this worker serves. `arg` is the topic's argument (its default_arg on the chain):\n" +
    " main.py gets it as its 4th argument, and `allocmd test` / `allocmd request` send it by default.",
  image:
    " Images: the Dockerfile starts FROM <repository>/worker:<version>, and the dev network runs head, chain and\n" +
    " inference-server of the same version. Keep it equal to `allocmd --version` and to the network you join.",
  worker: " The worker node.",
  "worker.keys": " libp2p identity folder (allora-keys format: priv.bin, pub.bin, identity, …), mounted read-only.",
  "worker.mnemonic_file":
    " File (mode 0600) with the worker's chain mnemonic, given to the container as a secret file.",
  "worker.p2p_port": " libp2p port the worker listens on (published in prod so heads can reach it).",
  "worker.http_port": " Port of the worker's /health, /status and /metrics.",
  "worker.function_timeout": " Seconds main.py may run before it is killed with its process group.",
  "worker.log_level": " trace, debug, info, warn or error.",
  inference: " The model service main.py calls; main.py reads its address from INFERENCE_API_ADDRESS.",
  "inference.service":
    " Its compose service name. dev-docker-compose.yaml starts the sample (allora/inference-server) under it;\n" +
    " replace that service with your own model server, and `allocmd init --env prod` carries it over.",
  "inference.port": " The port it listens on (inside its container; published on 127.0.0.1 in dev).",
  "inference.local_url": " The address `allocmd test` gives main.py when it runs main.py on this machine.",
  function_env:
    " More environment for main.py, the same in `allocmd test` and in the worker, e.g. MODEL_NAME: small.\n" +
    " Values end up in the compose files: no secrets here (give secrets to your inference service via .env).",
  dev: " The local network dev-docker-compose.yaml runs (`allocmd run`): the ports it publishes on 127.0.0.1.",
  "dev.dashboard_port": " The dashboard's page, http://localhost:<port>: rounds, scores, rewards and a request form.",
  prod: " The network prod-docker-compose.yaml joins (`allocmd init --env prod`).",
  "prod.boot_nodes":
    " Head multiaddrs, e.g. /dns4/head.example.org/tcp/9010 (/p2p/<peer id> may be omitted: it is learned).",
  "prod.chain_rpc": " CometBFT RPC URL of the chain, e.g. https://rpc.example.org",
  "prod.chain_rest": " Cosmos REST URL of the chain (registration, scores, balance), e.g. https://rest.example.org",
  "prod.head_url": " A head's REST URL, for `allocmd request --env prod` and `allocmd status --env prod` (optional).",
  "prod.faucet_url": " A faucet that funds registration (test networks only; empty: fund the account yourself).",
  "prod.announce": " Public multiaddrs heads reach this worker at (optional), e.g. /dns4/worker.example.org/tcp/9011",
};

function commentKeys(map: YAMLMap, prefix: string): void {
  for (const pair of map.items) {
    const key = pair.key as { value?: unknown; commentBefore?: string; spaceBefore?: boolean };
    const path = prefix ? `${prefix}.${String(key.value)}` : String(key.value);
    const comment = COMMENTS[path];
    if (comment) key.commentBefore = comment;
    if (!prefix && path !== "version") key.spaceBefore = true;
    if (isMap(pair.value) && path !== "function_env") commentKeys(pair.value, path);
  }
}

/** The text of a new `config.yaml`. */
export function renderConfig(config: ProjectConfig): string {
  const doc = new Document(config);
  doc.commentBefore = HEADER;
  if (isMap(doc.contents)) commentKeys(doc.contents, "");
  return doc.toString({ lineWidth: 0 });
}
