/**
 * `allocmd run --join`: only this worker, as a container built from the project's Dockerfile, joining a network
 * already running (on this machine, or reachable from it), then waited on until the head sees it serving.
 */
import { join } from "node:path";
import { boolFlag, type FlagValues, stringFlag } from "../command.js";
import type { Project } from "../config/load-config.js";
import type { ProjectConfig } from "../config/schema.js";
import { CliError, usageError } from "../errors.js";
import { formatMs, type Output } from "../output.js";
import { containerUser } from "../project/container-user.js";
import { saveJoinRecord } from "../project/join-record.js";
import { requireIdentity } from "../project/worker-identity.js";
import { projectImage } from "../scaffold/project-files.js";
import { bootNodeHostPort, checkBootNode, parseUrlFlag } from "../validate.js";
import { containerState, docker, requireDockerEngine } from "./docker.js";
import { requireImages } from "./images.js";
import {
  defaultJoinMode,
  JOIN_STATE_DIR,
  type JoinNetworkMode,
  joinContainerName,
  joinRunArgs,
  pickPort,
} from "./join-container.js";
import { tail } from "./run-process.js";
import { buildProgress, dockerFailed, ensureStateDir, lastLines, waitUntilServing } from "./run-steps.js";

/** The network to join, from the flags and the join host's default ports. */
interface JoinTarget {
  bootNode: string;
  mode: JoinNetworkMode;
  headUrl: string;
  chainRpc: string | undefined;
  chainRest: string | undefined;
  inferenceUrl: string;
}

/** The value of a URL flag, checked, or the default. */
function urlFlag<T extends string | undefined>(flags: FlagValues, name: string, fallback: T): string | T {
  const value = stringFlag(flags, name);
  return value ? parseUrlFlag(value, `--${name}`) : fallback;
}

function parseJoinTarget(config: ProjectConfig, flags: FlagValues): JoinTarget {
  const bootNode = stringFlag(flags, "join") as string;
  const problem = checkBootNode(bootNode);
  if (problem)
    throw usageError("USAGE_BAD_VALUE", `--join: ${problem}`, "e.g. allocmd run --join /ip4/127.0.0.1/tcp/9010");
  const mode = stringFlag(flags, "network-mode") ?? defaultJoinMode();
  if (mode !== "host" && mode !== "bridge") {
    throw usageError("USAGE_BAD_VALUE", `--network-mode must be host or bridge, got "${mode}"`);
  }
  const { host } = bootNodeHostPort(bootNode);
  const hostUrl = (port: number) => `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const noChain = boolFlag(flags, "no-chain");
  return {
    bootNode,
    mode,
    headUrl: urlFlag(flags, "head", hostUrl(config.dev.head_rest_port)),
    chainRpc: noChain ? undefined : urlFlag(flags, "chain-rpc", hostUrl(config.dev.chain_rpc_port)),
    chainRest: noChain ? undefined : urlFlag(flags, "chain-rest", hostUrl(config.dev.chain_rest_port)),
    inferenceUrl: urlFlag(flags, "inference-url", config.inference.local_url),
  };
}

/** Builds the project's image from its Dockerfile. */
async function buildProjectImage(project: Project, out: Output): Promise<string> {
  const image = projectImage(project.config);
  out.progress(`building ${image} from ${join(project.dir, "Dockerfile")}`);
  const build = await docker(["build", "--tag", image, project.dir], {
    timeoutMs: 20 * 60_000,
    onLine: buildProgress(out),
  });
  if (build.code !== 0) {
    throw dockerFailed(
      `the image did not build (exit ${build.code}):\n`,
      build,
      20,
      "check the Dockerfile and requirements.txt; `allocmd doctor` checks Docker and the base image",
    );
  }
  return image;
}

/** Replaces any earlier join container with a new one and records the network it joined. */
async function startJoinContainer(project: Project, out: Output, target: JoinTarget, image: string): Promise<string> {
  const { config, dir } = project;
  const { mode, bootNode, chainRpc, chainRest } = target;
  const name = joinContainerName(config);
  if ((await containerState(name)) !== "absent") {
    out.progress(`replacing the previous ${name} container`);
    await docker(["rm", "--force", name], { timeoutMs: 60_000 });
  }
  // In host mode the worker listens on the host itself: pick free ports when config.yaml's are taken.
  const p2pPort = mode === "host" ? await pickPort(config.worker.p2p_port) : config.worker.p2p_port;
  const httpPort = await pickPort(config.worker.http_port, [p2pPort]);
  const args = joinRunArgs(config, dir, {
    mode,
    bootNode,
    ...(chainRpc ? { chainRpc } : {}),
    ...(chainRest ? { chainRest, faucetUrl: `${chainRest}/faucet` } : {}),
    inferenceUrl: target.inferenceUrl,
    p2pPort,
    httpPort,
    image,
    user: containerUser(),
  });
  out.progress(
    `starting ${name} (${mode} networking, worker p2p port ${p2pPort}, http port ${httpPort}), joining ${bootNode}`,
  );
  const started = await docker(args, { timeoutMs: 120_000 });
  if (started.code !== 0) {
    throw new CliError(
      "DOCKER_FAILED",
      `the container did not start: ${tail(`${started.stderr}${started.stdout}`, 10)}`,
    );
  }
  await saveJoinRecord(dir, {
    container: name,
    mode,
    boot_node: bootNode,
    head_url: target.headUrl,
    chain_rpc: chainRpc ?? null,
    chain_rest: chainRest ?? null,
    worker_url: `http://127.0.0.1:${httpPort}`,
  });
  return name;
}

/** Fails the wait as soon as the container stops, with its last lines. */
async function requireRunning(name: string): Promise<void> {
  if ((await containerState(name)) === "running") return;
  const logs = await docker(["logs", "--tail", "30", name], { timeoutMs: 30_000 });
  throw dockerFailed(`${name} stopped:\n`, logs, 30, "`allocmd doctor` checks keys, permissions and versions");
}

/** `allocmd run --join <head multiaddr>`. */
export async function runJoin(project: Project, out: Output, flags: FlagValues, timeoutMs: number): Promise<number> {
  const { config, dir } = project;
  const target = parseJoinTarget(config, flags);
  const identity = await requireIdentity(project);
  await requireDockerEngine();
  await requireImages(config, ["worker"], (line) => out.progress(line));
  await ensureStateDir(dir, JOIN_STATE_DIR);
  const image = await buildProjectImage(project, out);
  const name = await startJoinContainer(project, out, target, image);
  if (boolFlag(flags, "no-wait")) {
    out.out(`${name} started (not waiting)`);
    return 0;
  }
  const took = await waitUntilServing(config, out, {
    headUrl: target.headUrl,
    peerId: identity.peerId,
    timeoutMs,
    check: () => requireRunning(name),
    onTimeout: () => lastLines(name, () => docker(["logs", "--tail", "20", name], { timeoutMs: 30_000 })),
  });
  const { chainRest, inferenceUrl } = target;
  out.out(
    `${out.green("joined")}: ${name} (peer ${identity.peerId}) serves topic(s) ${config.topics.map((t) => t.id).join(", ")} on ${target.headUrl} (${formatMs(took)} after start)`,
  );
  out.out(`  account ${identity.address}${chainRest ? ` on ${chainRest}` : " (no chain)"}; model at ${inferenceUrl}`);
  out.out("");
  out.out(`Next: allocmd request --topic ${config.topics[0]?.id}    allocmd status    allocmd logs    allocmd stop`);
  out.out("      (they talk to the joined network until `allocmd stop`)");
  return 0;
}
