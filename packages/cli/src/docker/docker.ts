/**
 * Docker and compose, found and called without the user knowing either: the engine is checked once with a clear
 * error when it is missing or unreachable, and compose is detected (v2 `docker compose` first, then v1
 * `docker-compose`; ALLOCMD_COMPOSE overrides, e.g. `ALLOCMD_COMPOSE=docker-compose`).
 */
import { CliError } from "../errors.js";
import { type ProcessResult, type RunProcessOptions, runProcess, tail } from "./run-process.js";

/** How to call compose. */
export interface ComposeCommand {
  /** "v2" for `docker compose`, "v1" for `docker-compose`. */
  kind: "v1" | "v2";
  command: string;
  baseArgs: string[];
  version: string;
}

/** Runs `docker <args>`. */
export function docker(args: readonly string[], options: Partial<RunProcessOptions> = {}): Promise<ProcessResult> {
  return runProcess("docker", args, { timeoutMs: 60_000, ...options });
}

/** The engine's version, or throws `DOCKER_UNAVAILABLE` saying what to do. */
export async function requireDockerEngine(env?: Record<string, string | undefined>): Promise<string> {
  const res = await docker(["version", "--format", "{{.Server.Version}}"], {
    timeoutMs: 20_000,
    ...(env ? { env } : {}),
  });
  if (res.spawnError) {
    throw new CliError("DOCKER_UNAVAILABLE", `docker is not installed: ${res.spawnError}`, {
      hint: "install Docker (https://docs.docker.com/engine/install/), then run allocmd doctor",
    });
  }
  if (res.code !== 0) {
    const text = `${res.stderr}${res.stdout}`;
    const denied = /permission denied/i.test(text);
    throw new CliError(
      "DOCKER_UNAVAILABLE",
      `the Docker engine is not reachable: ${tail(text, 3) || `exit ${res.code}`}`,
      {
        hint: denied
          ? "your user may not use the Docker socket: add it to the docker group (sudo usermod -aG docker $USER, then log in again)"
          : "start Docker (Docker Desktop, or: sudo systemctl start docker), then run allocmd doctor",
      },
    );
  }
  return res.stdout.trim();
}

/** Finds compose (v2 plugin first, then v1), or undefined when neither is installed. */
export async function detectCompose(
  env: Record<string, string | undefined> = process.env,
): Promise<ComposeCommand | undefined> {
  const override = env.ALLOCMD_COMPOSE?.trim();
  const candidates: Array<Omit<ComposeCommand, "version">> = override
    ? [
        override === "docker compose"
          ? { kind: "v2", command: "docker", baseArgs: ["compose"] }
          : { kind: "v1", command: override, baseArgs: [] },
      ]
    : [
        { kind: "v2", command: "docker", baseArgs: ["compose"] },
        { kind: "v1", command: "docker-compose", baseArgs: [] },
      ];
  for (const c of candidates) {
    const res = await runProcess(c.command, [...c.baseArgs, "version", "--short"], { timeoutMs: 20_000, env });
    if (res.code === 0 && /\d+\.\d+/.test(res.stdout)) return { ...c, version: res.stdout.trim().replace(/^v/, "") };
  }
  return undefined;
}

/** Compose, or throws `DOCKER_UNAVAILABLE`. */
export async function requireCompose(env?: Record<string, string | undefined>): Promise<ComposeCommand> {
  const compose = await detectCompose(env);
  if (!compose) {
    throw new CliError("DOCKER_UNAVAILABLE", "neither `docker compose` (v2) nor `docker-compose` (v1) is installed", {
      hint: "install the compose plugin (https://docs.docker.com/compose/install/) or docker-compose",
    });
  }
  return compose;
}

/** Runs compose for the project in `dir` with one compose file and project name. */
export function compose(
  cmd: ComposeCommand,
  dir: string,
  file: string,
  project: string,
  args: readonly string[],
  options: Partial<RunProcessOptions> = {},
): Promise<ProcessResult> {
  return runProcess(cmd.command, [...cmd.baseArgs, "-f", file, "-p", project, ...args], {
    cwd: dir,
    timeoutMs: 60_000,
    ...options,
  });
}

/** Whether an image exists locally, with its version label when it has one. */
export async function inspectImage(image: string): Promise<{ exists: boolean; version?: string }> {
  const res = await docker(
    ["image", "inspect", image, "--format", '{{index .Config.Labels "org.opencontainers.image.version"}}'],
    {
      timeoutMs: 20_000,
    },
  );
  if (res.code !== 0) return { exists: false };
  const version = res.stdout.trim();
  return { exists: true, ...(version && version !== "<no value>" ? { version } : {}) };
}

/** The state of a container by name: running, stopped, or absent. */
export async function containerState(name: string): Promise<"running" | "stopped" | "absent"> {
  const res = await docker(["container", "inspect", name, "--format", "{{.State.Running}}"], { timeoutMs: 20_000 });
  if (res.code !== 0) return "absent";
  return res.stdout.trim() === "true" ? "running" : "stopped";
}
