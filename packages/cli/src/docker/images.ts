/**
 * The allora/* images a project needs, checked before anything is started: a missing image would otherwise turn
 * into a confusing "pull access denied" from compose.
 */
import type { ProjectConfig } from "../config/schema.js";
import { CliError } from "../errors.js";
import { inspectImage } from "./docker.js";

/** The image kinds of the dev network. */
export const DEV_IMAGE_KINDS = ["worker", "head", "chain", "inference-server", "dashboard"] as const;

/** The image of a kind at the project's version. */
export function imageName(config: ProjectConfig, kind: string): string {
  return `${config.image.repository}/${kind}:${config.image.version}`;
}

/** Throws `DOCKER_FAILED` naming every missing image and how to get it. */
export async function requireImages(config: ProjectConfig, kinds: readonly string[]): Promise<void> {
  const missing: string[] = [];
  for (const kind of kinds) {
    const image = imageName(config, kind);
    if (!(await inspectImage(image)).exists) missing.push(image);
  }
  if (missing.length > 0) {
    throw new CliError("DOCKER_FAILED", `image(s) not on this machine: ${missing.join(", ")}`, {
      hint:
        "build them from the Allora localnet repository (`pnpm docker:build`), or load them (`docker load`); " +
        "config.yaml's image.version must match their tag",
    });
  }
}
