/**
 * What the worker derives from its config before it builds anything: its folders, the topics it serves, the chain
 * mnemonic, and the checks a start fails on (a chain without its key or REST face, a main.py that is not a file).
 */
import { mkdir, rm, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { AlloraError, workerTopicName } from "@allora/protocol";
import { readChainKey } from "@allora/service";
import type { WorkerConfig } from "./config.js";
import { topicIdOf } from "./topics.js";

/** The worker's settings as its modules use them. */
export interface WorkerSetup {
  dataDir: string;
  keyDir: string;
  mainPy: string;
  /** The chain mnemonic, when `--chain-mnemonic-file` is set. */
  mnemonic: string | undefined;
  /** The topics served, without repeats. */
  topics: bigint[];
  /** Their gossip names. */
  topicNames: string[];
  functionTimeoutMs: number;
}

/** Checks the config against the files it names, clears the scratch folder of a crashed run, and derives the setup. */
export async function prepareWorker(config: WorkerConfig): Promise<WorkerSetup> {
  const dataDir = resolve(config.dataDir);
  // The spec's check admits only topic ids and worker topic names, so every topic parses.
  const topics = [...new Set(config.topics.map((t) => topicIdOf(t) as bigint))];
  const mnemonic = await readChainKey(
    config,
    "the worker needs its key to register and sign, and the chain's REST face to check its registration",
  );
  const mainPy = resolve(config.mainPy);
  if (!(await isFile(mainPy))) {
    throw new AlloraError(
      "MAIN_PY_MISSING",
      `--main-py ${mainPy} is not a file: the node function runs it for every request; point --main-py at your main.py`,
    );
  }
  return {
    dataDir,
    keyDir: resolve(config.keyDir ?? join(dataDir, "keys")),
    mainPy,
    mnemonic,
    topics,
    topicNames: topics.map((t) => workerTopicName(t)),
    functionTimeoutMs: Math.round(config.functionTimeout * 1000),
  };
}

/** Removes the run folders a crash left behind; every run gets a fresh one below `<data-dir>/runs`. */
export async function resetScratch(dataDir: string): Promise<string> {
  const runs = join(dataDir, "runs");
  await rm(runs, { recursive: true, force: true });
  await mkdir(runs, { recursive: true });
  return runs;
}

function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (st) => st.isFile(),
    () => false,
  );
}
