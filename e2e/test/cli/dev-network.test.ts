/**
 * The generated dev network end to end: `allocmd run` builds the project's image and starts
 * dev-docker-compose.yaml (chain, head, sample inference server, the worker) with compose, the worker answers
 * `allocmd request`, registers and is scored on the local chain (`allocmd status`), and `allocmd stop --volumes`
 * removes it all. The dev ports are moved to a free block first, so a `pnpm dev` on this machine does not collide.
 * Needs Docker, compose and the allora/* images of this version (`pnpm docker:build`).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allocmd, ensureImages, moveDevPorts, sh, waitForStatus } from "./support.js";

const NAME = "e2e-dev-worker";

let dir: string;
let project: string;
let peerId: string;
let headUrl: string;
let chainRest: string;

beforeAll(async () => {
  await ensureImages();
  dir = await mkdtemp(join(tmpdir(), "allocmd-e2e-dev-"));
  project = join(dir, NAME);
  const init = await allocmd(["init", "--name", NAME, "--topic", "1"], dir);
  expect(init.code, init.stderr).toBe(0);
  peerId = (await readFile(join(project, "keys", "identity"), "utf8")).trim();
  // Move every published port to a free block, through config.yaml (the source of truth), then regenerate.
  ({ headUrl, chainRest } = await moveDevPorts(project));
  const regenerate = await allocmd(["init"], project);
  expect(regenerate.stdout).toMatch(/dev-docker-compose\.yaml\s+regenerated/);
}, 1_800_000);

afterAll(async () => {
  if (project) {
    const stop = await allocmd(["stop", "--volumes"], project, 300_000).catch(() => undefined);
    if (stop?.code !== 0)
      await sh("docker-compose", ["-f", join(project, "dev-docker-compose.yaml"), "-p", NAME, "down", "--volumes"]);
  }
  if (dir) await rm(dir, { recursive: true, force: true });
}, 300_000);

describe("allocmd run: the project's dev network", () => {
  it("starts chain, head, inference server, dashboard and the worker, and waits until the worker serves topic 1", async () => {
    const run = await allocmd(["run", "--timeout", "240"], project, 1_200_000);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain(`ready: ${NAME} (peer ${peerId}) serves topic(s) 1`);
    const ps = await sh("docker", [
      "ps",
      "--filter",
      `label=com.docker.compose.project=${NAME}`,
      "--format",
      "{{.Names}} {{.Status}}",
    ]);
    const services = ps.stdout
      .trim()
      .split("\n")
      .map((line) => (line.split(" ")[0] ?? "").replace(`${NAME}_`, "").replace(/_\d+$/, ""))
      .sort();
    expect(services).toEqual(["chain", "dashboard", "head", "inference", NAME].sort());
  }, 1_200_000);

  it("answers allocmd request, and allocmd test reaches the sample model it publishes", async () => {
    const run = await allocmd(["request", "--topic", "1"], project);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\(this worker\)\s+ran \d+ ms\s+infererValue \d+(\.\d+)?/);
    const test = await allocmd(["test"], project);
    expect(test.code, test.stdout).toBe(0);
    expect(test.stdout).toMatch(/main\.py answered infererValue \d+(\.\d+)?/);
  });

  it("registers and is scored on the local chain", async () => {
    const report = await waitForStatus([], project, (r) => r.ok === true && r.topics[0]?.score !== null, 180_000);
    expect(report).toMatchObject({
      peer_id: peerId,
      head: { url: headUrl, connected: true },
      chain: { url: chainRest },
    });
    expect(report.topics[0]).toMatchObject({ registered: true, subscribed: true });
  }, 240_000);

  it("stops everything with allocmd stop --volumes", async () => {
    const run = await allocmd(["stop", "--volumes"], project, 300_000);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("dev network stopped and its volumes deleted");
    const ps = await sh("docker", [
      "ps",
      "-a",
      "--filter",
      `label=com.docker.compose.project=${NAME}`,
      "--format",
      "{{.Names}}",
    ]);
    expect(ps.stdout.trim()).toBe("");
  }, 300_000);
});
