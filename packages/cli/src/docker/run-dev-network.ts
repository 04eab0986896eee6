/**
 * `allocmd run` with Docker: the project's dev network (dev-docker-compose.yaml) built, started in the background
 * and waited on until the head sees this worker serving its topics.
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { Project } from "../config/load-config.js";
import { CliError } from "../errors.js";
import { formatMs, type Output } from "../output.js";
import { devHostPorts, takenHostPorts } from "../project/dev-ports.js";
import { clearJoinRecord } from "../project/join-record.js";
import { requireIdentity } from "../project/worker-identity.js";
import { DEV_COMPOSE_FILE, DEV_STATE_DIR, devDashboardPort } from "../scaffold/compose-dev.js";
import { projectImage } from "../scaffold/project-files.js";
import { type ComposeCommand, compose, requireCompose, requireDockerEngine } from "./docker.js";
import { DEV_IMAGE_KINDS, requireImages } from "./images.js";
import { buildProgress, dockerFailed, ensureStateDir, lastLines, waitUntilServing } from "./run-steps.js";

/**
 * Fails early, naming the holder, when a port the dev network publishes is taken by something else (typically a
 * `pnpm dev` on the same machine), instead of compose's "port is already allocated" halfway through.
 */
async function requireFreeDevPorts(project: Project, cmd: ComposeCommand): Promise<void> {
  const { config, dir } = project;
  const running = await compose(cmd, dir, DEV_COMPOSE_FILE, config.name, ["ps", "-q"], { timeoutMs: 30_000 });
  if (running.code === 0 && running.stdout.trim() !== "") return; // our own network holds them: up is an update
  const ports = devHostPorts(config, { inference: config.inference.service, worker: `${config.name} http` });
  const taken = (await takenHostPorts(ports)).map(
    (t) => `${t.port} (${t.role})${t.owner ? ` is held by ${t.owner}` : " is taken"}`,
  );
  if (taken.length > 0) {
    throw new CliError("DOCKER_FAILED", `ports the dev network publishes are in use:\n  ${taken.join("\n  ")}`, {
      hint:
        "is another network running here (e.g. `pnpm dev`)? Join it instead: allocmd run --join /ip4/127.0.0.1/tcp/9010; " +
        "or stop it, or move the ports in config.yaml's dev section and run allocmd init",
    });
  }
}

/** Docker and compose, or the error that says to run the same network as processes. */
async function requireComposeEngine(): Promise<ComposeCommand> {
  await requireDockerEngine().catch((err: unknown) => {
    // No Docker: the same network runs as processes.
    if (err instanceof CliError && err.code === "DOCKER_UNAVAILABLE") {
      throw new CliError("DOCKER_UNAVAILABLE", err.message, {
        hint: `run the network without Docker: allocmd run --native  (or: ${err.hint ?? "install Docker"})`,
      });
    }
    throw err;
  });
  return requireCompose();
}

/** Builds the worker image and starts every service of the dev compose file in the background. */
async function startDevServices(project: Project, out: Output, cmd: ComposeCommand): Promise<void> {
  const { config, dir } = project;
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
    throw dockerFailed(
      `${DEV_COMPOSE_FILE} did not start (exit ${up.code}):\n`,
      up,
      20,
      "`allocmd doctor` checks ports, images and keys; `allocmd logs` shows the services' output",
    );
  }
}

/** The dev network's addresses and what to run next. */
function printDevReady(
  out: Output,
  config: Project["config"],
  identity: { peerId: string; address: string },
  took: number,
) {
  const headUrl = `http://127.0.0.1:${config.dev.head_rest_port}`;
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
}

/** `allocmd run` without --join or --native. */
export async function runDevNetwork(
  project: Project,
  out: Output,
  options: { timeoutMs: number; wait: boolean },
): Promise<number> {
  const { config, dir } = project;
  if (
    !(await stat(join(dir, DEV_COMPOSE_FILE)).then(
      () => true,
      () => false,
    ))
  ) {
    throw new CliError("CONFIG_MISSING", `no ${DEV_COMPOSE_FILE} in ${dir}`, {
      hint: "run `allocmd init` to generate it",
    });
  }
  const identity = await requireIdentity(project);
  const cmd = await requireComposeEngine();
  await startDevServices(project, out, cmd);
  const headUrl = `http://127.0.0.1:${config.dev.head_rest_port}`;
  if (!options.wait) {
    out.out(`dev network started (not waiting): head ${headUrl}`);
    return 0;
  }
  out.progress(
    `waiting until the head sees ${config.name} serving topic(s) ${config.topics.map((t) => t.id).join(", ")}`,
  );
  const took = await waitUntilServing(config, out, {
    headUrl,
    peerId: identity.peerId,
    timeoutMs: options.timeoutMs,
    onTimeout: () =>
      lastLines(config.name, () =>
        compose(cmd, dir, DEV_COMPOSE_FILE, config.name, ["logs", "--tail", "20", config.name], { timeoutMs: 30_000 }),
      ),
  });
  printDevReady(out, config, identity, took);
  return 0;
}
