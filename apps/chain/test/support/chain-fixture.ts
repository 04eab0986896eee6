/**
 * A real chain node in this process on 127.0.0.1 with port 0, a fresh data dir and a funded faucet; closed by
 * `stop()`.
 */
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deriveChainAccount, generateMnemonic, silentLogger } from "@allora/protocol";
import { DEFAULT_HTTP_LIMIT_CONFIG } from "@allora/service";
import type { ChainConfig } from "../../src/config.js";
import { type ChainNode, createChainNode } from "../../src/node.js";

interface TopicSpec {
  inference_cadence: string;
  submission_window: string;
  ground_truth_lag: string;
  default_arg?: string;
}

export interface FixtureOptions {
  blockTimeMs?: number;
  topics?: TopicSpec[];
  params?: Record<string, string>;
  blocklessApiUrl?: string;
  faucet?: boolean;
  marketSeed?: string;
  /** Accounts genesis allows to send MsgInsertBulkWorkerPayload. */
  payloadSenders?: string[];
  /** A `--payload-senders-file` to start the chain with. */
  payloadSendersFile?: string;
  /** Other settings of the node (e.g. faucet limits). */
  config?: Partial<ChainConfig>;
}

export interface ChainFixture {
  node: ChainNode;
  rpcUrl: string;
  restUrl: string;
  dir: string;
  genesisPath: string;
  faucetMnemonicPath: string;
  marketSeed: string;
  params: Record<string, string>;
  /** Stops the node; `keepDir` leaves the data dir for a restart. */
  stop(options?: { keepDir?: boolean }): Promise<void>;
}

const DEFAULT_PARAMS = { registration_fee: "1000", tx_fee_min: "100", reward_per_round: "1000000" };

/** Writes a genesis and a faucet key file into `dir`. */
export async function writeChainFiles(dir: string, options: FixtureOptions) {
  const faucetMnemonic = generateMnemonic();
  const faucet = await deriveChainAccount(faucetMnemonic);
  const marketSeed = options.marketSeed ?? `test-seed-${Math.random()}`;
  const params = { ...DEFAULT_PARAMS, ...options.params };
  const genesis = {
    chain_id: "allora-localnet-1",
    genesis_time: "2026-01-01T00:00:00Z",
    market_seed: marketSeed,
    accounts: [{ address: faucet.address, coins: [{ denom: "uallo", amount: "1000000000000000" }] }],
    topics: (options.topics ?? [{ inference_cadence: "60", submission_window: "60", ground_truth_lag: "60" }]).map(
      (t) => ({
        metadata: "test topic",
        inference_logic: "bafybeigpiwl3o73zvvl6dxdqu7zqcub5mhg65jiky2xqb4rdhfmikswzqm",
        inference_method: "allora-inference-function.wasm",
        default_arg: "ETH",
        loss_method: "mse",
        ...t,
      }),
    ),
    ...(options.payloadSenders ? { payload_senders: options.payloadSenders } : {}),
    params,
  };
  const genesisPath = join(dir, "genesis.json");
  const faucetMnemonicPath = join(dir, "faucet.mnemonic");
  await writeFile(genesisPath, JSON.stringify(genesis, null, 2));
  await writeFile(faucetMnemonicPath, `${faucetMnemonic}\n`);
  await chmod(faucetMnemonicPath, 0o600);
  return { genesisPath, faucetMnemonicPath, marketSeed, params };
}

function makeConfig(overrides: Partial<ChainConfig> & Pick<ChainConfig, "genesis" | "dataDir">): ChainConfig {
  return {
    name: "chain-test",
    host: "127.0.0.1",
    rpcPort: 0,
    restPort: 0,
    blockTimeMs: 100,
    blocklessApiUrl: undefined,
    blocklessTimeoutMs: 2000,
    faucetMnemonicFile: undefined,
    faucetAmount: "100000000",
    faucetWindowSeconds: 60,
    faucetMaxPerAddress: 5,
    faucetMaxPerClient: 120,
    payloadSendersFile: undefined,
    payloadSendersFromHead: false,
    logLevel: "silent",
    ...DEFAULT_HTTP_LIMIT_CONFIG,
    ...overrides,
  };
}

export async function startChain(options: FixtureOptions = {}): Promise<ChainFixture> {
  const dir = await mkdtemp(join(tmpdir(), "allora-chain-test-"));
  const files = await writeChainFiles(dir, options);
  const node = await createChainNode(
    makeConfig({
      genesis: files.genesisPath,
      dataDir: join(dir, "data"),
      blockTimeMs: options.blockTimeMs ?? 100,
      blocklessApiUrl: options.blocklessApiUrl,
      faucetMnemonicFile: options.faucet === false ? undefined : files.faucetMnemonicPath,
      payloadSendersFile: options.payloadSendersFile,
      ...options.config,
    }),
    { logger: silentLogger, version: "test" },
  );
  await node.start();
  return {
    node,
    rpcUrl: node.rpcUrl(),
    restUrl: node.restUrl(),
    dir,
    ...files,
    async stop(stopOptions = {}) {
      await node.stop();
      if (!stopOptions.keepDir) await rm(dir, { recursive: true, force: true });
    },
  };
}
