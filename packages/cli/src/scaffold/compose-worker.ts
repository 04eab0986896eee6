/**
 * The worker service both compose files share: this project's image, run as the non-root owner of the keys, the
 * key folder mounted read-only, the chain mnemonic passed as a secret file (never inline), and every setting as the
 * env var of the worker flag it stands for. Only the network it joins differs between dev and prod.
 */
import type { ProjectConfig } from "../config/schema.js";
import { projectImage } from "./project-files.js";

/** The compose secret holding the worker's chain mnemonic, and where the container sees it. */
export const MNEMONIC_SECRET = "chain_mnemonic";
/** The path of the mnemonic inside the container (compose mounts file secrets at /run/secrets/<name>). */
export const MNEMONIC_IN_CONTAINER = `/run/secrets/${MNEMONIC_SECRET}`;
/** Where the key folder is mounted in the container. */
export const KEYS_IN_CONTAINER = "/keys";
/** The worker's state folder in the container (installed functions, scratch space). */
export const DATA_IN_CONTAINER = "/data";
/** The `user:` of the worker service: the owner of keys/ and secrets/, from `.env` (see container-user.ts). */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a compose variable, substituted by compose from .env
const COMPOSE_USER = "${ALLOCMD_UID:-1000}:${ALLOCMD_GID:-1000}";

/** A compose service, as plain data. */
export type ComposeService = Record<string, unknown>;

/** The network the worker joins, as the worker's flags see it. */
export interface WorkerNetwork {
  bootNodes: readonly string[];
  chainId: string;
  chainRpc?: string;
  chainRest?: string;
  faucetUrl?: string;
  announce?: readonly string[];
  /** The model service address main.py gets as INFERENCE_API_ADDRESS. */
  inferenceUrl: string;
}

/** main.py's environment as the worker's `FUNCTION_ENV` value: `KEY=VALUE` pairs, comma separated. */
function functionEnvValue(config: ProjectConfig, inferenceUrl: string): string {
  const pairs = [`INFERENCE_API_ADDRESS=${inferenceUrl}`];
  for (const [name, value] of Object.entries(config.function_env)) pairs.push(`${name}=${value}`);
  return pairs.join(",");
}

/** The worker's settings as env vars (each the upper snake case of a worker flag). */
export function workerEnvironment(
  config: ProjectConfig,
  network: WorkerNetwork,
  paths: { keys: string; data: string; mnemonic: string },
): Record<string, string> {
  const env: Record<string, string> = {
    NAME: config.name,
    LOG_LEVEL: config.worker.log_level,
    TOPICS: config.topics.map((t) => String(t.id)).join(","),
    BOOT_NODES: network.bootNodes.join(","),
    P2P_PORT: String(config.worker.p2p_port),
    HTTP_PORT: String(config.worker.http_port),
    KEY_DIR: paths.keys,
    DATA_DIR: paths.data,
    MAIN_PY: "/app/main.py",
    FUNCTION_ENV: functionEnvValue(config, network.inferenceUrl),
    FUNCTION_TIMEOUT: String(config.worker.function_timeout),
  };
  if (network.announce && network.announce.length > 0) env.ANNOUNCE = network.announce.join(",");
  if (network.chainRpc) {
    env.CHAIN_RPC = network.chainRpc;
    if (network.chainRest) env.CHAIN_REST = network.chainRest;
    env.CHAIN_ID = network.chainId;
    env.CHAIN_MNEMONIC_FILE = paths.mnemonic;
    if (network.faucetUrl) env.FAUCET_URL = network.faucetUrl;
  }
  return env;
}

/** The worker service of a compose file. */
export function workerService(
  config: ProjectConfig,
  network: WorkerNetwork,
  options: { stateDir: string; tag: string; ports: string[]; dependsOn: Record<string, { condition: string }> },
): ComposeService {
  const keys = `./${config.worker.keys.replace(/^\.\//, "").replace(/\/+$/, "")}`;
  return {
    build: ".",
    image: projectImage(config).replace(/:[^:]+$/, `:${options.tag}`),
    init: true,
    restart: "unless-stopped",
    stop_grace_period: "5s",
    user: COMPOSE_USER,
    environment: workerEnvironment(config, network, {
      keys: KEYS_IN_CONTAINER,
      data: DATA_IN_CONTAINER,
      mnemonic: MNEMONIC_IN_CONTAINER,
    }),
    volumes: [`${keys}:${KEYS_IN_CONTAINER}:ro`, `./${options.stateDir}:${DATA_IN_CONTAINER}`],
    secrets: [MNEMONIC_SECRET],
    ...(options.ports.length > 0 ? { ports: options.ports } : {}),
    ...(Object.keys(options.dependsOn).length > 0 ? { depends_on: options.dependsOn } : {}),
  };
}

/** The top-level `secrets:` entry for the mnemonic file. */
export function mnemonicSecret(config: ProjectConfig): Record<string, { file: string }> {
  return { [MNEMONIC_SECRET]: { file: `./${config.worker.mnemonic_file.replace(/^\.\//, "")}` } };
}
