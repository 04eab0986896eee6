/**
 * The project's dev network as processes on this machine (`allocmd run --native`): the same network description
 * `pnpm dev` and dev-docker-compose.yaml come from (one chain, one head, the sample model, the dashboard), on the
 * ports of config.yaml's dev section, with its worker replaced by THIS project's worker: the project's name, key
 * folder, mnemonic file, main.py, topics and function_env, configured by the same settings its compose service gets.
 */
import { join } from "node:path";
import { envToArgs } from "@allora/devnet/container-state";
import {
  DEFAULT_TOPICS,
  describeNetwork,
  makeNetworkDescription,
  type NetworkDescription,
  type NodeDescription,
  type Resolve,
} from "@allora/devnet/description";
import type { Project } from "../config/load-config.js";
import { devDashboardPort } from "../scaffold/compose-dev.js";
import { workerEnvironment } from "../scaffold/compose-worker.js";

/**
 * Where `--native` keeps the network's state (keys of chain and head, chain data, logs), inside the project: beside
 * allocmd's records, owned by the user running allocmd (`state/` belongs to the containers' user).
 */
export const NATIVE_STATE_DIR = ".allocmd/native";

/** The node names of the base description that become the project's own names. */
const BASE_WORKER = "worker-1";
const BASE_INFERENCE = "inference-1";

/** The project worker as a node of the network. */
function projectWorker(project: Project, base: NodeDescription, inferenceName: string): NodeDescription {
  const { config, dir } = project;
  const url = (e: { host: string; port: number }, path = "") => `http://${e.host}:${e.port}${path}`;
  return {
    ...base,
    name: config.name,
    topics: config.topics.map((t) => String(t.id)),
    dependsOn: ["head", inferenceName],
    // The project's own keys: prepareNetwork must not make others for it.
    chainAccount: false,
    libp2pKeys: false,
    args: (resolve: Resolve) => {
      const head = resolve("head", "p2p");
      const chainRest = url(resolve("chain", "rest"));
      const env = workerEnvironment(
        config,
        {
          bootNodes: [`/ip4/${head.host}/tcp/${head.port}`],
          chainId: config.dev.chain_id,
          chainRpc: url(resolve("chain", "rpc")),
          chainRest,
          faucetUrl: `${chainRest}/faucet`,
          inferenceUrl: url(resolve(inferenceName, "http")),
        },
        {
          keys: join(dir, config.worker.keys),
          data: join(dir, NATIVE_STATE_DIR, config.name),
          mnemonic: join(dir, config.worker.mnemonic_file),
        },
      );
      // On this machine: the project's main.py, and nothing listening beyond loopback.
      env.MAIN_PY = join(dir, "main.py");
      env.P2P_HOST = head.host;
      env.HTTP_HOST = head.host;
      return envToArgs(env);
    },
  };
}

/** The project's dev network, as processes. */
export function describeProjectNetwork(project: Project): NetworkDescription {
  const { config } = project;
  // Only the dev topics this worker serves get rounds (a round nobody serves is a 408 every few seconds).
  const served = DEFAULT_TOPICS.filter((t) => config.topics.some((c) => String(c.id) === t.id));
  const base = describeNetwork({
    workers: 1,
    chain: true,
    topics: served.length > 0 ? served : DEFAULT_TOPICS,
    logLevel: config.worker.log_level,
    ports: {
      headRest: config.dev.head_rest_port,
      headP2p: config.dev.head_p2p_port,
      chainRpc: config.dev.chain_rpc_port,
      chainRest: config.dev.chain_rest_port,
      dashboard: devDashboardPort(config),
      inference: config.inference.port,
      workerP2p: config.worker.p2p_port,
      workerHttp: config.worker.http_port,
    },
  });
  const renamed = new Map([
    [BASE_WORKER, config.name],
    [BASE_INFERENCE, config.inference.service],
  ]);
  const rename = (name: string) => renamed.get(name) ?? name;
  const nodes = base.nodes.map((node): NodeDescription => {
    if (node.name === BASE_WORKER) return projectWorker(project, node, rename(BASE_INFERENCE));
    return {
      ...node,
      name: rename(node.name),
      dependsOn: node.dependsOn.map(rename),
      // The base description names its nodes worker-1 and inference-1: resolve those under the project's names, and
      // label them so in the node's flags (the dashboard's worker list, the inference server's --name).
      args: (resolve, paths) =>
        node
          .args((name, port) => resolve(rename(name), port), paths)
          .map((arg) =>
            arg
              .replace(`=${BASE_WORKER}=`, `=${config.name}=`)
              .replace(`--name=${BASE_INFERENCE}`, `--name=${config.inference.service}`),
          ),
    };
  });
  const { topics, chain, marketSeed, blockTimeMs } = base;
  return makeNetworkDescription({ nodes, topics, chain, marketSeed, blockTimeMs });
}
