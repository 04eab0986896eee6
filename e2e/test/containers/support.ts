/**
 * What the container specs share: building the images with the repo's own script (so `pnpm test` on a fresh clone
 * builds them, and the specs test exactly what `pnpm docker:build` makes), and plain Docker CLI calls.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { repoVersion } from "@allora/devnet";

const run = promisify(execFile);

// testcontainers' reaper (Ryuk) is an image no registry here can serve, so it is off unless the caller says
// otherwise (.ci/run sets it too); every spec removes its own containers in afterAll.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";

/** The repo root. */
const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The image tag the specs run: the repo version, as docker/build.sh tags it. */
export const VERSION = repoVersion();

/** The node kinds, one image each. */
export const KINDS = ["chain", "head", "worker", "inference-server", "dashboard"] as const;

/** Milliseconds a cold build may take (npm and Debian downloads, the monorepo's build, Python). */
export const BUILD_TIMEOUT_MS = 20 * 60_000;

/**
 * Builds the five images with docker/build.sh. The first spec file of a run builds them; the others find every
 * layer in Docker's cache and return in seconds, so the images are built once and reused across specs.
 */
export async function buildImages(): Promise<void> {
  try {
    await run("bash", [`${REPO_ROOT}docker/build.sh`], {
      cwd: REPO_ROOT,
      timeout: BUILD_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`docker/build.sh failed: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  }
}

/** Runs the docker CLI and returns its stdout. */
export async function docker(...args: string[]): Promise<string> {
  const { stdout } = await run("docker", args, { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** `docker image inspect` of one image. */
export async function inspectImage(image: string): Promise<{
  Id: string;
  RepoTags: string[];
  Size: number;
  Config: {
    User: string;
    Env: string[];
    Entrypoint: string[];
    Healthcheck?: { Test: string[] };
    ExposedPorts?: Record<string, unknown>;
  };
}> {
  return JSON.parse(await docker("image", "inspect", image))[0];
}
