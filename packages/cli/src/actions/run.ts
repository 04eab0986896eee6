/**
 * `allocmd run`: the project's dev network (dev-docker-compose.yaml) up and ready in one command, so nobody needs
 * to know compose; or, with `--join`, only this worker as a container joining a network already running on this
 * machine. Either way it waits (deadline, progress) until the head sees the worker serving its topics.
 */
import { mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { findPortOwner } from "@allora/devnet/ports";
import { boolFlag, type CommandContext, type FlagValues, stringFlag } from "../command.js";
import type { Project } from "../config/load-config.js";
import {
  type ComposeCommand,
  compose,
  containerState,
  docker,
  requireCompose,
  requireDockerEngine,
} from "../docker/docker.js";
import { DEV_IMAGE_KINDS, requireImages } from "../docker/images.js";
import {
  defaultJoinMode,
  isPortFree,
  JOIN_STATE_DIR,
  type JoinNetworkMode,
  joinContainerName,
  joinRunArgs,
  pickPort,
} from "../docker/join-container.js";
import { tail } from "../docker/run-process.js";
import { CliError, usageError } from "../errors.js";
import { runNative } from "../native/run-native.js";
import type { Output } from "../output.js";
import { formatMs } from "../output.js";
import { chownTree, containerUser, IMAGE_USER, runningAsRoot } from "../project/container-user.js";
import { requireProject } from "../project/endpoints.js";
import { clearJoinRecord, saveJoinRecord } from "../project/join-record.js";
import { waitForWorker } from "../project/wait-for-worker.js";
import { requireIdentity } from "../project/worker-identity.js";
import { DEV_COMPOSE_FILE, DEV_STATE_DIR, devDashboardPort } from "../scaffold/compose-dev.js";
import { projectImage } from "../scaffold/project-files.js";
import { bootNodeHostPort, checkBootNode, parseSecondsFlag, parseUrlFlag } from "../validate.js";

/** Creates a state folder owned by the container user (so Docker never creates it as root). */
async function ensureStateDir(dir: string, rel: string): Promise<void> {
  await mkdir(join(dir, rel), { recursive: true, mode: 0o700 });
  if (runningAsRoot()) await chownTree(join(dir, rel), IMAGE_USER);
}

/** Streams a build's output as indented progress, keeping it short. */
function buildProgress(out: Output): (line: string) => void {
  return (line) => {
    if (/^(Step \d+\/\d+|Successfully|#\d+ \[|Building|Creating|Starting|Recreating|ERROR|error)/i.test(line.trim())) {
      out.progress(`  | ${line.trim().slice(0, 160)}`);
    }
  };
}

/**
 * Fails early, naming the holder, when a port the dev network publishes is taken by something else (typically a
 * `pnpm dev` on the same machine), instead of compose's "port is already allocated" halfway through.
 */
async function requireFreeDevPorts(project: Project, cmd: ComposeCommand): Promise<void> {
  const { config, dir } = project;
  const running = await compose(cmd, dir, DEV_COMPOSE_FILE, config.name, ["ps", "-q"], { timeoutMs: 30_000 });
  if (running.code === 0 && running.stdout.trim() !== "") return; // our own network holds them: up is an update
  const ports: Array<[string, number]> = [
    ["head REST", config.dev.head_rest_port],
    ["head p2p", config.dev.head_p2p_port],
    ["chain RPC", config.dev.chain_rpc_port],
    ["chain REST", config.dev.chain_rest_port],
    ["dashboard", devDashboardPort(config)],
    [config.inference.service, config.inference.port],
    [`${config.name} http`, config.worker.http_port],
  ];
  const taken: string[] = [];
  for (const [role, port] of ports) {
    if (await isPortFree(port)) continue;
    const owner = await findPortOwner(port);
    taken.push(`${port} (${role})${owner ? ` is held by ${owner}` : " is taken"}`);
  }
  if (taken.length > 0) {
    throw new CliError("DOCKER_FAILED", `ports the dev network publishes are in use:\n  ${taken.join("\n  ")}`, {
      hint:
        "is another network running here (e.g. `pnpm dev`)? Join it instead: allocmd run --join /ip4/127.0.0.1/tcp/9010; " +
        "or stop it, or move the ports in config.yaml's dev section and run allocmd init",
    });
  }
}

async function runDev(project: Project, out: Output, flags: FlagValues, timeoutMs: number): Promise<number> {
  const { config, dir } = project;
  const file = join(dir, DEV_COMPOSE_FILE);
  if (
    !(await stat(file).then(
      () => true,
      () => false,
    ))
  ) {
    throw new CliError("CONFIG_MISSING", `no ${DEV_COMPOSE_FILE} in ${dir}`, {
      hint: "run `allocmd init` to generate it",
    });
  }
  const identity = await requireIdentity(project);
  await requireDockerEngine().catch((err: unknown) => {
    // No Docker: the same network runs as processes.
    if (err instanceof CliError && err.code === "DOCKER_UNAVAILABLE") {
      throw new CliError("DOCKER_UNAVAILABLE", err.message, {
        hint: `run the network without Docker: allocmd run --native  (or: ${err.hint ?? "install Docker"})`,
      });
    }
    throw err;
  });
  const cmd = await requireCompose();
  await requireImages(config, DEV_IMAGE_KINDS, (line) => out.progress(line));
  await requireFreeDevPorts(project, cmd);
  await ensureStateDir(dir, DEV_STATE_DIR);
  // From now on status, request and friends talk to this dev network, not to a network joined before.
  await clearJoinRecord(dir);
  out.progress(
    `building ${projectImage(config).replace(/:[^:]+$/, ":dev")} and starting the dev network (${cmd.command} ${cmd.baseArgs.join(" ")})`,
  );
  const up = await compose(cmd, dir, DEV_COMPOSE_FILE, config.name, ["up", "--build", "--detach"], {
    timeoutMs: 20 * 60_000,
    onLine: buildProgress(out),
  });
  if (up.code !== 0) {
    throw new CliError(
      "DOCKER_FAILED",
      `${DEV_COMPOSE_FILE} did not start (exit ${up.code}):\n${tail(`${up.stdout}${up.stderr}`, 20)}`,
      {
        hint: "`allocmd doctor` checks ports, images and keys; `allocmd logs` shows the services' output",
      },
    );
  }
  const headUrl = `http://127.0.0.1:${config.dev.head_rest_port}`;
  if (boolFlag(flags, "no-wait")) {
    out.out(`dev network started (not waiting): head ${headUrl}`);
    return 0;
  }
  out.progress(
    `waiting until the head sees ${config.name} serving topic(s) ${config.topics.map((t) => t.id).join(", ")}`,
  );
  const took = await waitForWorker({
    headUrl,
    peerId: identity.peerId,
    topics: config.topics.map((t) => t.id),
    timeoutMs,
    progress: (t) => out.progress(t),
    onTimeout: async () => {
      const logs = await compose(cmd, dir, DEV_COMPOSE_FILE, config.name, ["logs", "--tail", "20", config.name], {
        timeoutMs: 30_000,
      });
      return `--- last lines of ${config.name} ---\n${tail(`${logs.stdout}${logs.stderr}`, 20)}`;
    },
  });
  out.out(
    `${out.green("ready")}: ${config.name} (peer ${identity.peerId}) serves topic(s) ${config.topics.map((t) => t.id).join(", ")} (${formatMs(took)} after start)`,
  );
  out.out(`  dashboard   http://localhost:${devDashboardPort(config)}   (rounds, scores, rewards, requests)`);
  out.out(`  head REST   ${headUrl}`);
  out.out(
    `  chain REST  http://127.0.0.1:${config.dev.chain_rest_port}   RPC http://127.0.0.1:${config.dev.chain_rpc_port}`,
  );
  out.out(`  account     ${identity.address} (registers itself on the local chain, funded by its faucet)`);
  out.out("");
  out.out(
    `Next: allocmd request --topic ${config.topics[0]?.id}    allocmd status    allocmd logs --follow    allocmd stop`,
  );
  return 0;
}

async function runJoin(project: Project, out: Output, flags: FlagValues, timeoutMs: number): Promise<number> {
  const f = flags;
  const { config, dir } = project;
  const bootNode = stringFlag(f, "join") as string;
  const problem = checkBootNode(bootNode);
  if (problem)
    throw usageError("USAGE_BAD_VALUE", `--join: ${problem}`, "e.g. allocmd run --join /ip4/127.0.0.1/tcp/9010");
  const modeFlag = stringFlag(f, "network-mode") ?? defaultJoinMode();
  if (modeFlag !== "host" && modeFlag !== "bridge") {
    throw usageError("USAGE_BAD_VALUE", `--network-mode must be host or bridge, got "${modeFlag}"`);
  }
  const mode: JoinNetworkMode = modeFlag;
  const { host } = bootNodeHostPort(bootNode);
  const hostUrl = (port: number) => `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const headUrl = stringFlag(f, "head")
    ? parseUrlFlag(stringFlag(f, "head") as string, "--head")
    : hostUrl(config.dev.head_rest_port);
  const noChain = boolFlag(f, "no-chain");
  const chainRpc = noChain
    ? undefined
    : stringFlag(f, "chain-rpc")
      ? parseUrlFlag(stringFlag(f, "chain-rpc") as string, "--chain-rpc")
      : hostUrl(config.dev.chain_rpc_port);
  const chainRest = noChain
    ? undefined
    : stringFlag(f, "chain-rest")
      ? parseUrlFlag(stringFlag(f, "chain-rest") as string, "--chain-rest")
      : hostUrl(config.dev.chain_rest_port);
  const inferenceUrl = stringFlag(f, "inference-url")
    ? parseUrlFlag(stringFlag(f, "inference-url") as string, "--inference-url")
    : config.inference.local_url;

  const identity = await requireIdentity(project);
  await requireDockerEngine();
  await requireImages(config, ["worker"], (line) => out.progress(line));
  await ensureStateDir(dir, JOIN_STATE_DIR);
  const image = projectImage(config);
  out.progress(`building ${image} from ${join(dir, "Dockerfile")}`);
  const build = await docker(["build", "--tag", image, dir], { timeoutMs: 20 * 60_000, onLine: buildProgress(out) });
  if (build.code !== 0) {
    throw new CliError(
      "DOCKER_FAILED",
      `the image did not build (exit ${build.code}):\n${tail(`${build.stdout}${build.stderr}`, 20)}`,
      {
        hint: "check the Dockerfile and requirements.txt; `allocmd doctor` checks Docker and the base image",
      },
    );
  }
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
    inferenceUrl,
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
    head_url: headUrl,
    chain_rpc: chainRpc ?? null,
    chain_rest: chainRest ?? null,
    worker_url: `http://127.0.0.1:${httpPort}`,
  });
  if (boolFlag(f, "no-wait")) {
    out.out(`${name} started (not waiting)`);
    return 0;
  }
  const took = await waitForWorker({
    headUrl,
    peerId: identity.peerId,
    topics: config.topics.map((t) => t.id),
    timeoutMs,
    progress: (t) => out.progress(t),
    check: async () => {
      if ((await containerState(name)) !== "running") {
        const logs = await docker(["logs", "--tail", "30", name], { timeoutMs: 30_000 });
        throw new CliError("DOCKER_FAILED", `${name} stopped:\n${tail(`${logs.stdout}${logs.stderr}`, 30)}`, {
          hint: "`allocmd doctor` checks keys, permissions and versions",
        });
      }
    },
    onTimeout: async () => {
      const logs = await docker(["logs", "--tail", "20", name], { timeoutMs: 30_000 });
      return `--- last lines of ${name} ---\n${tail(`${logs.stdout}${logs.stderr}`, 20)}`;
    },
  });
  out.out(
    `${out.green("joined")}: ${name} (peer ${identity.peerId}) serves topic(s) ${config.topics.map((t) => t.id).join(", ")} on ${headUrl} (${formatMs(took)} after start)`,
  );
  out.out(`  account ${identity.address}${chainRest ? ` on ${chainRest}` : " (no chain)"}; model at ${inferenceUrl}`);
  out.out("");
  out.out(`Next: allocmd request --topic ${config.topics[0]?.id}    allocmd status    allocmd logs    allocmd stop`);
  out.out("      (they talk to the joined network until `allocmd stop`)");
  return 0;
}

/** What `allocmd run` does (its flags and help: ../commands/run.ts). */
export async function runRunCommand({ io, out, flags }: CommandContext): Promise<number> {
  const project = await requireProject(io.cwd, flags);
  const timeoutFlag = stringFlag(flags, "timeout");
  const timeoutMs = (timeoutFlag ? parseSecondsFlag(timeoutFlag, "--timeout", 3600) : 180) * 1000;
  if (boolFlag(flags, "native")) {
    for (const f of ["join", "no-wait"]) {
      if (flags[f] !== undefined) throw usageError("USAGE_BAD_VALUE", `--${f} does not apply with --native`);
    }
  } else if (flags.quiet !== undefined) throw usageError("USAGE_BAD_VALUE", "--quiet only applies with --native");
  if (stringFlag(flags, "join") !== undefined) return runJoin(project, out, flags, timeoutMs);
  for (const f of ["head", "chain-rpc", "chain-rest", "no-chain", "inference-url", "network-mode"]) {
    if (flags[f] !== undefined) throw usageError("USAGE_BAD_VALUE", `--${f} only applies with --join`);
  }
  if (boolFlag(flags, "native")) return runNative(project, io, out, { timeoutMs, quiet: boolFlag(flags, "quiet") });
  return runDev(project, out, flags, timeoutMs);
}
