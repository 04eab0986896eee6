/**
 * A whole network inside the test process: a real head, real workers (each its own libp2p host on loopback, running
 * real function processes) and real inference servers, for integration specs that need to reach inside nodes.
 */
import { createWriteStream, type WriteStream } from "node:fs";
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHeadNode, type HeadNode, headConfig } from "@allora/head";
import { buildInferenceApp, createGeneratorPriceFeed, type ModelName } from "@allora/inference-server";
import { sampleMainPyPath } from "@allora/node-function";
import { createLogger, createMetricsRegistry, parseConfig } from "@allora/service";
import { createWorkerNode, type WorkerNode, workerConfig } from "@allora/worker";
import type { FastifyInstance } from "fastify";
import { functionModeArgs } from "./function-mode.js";
import { freePort, waitFor } from "./wait.js";

/** One worker of the network. */
export interface WorkerSpec {
  name: string;
  topics?: string[];
  model?: ModelName;
  /** A main.py other than the sample. */
  mainPy?: string;
  /** Extra worker flags. */
  args?: string[];
}

/** A running in-process network. */
export interface InProcessNetwork {
  dir: string;
  head: HeadNode;
  headUrl: string;
  headP2p: string;
  workers: Map<string, WorkerNode>;
  startWorker(spec: WorkerSpec): Promise<WorkerNode>;
  restartHead(): Promise<void>;
  waitForWorkers(topic: string, count: number): Promise<void>;
  stop(): Promise<void>;
}

const MARKET_SEED = "integration-seed";

/** Starts a head, inference servers and the given workers, and waits until the head sees them all. */
export async function startInProcessNetwork(options: {
  workers: WorkerSpec[];
  headArgs?: string[];
}): Promise<InProcessNetwork> {
  const dir = await mkdtemp(join(tmpdir(), "allora-net-"));
  // Enterable (not listable) by others, as a real install's folders are: a root worker runs its functions under their
  // own uids, which must reach its function store and scratch folders; every node's keys stay in 0700 folders.
  await chmod(dir, 0o711);
  await mkdir(join(dir, "logs"));
  const streams: WriteStream[] = [];
  const logger = (node: string) => {
    const stream = createWriteStream(join(dir, "logs", `${node}.log`));
    streams.push(stream);
    return createLogger({ node, destination: stream, level: "debug" });
  };
  const p2pPort = await freePort();
  const headArgv = [
    "--rest-port=0",
    `--p2p-port=${p2pPort}`,
    "--p2p-host=127.0.0.1",
    "--rest-host=127.0.0.1",
    `--data-dir=${join(dir, "head")}`,
    ...(options.headArgs ?? []),
  ];
  const startHead = async () => {
    const node = await createHeadNode(parseConfig(headConfig, headArgv, {}).config, {
      logger: logger("head"),
      version: "test",
    });
    await node.start();
    return node;
  };
  let head = await startHead();
  const headP2p = `/ip4/127.0.0.1/tcp/${p2pPort}`;
  const inference: FastifyInstance[] = [];
  const workers = new Map<string, WorkerNode>();

  const startWorker = async (spec: WorkerSpec): Promise<WorkerNode> => {
    const app = buildInferenceApp({
      model: spec.model ?? "naive",
      horizon: 10,
      window: 30,
      noise: 0.004,
      feed: createGeneratorPriceFeed(MARKET_SEED),
      logger: logger(`${spec.name}-inference`),
      metrics: createMetricsRegistry(`${spec.name}-inference`),
    });
    const inferenceUrl = await app.listen({ host: "127.0.0.1", port: 0 });
    inference.push(app);
    const argv = [
      `--name=${spec.name}`,
      "--p2p-host=127.0.0.1",
      "--p2p-port=0",
      "--http-host=127.0.0.1",
      "--http-port=0",
      `--data-dir=${join(dir, spec.name)}`,
      `--boot-nodes=${headP2p}`,
      `--topics=${(spec.topics ?? ["1"]).join(",")}`,
      `--main-py=${spec.mainPy ?? sampleMainPyPath}`,
      `--function-env=INFERENCE_API_ADDRESS=${inferenceUrl}`,
      ...functionModeArgs(),
      ...(spec.args ?? []),
    ];
    const worker = await createWorkerNode(parseConfig(workerConfig, argv, {}).config, {
      logger: logger(spec.name),
      version: "test",
    });
    await worker.start();
    workers.set(spec.name, worker);
    return worker;
  };

  const network: InProcessNetwork = {
    dir,
    get head() {
      return head;
    },
    get headUrl() {
      return head.restAddress();
    },
    headP2p,
    workers,
    startWorker,
    async restartHead() {
      await head.stop();
      head = await startHead();
    },
    async waitForWorkers(topic, count) {
      const name = `allora-topic-${topic}-worker`;
      await waitFor(`${count} workers subscribed to ${name}`, () =>
        head.status().workers.filter((w) => w.subscribed.includes(name)).length >= count ? true : undefined,
      );
    },
    async stop() {
      await Promise.allSettled([...workers.values()].map((w) => w.stop()));
      await head.stop().catch(() => undefined);
      await Promise.allSettled(inference.map((a) => a.close()));
      for (const s of streams) s.end();
      if (!process.env.ALLORA_KEEP_TEST_DIRS) await rm(dir, { recursive: true, force: true });
    },
  };
  for (const spec of options.workers) await startWorker(spec);
  return network;
}
