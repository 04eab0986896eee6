/**
 * How a node of the network description runs as a container, shared by the compose generator and the container
 * runner: its image, where its state lives in the container (the `/data` volume), its environment (the node's flags
 * as the env vars the apps read), its health probe, and the first-start creation of its secrets and genesis.
 *
 * Secrets are never in a compose file, an image or an env var: with `INIT_DEV_STATE=true` each node creates its own
 * chain mnemonic (and the chain its faucet mnemonic and genesis) in its own volume on first start, and reuses them
 * after. No container ever holds another node's key.
 */
import { readFile, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { AlloraError, deriveChainAccount, generateMnemonic } from "@allora/protocol";
import { envNameOfFlag, flagNameOfEnv } from "@allora/service/env-name";
import {
  type NetworkDescription,
  type NodeDescription,
  type NodeKind,
  type NodePaths,
  portOf,
  type Resolve,
} from "./description.js";
import { makeGenesis } from "./state.js";

/** The image repository prefix: images are `allora/<kind>:<version>`. */
const IMAGE_PREFIX = "allora";

/** The image of a node kind at a version (the repo version, or `latest`). */
export function imageOf(kind: NodeKind, version: string): string {
  return `${IMAGE_PREFIX}/${kind}:${version}`;
}

/** Every node's state folder in its container; images create it owned by the `node` user. */
export const STATE_DIR = "/data";

/** The env var that makes the entrypoint create missing dev secrets and genesis (docker/entrypoint.sh). */
const INIT_DEV_STATE_ENV = "INIT_DEV_STATE";

/** Where each of a node's files lives in its container (all inside {@link STATE_DIR}, except the worker's main.py). */
export function containerPaths(node: NodeDescription): NodePaths {
  if (node.kind === "chain") {
    return {
      dataDir: `${STATE_DIR}/chain`,
      genesisFile: `${STATE_DIR}/genesis.json`,
      mnemonicFile: `${STATE_DIR}/faucet.mnemonic`,
    };
  }
  return {
    dataDir: STATE_DIR,
    ...(node.chainAccount ? { mnemonicFile: `${STATE_DIR}/chain.mnemonic` } : {}),
    ...(node.kind === "worker" ? { mainPy: "/app/main.py" } : {}),
  };
}

/** Resolves nodes by service name: containers find each other by name on their network, never by fixed IP. */
function containerResolve(network: NetworkDescription): Resolve {
  return (name, role) => ({ host: name, port: portOf(network.node(name), role) });
}

/**
 * The env vars of a node's flags: `--rest-port=6000` becomes `REST_PORT=6000` (every app reads each flag from the
 * env var of the same name in upper snake case). Throws on a flag without `=value` or a repeated flag, which an env
 * var could not express.
 */
export function argsToEnv(args: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const arg of args) {
    const match = /^--([a-z][a-z0-9-]*)=(.*)$/s.exec(arg);
    if (!match) {
      throw new AlloraError("CONTAINER_ARG_INVALID", `flag "${arg}" is not --name=value, so it has no env var form`);
    }
    const name = envNameOfFlag(match[1] as string);
    if (name in env) {
      throw new AlloraError(
        "CONTAINER_ARG_REPEATED",
        `flag --${match[1]} is given twice; an env var holds one value: join the values with commas`,
      );
    }
    env[name] = match[2] as string;
  }
  return env;
}

/** `{NAME: value}` back to `--name=value` flags: the inverse of {@link argsToEnv}. */
export function envToArgs(env: Readonly<Record<string, string>>): string[] {
  return Object.entries(env).map(([name, value]) => `--${flagNameOfEnv(name)}=${value}`);
}

/** A node's whole container environment: its flags as env vars, plus first-start init for nodes that hold a key. */
export function containerEnvironment(network: NetworkDescription, node: NodeDescription): Record<string, string> {
  const env = argsToEnv(node.args(containerResolve(network), containerPaths(node)));
  if (node.chainAccount) env[INIT_DEV_STATE_ENV] = "true";
  return env;
}

/**
 * The health probe of a node, as a Docker healthcheck command: `node -e` with `http.get`, because the images have
 * no curl and Node's fetch refuses port 6000 (the head's).
 */
export function healthProbeCommand(node: NodeDescription): ["CMD", ...string[]] {
  const port = portOf(node, node.health.port);
  const script =
    `require('http').get({host:'127.0.0.1',port:${port},path:'${node.health.path}',timeout:2000},` +
    "r=>process.exit(r.statusCode===200?0:1)).on('timeout',()=>process.exit(1)).on('error',()=>process.exit(1))";
  return ["CMD", "node", "-e", script];
}

/** The files {@link initDevState} creates when missing (from the env vars of the same meaning). */
export interface DevStateFiles {
  /** A head's or worker's chain mnemonic (`CHAIN_MNEMONIC_FILE`). */
  chainMnemonicFile?: string;
  /** The chain's faucet mnemonic (`FAUCET_MNEMONIC_FILE`). */
  faucetMnemonicFile?: string;
  /** The chain's genesis (`GENESIS`), funding the faucet; needs `faucetMnemonicFile`. */
  genesisFile?: string;
}

/** What {@link initDevState} did, one line per file. */
export interface DevStateReport {
  created: string[];
  reused: string[];
  /** Chain addresses of the mnemonics (public), by file. */
  addresses: Record<string, string>;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Reads a mnemonic file, or creates it (mode 0600, exclusive create so a second writer cannot overwrite it). */
async function ensureMnemonicFile(file: string, report: DevStateReport): Promise<string> {
  if (await exists(file)) {
    report.reused.push(file);
    return (await readFile(file, "utf8")).trim();
  }
  const mnemonic = generateMnemonic();
  await writeFile(file, `${mnemonic}\n`, { mode: 0o600, flag: "wx" });
  report.created.push(file);
  return mnemonic;
}

/**
 * Creates a node's missing dev secrets and genesis, and reuses existing ones: a chain mnemonic for a head or
 * worker; the faucet mnemonic and a genesis funding it for the chain (topics and market seed from `network`).
 * A genesis without its faucet mnemonic is refused, since a new faucet key would hold no funds.
 *
 * @example
 * ```ts
 * await initDevState({ chainMnemonicFile: "/data/chain.mnemonic" }, describeNetwork())
 * ```
 */
export async function initDevState(
  files: DevStateFiles,
  network: NetworkDescription,
  now: Date = new Date(),
): Promise<DevStateReport> {
  const report: DevStateReport = { created: [], reused: [], addresses: {} };
  for (const file of [files.chainMnemonicFile, files.faucetMnemonicFile, files.genesisFile]) {
    if (file !== undefined && !(await exists(dirname(file)))) {
      throw new AlloraError(
        "INIT_STATE_NO_FOLDER",
        `folder ${dirname(file)} for ${file} does not exist: mount the node's volume there (see docs/DOCKER.md)`,
      );
    }
  }
  if (files.genesisFile !== undefined) {
    if (files.faucetMnemonicFile === undefined) {
      throw new AlloraError(
        "INIT_STATE_NO_FAUCET",
        `creating genesis ${files.genesisFile} needs a faucet key to fund: set FAUCET_MNEMONIC_FILE`,
      );
    }
    const genesisExists = await exists(files.genesisFile);
    if (genesisExists && !(await exists(files.faucetMnemonicFile))) {
      throw new AlloraError(
        "INIT_STATE_INCONSISTENT",
        `genesis ${files.genesisFile} exists but the faucet mnemonic ${files.faucetMnemonicFile} does not; a new ` +
          "faucet key would hold no funds. Restore the file, or delete the chain's volume to start a fresh chain",
      );
    }
  }
  for (const file of [files.chainMnemonicFile, files.faucetMnemonicFile]) {
    if (file === undefined) continue;
    report.addresses[file] = (await deriveChainAccount(await ensureMnemonicFile(file, report))).address;
  }
  if (files.genesisFile !== undefined && files.faucetMnemonicFile !== undefined) {
    if (await exists(files.genesisFile)) report.reused.push(files.genesisFile);
    else {
      const faucet = report.addresses[files.faucetMnemonicFile] as string;
      const genesis = makeGenesis(network, faucet, now);
      await writeFile(files.genesisFile, `${JSON.stringify(genesis, null, 2)}\n`, { flag: "wx" });
      report.created.push(files.genesisFile);
    }
  }
  return report;
}
