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

/** Starts a network of processes and waits until it is ready. */
export async function startTestNetwork(
  options: DevnetOptions & { mainPy?: string; root?: string } = {},
): Promise<TestNetwork> {
  const base = await findFreePortBlock(PORT_BLOCK_SIZE);
  const network = describeNetwork({
    ...options,
    ports: portPlanFrom(base),
    extraWorkerArgs: [...functionModeArgs(), ...(options.extraWorkerArgs ?? [])],
  });
  const root = options.root ?? (await mkdtemp(join(tmpdir(), "allora-e2e-")));
  const prepared = await prepareNetwork(network, { root, mainPy: options.mainPy ?? sampleMainPyPath });
  const net = await startProcessNetwork(network, prepared, { healthTimeoutMs: 90_000, readyTimeoutMs: 60_000 });
  return Object.assign(net, {
    root,
    headUrl: net.url("head", "rest"),
    async dispose() {
      await net.stop();
      if (!process.env.ALLORA_KEEP_TEST_DIRS) await rm(root, { recursive: true, force: true });
    },
  });
}
