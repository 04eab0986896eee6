/**
 * Docker mode without a clone: allocmd installed from the release tarball (offline, empty prefix and HOME), in a
 * project whose images are not on the machine, builds them from the installed package when `allocmd run` needs
 * them (progress shown), starts the dev network with them and answers a request. The project names its own image
 * repository, so the images `pnpm docker:build` made (allora/*) are neither used nor replaced; they are removed
 * after. Needs Docker and compose.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InstalledAllocmd, installRelease, moveDevPorts, sh } from "../cli/support.js";
import { KINDS } from "./support.js";

const NAME = "e2e-package-images";
const REPOSITORY = "allocmd-e2e-package";

let installed: InstalledAllocmd;
let project: string;

const images = () => KINDS.map((k) => `${REPOSITORY}/${k}:${installed.version}`);

async function removeImages(): Promise<void> {
  await sh("docker", ["rmi", "--force", ...images(), `allocmd/${NAME}:dev`]);
}

beforeAll(async () => {
  installed = await installRelease();
  const init = await installed.run(["init", "--name", NAME, "--topic", "1", "--yes"], join(installed.dir, "work"));
  expect(init.code, init.stderr).toBe(0);
  project = join(installed.dir, "work", NAME);
  await moveDevPorts(project, [[["image", "repository"], REPOSITORY]]);
  const regenerate = await installed.run(["init"], project);
  expect(regenerate.code, regenerate.stderr).toBe(0);
  await removeImages();
}, 900_000);

afterAll(async () => {
  if (project) {
    const stop = await installed.run(["stop", "--volumes"], project, 300_000).catch(() => undefined);
    if (stop?.code !== 0)
      await sh("docker-compose", ["-f", join(project, "dev-docker-compose.yaml"), "-p", NAME, "down", "--volumes"]);
  }
  if (installed) {
    await removeImages();
    await rm(installed.dir, { recursive: true, force: true });
  }
}, 300_000);

describe("allocmd run from the installed package, images missing", () => {
  it("builds every image from the package, then starts the dev network and answers a request", async () => {
    const run = await installed.run(["run", "--timeout", "300"], project, 1_500_000);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const building = run.stderr.split("\n").find((l) => l.startsWith("building ") && l.includes("from this allocmd"));
    expect(building, run.stderr).toContain(`from this allocmd (${installed.pkg}`);
    for (const image of images()) {
      expect(building).toContain(image);
      expect(run.stderr).toMatch(new RegExp(`built ${image.replaceAll(".", "\\.")} in `));
      const label = await sh("docker", [
        "image",
        "inspect",
        image,
        "--format",
        '{{index .Config.Labels "org.opencontainers.image.version"}}',
      ]);
      expect(label.stdout.trim()).toBe(installed.version);
    }
    expect(run.stdout).toContain(`ready: ${NAME}`);
    const request = await installed.run(["request", "--topic", "1"], project);
    expect(request.code, request.stdout + request.stderr).toBe(0);
    expect(request.stdout).toMatch(/\(this worker\)\s+ran \d+ ms\s+infererValue \d+(\.\d+)?/);
  }, 1_500_000);
});
