/**
 * A network of OS processes from the same description `pnpm dev` uses, on a free block of ports and in a temporary
 * folder, so specs and benchmarks never collide with a running `pnpm dev`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type DevnetOptions,
  describeNetwork,
  findFreePortBlock,
  PORT_BLOCK_SIZE,
  type ProcessNetwork,
  portPlanFrom,
  prepareNetwork,
  startProcessNetwork,
} from "@allora/devnet";
import { sampleMainPyPath } from "@allora/node-function";
import { functionModeArgs } from "./function-mode.js";

/** A started test network and how to dispose of it. */
export interface TestNetwork extends ProcessNetwork {
  root: string;
  headUrl: string;
  dispose(): Promise<void>;
}

const live = new Set<TestNetwork>();

/** Stops every network still running (a benchmark interrupted with Ctrl-C must not leave its nodes behind). */
export async function disposeAllTestNetworks(): Promise<void> {
  await Promise.allSettled([...live].map((net) => net.dispose()));
}

/** Starts a network of processes and waits until it is ready. */
export async function startTestNetwork(
  options: DevnetOptions & { mainPy?: string; root?: string; healthTimeoutMs?: number; readyTimeoutMs?: number } = {},
): Promise<TestNetwork> {
  // portPlanFrom's block holds 30 workers; a bigger network (the 100-worker benchmark) gets a wider block.
  const workers = options.workers ?? 3;
  const wide = workers > 30;
  const base = await findFreePortBlock(wide ? 10 + 3 * workers : PORT_BLOCK_SIZE);
  const plan = portPlanFrom(base);
  const network = describeNetwork({
    ...options,
    ports: wide ? { ...plan, workerP2p: base + 10 + workers, workerHttp: base + 10 + 2 * workers } : plan,
    extraWorkerArgs: [...functionModeArgs(), ...(options.extraWorkerArgs ?? [])],
  });
  const root = options.root ?? (await mkdtemp(join(tmpdir(), "allora-e2e-")));
  const prepared = await prepareNetwork(network, { root, mainPy: options.mainPy ?? sampleMainPyPath });
  const net = await startProcessNetwork(network, prepared, {
    healthTimeoutMs: options.healthTimeoutMs ?? 90_000,
    readyTimeoutMs: options.readyTimeoutMs ?? 60_000,
  });
  const test: TestNetwork = Object.assign(net, {
    root,
    headUrl: net.url("head", "rest"),
    async dispose() {
      live.delete(test);
      await net.stop();
      if (!process.env.ALLORA_KEEP_TEST_DIRS) await rm(root, { recursive: true, force: true });
    },
  });
  live.add(test);
  return test;
}
