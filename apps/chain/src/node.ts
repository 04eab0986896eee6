/**
 * The composition root: reads genesis and the faucet key, opens the block log and rebuilds the state from it, then
 * wires the block producer, the head notifier, the faucet, and the RPC and REST faces. `createChainNode` does the
 * loading; `start` makes the first block and listens; `stop` undoes everything in reverse.
 */
import type { AddressInfo } from "node:net";
import { AlloraError, type Logger } from "@allora/protocol";
import {
  createMetricsRegistry,
  httpLimitsOf,
  limitHttpServer,
  readSecretFile,
  type StartableNode,
} from "@allora/service";
import type { FastifyInstance } from "fastify";
import { createBlockProducer } from "./chain/block-producer.js";
import { type Chain, createChain } from "./chain/chain.js";
import type { ChainConfig } from "./config.js";
import { createFaucet, type Faucet } from "./faucet/faucet.js";
import { type Genesis, loadGenesisFile } from "./genesis/genesis.js";
import { buildRestApp } from "./http/rest/rest-app.js";
import { makeNodeIdentity } from "./http/rpc/comet-views.js";
import { buildRpcApp } from "./http/rpc/rpc-app.js";
import type { RpcContext } from "./http/rpc/rpc-methods.js";
import { createChainMetrics } from "./metrics.js";
import { createBlocklessNotifier } from "./scheduler/blockless-notifier.js";
import { type BlockLog, openBlockLog } from "./store/block-log.js";
import { createPayloadSenders } from "./tx/payload-senders.js";

/** Dependencies of {@link createChainNode}. */
export interface ChainNodeDeps {
  logger: Logger;
  /** Version reported by abci_info and node_info. */
  version?: string;
  /** Called when the node cannot go on (a block could not be committed); the bin exits the process. */
  onFatal?: (err: unknown) => void;
}

/** A chain node. */
export interface ChainNode extends StartableNode {
  readonly chain: Chain;
  readonly faucet: Faucet | undefined;
  readonly rpcApp: FastifyInstance;
  readonly restApp: FastifyInstance;
  /** Base URLs once started (127.0.0.1 when listening on every interface). */
  rpcUrl(): string;
  restUrl(): string;
}

function urlOf(app: FastifyInstance, host: string): string {
  const { port } = app.server.address() as AddressInfo;
  const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return `http://${shown.includes(":") ? `[${shown}]` : shown}:${port}`;
}

/** Opens the block log and rebuilds the chain from it; the log is closed again when the chain cannot be built. */
function openChain(config: ChainConfig, genesis: Genesis, logger: Logger): { chain: Chain; blockLog: BlockLog } {
  const blockLog = openBlockLog({
    dataDir: config.dataDir,
    chainId: genesis.chainId,
    genesisHash: genesis.hash,
    logger: logger.child({ module: "block-log" }),
  });
  try {
    const payloadSenders = createPayloadSenders({
      genesis: genesis.payloadSenders,
      ...(config.payloadSendersFile ? { file: config.payloadSendersFile } : {}),
      ...(config.payloadSendersFromHead && config.blocklessApiUrl
        ? { headStatusUrl: new URL("/api/v1/status", config.blocklessApiUrl).toString() }
        : {}),
      logger: logger.child({ module: "payload-senders" }),
    });
    const chain = createChain({ genesis, blockLog, payloadSenders, logger: logger.child({ module: "chain" }) });
    return { chain, blockLog };
  } catch (err) {
    blockLog.close();
    throw err;
  }
}

function openFaucet(
  config: ChainConfig,
  chain: Chain,
  mnemonic: string | undefined,
  commitTimeoutMs: number,
  logger: Logger,
): Promise<Faucet | undefined> {
  if (!mnemonic) return Promise.resolve(undefined);
  return createFaucet({
    chain,
    mnemonic,
    defaultAmount: BigInt(config.faucetAmount),
    commitTimeoutMs,
    limits: {
      windowMs: config.faucetWindowSeconds * 1000,
      perAddress: config.faucetMaxPerAddress,
      perClient: config.faucetMaxPerClient,
    },
    logger: logger.child({ module: "faucet" }),
  });
}

export async function createChainNode(config: ChainConfig, deps: ChainNodeDeps): Promise<ChainNode> {
  const logger = deps.logger;
  const version = deps.version ?? "0.0.0";
  if (config.payloadSendersFromHead && !config.blocklessApiUrl) {
    throw new AlloraError(
      "CONFIG_INVALID",
      "--payload-senders-from-head needs --blockless-api-url: it trusts the account of the head the chain notifies",
    );
  }
  const genesis = await loadGenesisFile(config.genesis);
  const mnemonic = config.faucetMnemonicFile
    ? await readSecretFile(config.faucetMnemonicFile, "faucet mnemonic")
    : undefined;
  const { chain, blockLog } = openChain(config, genesis, logger);
  const commitTimeoutMs = Math.max(20 * config.blockTimeMs, 15_000);
  const faucet = await openFaucet(config, chain, mnemonic, commitTimeoutMs, logger);

  const metrics = createMetricsRegistry(config.name);
  const chainMetrics = createChainMetrics(metrics, chain);
  let fatal = false;
  const producer = createBlockProducer({
    chain,
    blockTimeMs: config.blockTimeMs,
    logger: logger.child({ module: "block-producer" }),
    onFatal: (err) => {
      fatal = true;
      deps.onFatal?.(err);
    },
  });
  const notifier = createBlocklessNotifier({
    chain,
    blocklessApiUrl: config.blocklessApiUrl,
    timeoutMs: config.blocklessTimeoutMs,
    logger: logger.child({ module: "scheduler" }),
    onOutcome: (outcome) => chainMetrics.executeRequests.inc({ outcome }),
  });
  const identity = makeNodeIdentity(genesis.chainId, config.name);
  const rpcContext: RpcContext = { chain, identity, rpcAddress: "", appVersion: version, commitTimeoutMs };
  const rpcApp = buildRpcApp(rpcContext, logger.child({ module: "rpc" }));
  const restApp = buildRestApp({
    chain,
    faucet,
    metrics,
    producing: () => producer.running() && !fatal,
    blockTimeMs: config.blockTimeMs,
    commitTimeoutMs,
    appVersion: version,
    identity,
    logger: logger.child({ module: "rest" }),
  });

  let started = false;
  let stopped = false;
  return {
    chain,
    faucet,
    rpcApp,
    restApp,
    rpcUrl: () => urlOf(rpcApp, config.host),
    restUrl: () => urlOf(restApp, config.host),
    async start() {
      if (started) return;
      started = true;
      notifier.start();
      // One block right away, so queries see a height and the first rounds open without waiting a block time.
      chain.produceBlock();
      limitHttpServer(rpcApp.server, httpLimitsOf(config));
      limitHttpServer(restApp.server, httpLimitsOf(config));
      await rpcApp.listen({ host: config.host, port: config.rpcPort });
      await restApp.listen({ host: config.host, port: config.restPort });
      rpcContext.rpcAddress = `tcp://${config.host}:${(rpcApp.server.address() as AddressInfo).port}`;
      producer.start();
      logger.info(
        {
          chainId: chain.chainId,
          height: chain.height().toString(),
          rpc: urlOf(rpcApp, config.host),
          rest: urlOf(restApp, config.host),
          faucet: faucet?.address ?? null,
          head: config.blocklessApiUrl ?? null,
        },
        "chain started",
      );
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      producer.stop();
      notifier.stop();
      chain.close();
      await Promise.allSettled([rpcApp.close(), restApp.close()]);
      blockLog.close();
      logger.info({ height: chain.height().toString() }, "chain stopped");
    },
  };
}
