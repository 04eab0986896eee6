/**
 * Images built from the installed allocmd itself. The release package (`pnpm release`) carries a Docker build
 * context: its bundles, their runtime files and `docker/Dockerfile` (the repo's image Dockerfile, rewritten to copy
 * the package instead of a monorepo build). When an image `allocmd run` needs is missing, it is built from there, so
 * nobody needs the repository, and no registry is reached besides the base image's and Debian's.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cliVersion } from "../version.js";
import { docker } from "./docker.js";

/** The root of the installed release package (which holds `docker/Dockerfile`), or undefined in a repo checkout. */
export function releasePackageRoot(): string | undefined {
  // This module sits at packages/cli/dist/docker/ below the package root, in the release as in the repo.
  const root = fileURLToPath(new URL("../../../../", import.meta.url));
  try {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { allocmd?: { release?: boolean } };
    return pkg.allocmd?.release === true ? root : undefined;
  } catch {
    return undefined;
  }
}

/** What building one image gave. */
export interface PackageImageBuild {
  image: string;
  code: number;
  /** The end of docker's output, when it failed. */
  output: string;
  durationMs: number;
}

/** Builds `image` (the Dockerfile's target `kind`) from the release package at `root`. */
export async function buildPackageImage(
  root: string,
  kind: string,
  image: string,
  onLine: (line: string) => void,
): Promise<PackageImageBuild> {
  const res = await docker(
    [
      "build",
      "--target",
      kind,
      "--build-arg",
      `VERSION=${cliVersion()}`,
      "--tag",
      image,
      "--file",
      join(root, "docker", "Dockerfile"),
      root,
    ],
    { timeoutMs: 20 * 60_000, onLine },
  );
  return { image, code: res.code, output: `${res.stdout}${res.stderr}`, durationMs: res.durationMs };
}
