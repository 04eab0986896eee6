/**
 * The dev network's state on disk: a libp2p identity per node, a chain mnemonic per account (files, mode 0600),
 * and the chain's genesis. Generated on first run and reused after, so peer ids, addresses and chain state survive
 * restarts; `--fresh` deletes the folder and starts over.
 */
import { chmod, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  DENOM,
  deriveChainAccount,
  ensureKeyFolder,
  GUIDE_FUNCTION_CID,
  GUIDE_FUNCTION_METHOD,
  generateMnemonic,
  LOCALNET_CHAIN_ID,
} from "@allora/protocol";
import type { NetworkDescription, NodeDescription, NodePaths } from "./description.js";

/** What preparation produced for one node. */
export interface PreparedNode {
  paths: NodePaths;
  /** libp2p peer id, for nodes with an identity. */
  peerId?: string;
  /** Chain address, for nodes with an account. */
  address?: string;
}

/** The prepared state of a network. */
export interface PreparedNetwork {
  root: string;
  logDir: string;
  nodes: Map<string, PreparedNode>;
  /** True when the state was created now (not reused). */
  created: boolean;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function ensureMnemonic(file: string): Promise<string> {
  if (await exists(file)) return (await readFile(file, "utf8")).trim();
  const mnemonic = generateMnemonic();
  await writeFile(file, `${mnemonic}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return mnemonic;
}

/** The genesis the dev chain starts from: the faucet funded, the topics created. */
export function makeGenesis(
  network: NetworkDescription,
  faucetAddress: string,
  genesisTime: Date,
  payloadSenders: readonly string[] = [],
): Record<string, unknown> {
  return {
    chain_id: LOCALNET_CHAIN_ID,
    genesis_time: genesisTime.toISOString(),
    market_seed: network.marketSeed,
    accounts: [{ address: faucetAddress, coins: [{ denom: DENOM, amount: "1000000000000000" }] }],
    topics: network.topics.map((t) => ({
      creator: faucetAddress,
      metadata: t.metadata,
      inference_logic: GUIDE_FUNCTION_CID,
      inference_method: GUIDE_FUNCTION_METHOD,
      inference_cadence: String(t.cadence),
      default_arg: t.token,
      loss_method: "mse",
      ground_truth_lag: String(t.lag),
      submission_window: String(t.window),
    })),
    ...(payloadSenders.length > 0 ? { payload_senders: [...payloadSenders] } : {}),
    params: { registration_fee: "1000", tx_fee_min: "1000", reward_per_round: "1000000" },
  };
}

/**
 * Creates (or reuses) every file the network needs under `root`. `mainPy` is the worker logic the process runner
 * points workers at.
 */
export async function prepareNetwork(
  network: NetworkDescription,
  options: { root: string; mainPy: string; fresh?: boolean },
): Promise<PreparedNetwork> {
  const { root } = options;
  if (options.fresh) await rm(root, { recursive: true, force: true });
  const created = !(await exists(join(root, "secrets")));
  const secrets = join(root, "secrets");
  const logDir = join(root, "logs");
  await mkdir(secrets, { recursive: true, mode: 0o700 });
  await mkdir(logDir, { recursive: true });
  const nodes = new Map<string, PreparedNode>();
  for (const node of network.nodes) {
    const dataDir = join(root, node.name);
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const prepared: PreparedNode = { paths: { dataDir } };
    if (node.libp2pKeys) prepared.peerId = (await ensureKeyFolder(join(dataDir, "keys"))).peerId;
    if (node.chainAccount) {
      const file = join(secrets, `${node.name}.mnemonic`);
      prepared.paths.mnemonicFile = file;
      prepared.address = (await deriveChainAccount(await ensureMnemonic(file))).address;
    }
    if (node.kind === "worker") prepared.paths.mainPy = options.mainPy;
    nodes.set(node.name, prepared);
  }
  if (network.chain) {
    const chain = nodes.get("chain") as PreparedNode;
    const genesisFile = join(root, "chain", "genesis.json");
    chain.paths.genesisFile = genesisFile;
    chain.paths.dataDir = join(root, "chain", "data");
    if (!(await exists(genesisFile))) {
      // The heads' accounts may submit rounds (the chain also asks the head it notifies for its account).
      const heads = network.nodes.filter((n) => n.kind === "head").map((n) => nodes.get(n.name)?.address);
      const genesis = makeGenesis(
        network,
        chain.address as string,
        new Date(),
        heads.filter((a): a is string => a !== undefined),
      );
      await writeFile(genesisFile, `${JSON.stringify(genesis, null, 2)}\n`);
    }
  }
  return { root, logDir, nodes, created };
}

/** The paths of a prepared node (throws for unknown names). */
export function pathsOf(prepared: PreparedNetwork, node: NodeDescription): NodePaths {
  const entry = prepared.nodes.get(node.name);
  if (!entry) throw new Error(`node ${node.name} was not prepared`);
  return entry.paths;
}
