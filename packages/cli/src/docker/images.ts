/**
 * The allora/* images a project needs, checked before anything is started: a missing image would otherwise turn
 * into a confusing "pull access denied" from compose.
 */
import type { ProjectConfig } from "../config/schema.js";
import { CliError } from "../errors.js";
import { formatMs } from "../output.js";
import { cliVersion } from "../version.js";
import { inspectImage } from "./docker.js";
import { buildPackageImage, releasePackageRoot } from "./package-images.js";
import { tail } from "./run-process.js";

/** The image kinds of the dev network. */
export const DEV_IMAGE_KINDS = ["worker", "head", "chain", "inference-server", "dashboard"] as const;

/** The image of a kind at the project's version. */
export function imageName(config: ProjectConfig, kind: string): string {
  return `${config.image.repository}/${kind}:${config.image.version}`;
}

/**
 * Makes sure every image of `kinds` is on this machine. Missing ones are built from the installed allocmd package
 * when it is a release (with `onProgress` lines); otherwise, or for images of another version, throws
 * `DOCKER_FAILED` naming every missing image and how to get it.
 */
export async function requireImages(
  config: ProjectConfig,
  kinds: readonly string[],
  onProgress: (line: string) => void = () => {},
): Promise<void> {
  const missing: Array<{ kind: string; image: string }> = [];
  for (const kind of kinds) {
    const image = imageName(config, kind);
    if (!(await inspectImage(image)).exists) missing.push({ kind, image });
  }
  if (missing.length === 0) return;
  const root = releasePackageRoot();
  if (root && config.image.version === cliVersion()) {
    onProgress(`building ${missing.map((m) => m.image).join(", ")} from this allocmd (${root}), once`);
    for (const { kind, image } of missing) {
      const built = await buildPackageImage(root, kind, image, (line) => {
        if (/^(Step \d+\/\d+|Successfully built|ERROR|error)/i.test(line.trim())) {
          onProgress(`  ${kind} | ${line.trim().slice(0, 140)}`);
        }
      });
      if (built.code !== 0) {
        throw new CliError(
          "DOCKER_FAILED",
          `building ${image} failed (exit ${built.code}):\n${tail(built.output, 20)}`,
          {
            hint: "`allocmd doctor` checks Docker; `allocmd run --native` runs the same network without images",
          },
        );
      }
      onProgress(`built ${image} in ${formatMs(built.durationMs)}`);
    }
    return;
  }
  throw new CliError("DOCKER_FAILED", `image(s) not on this machine: ${missing.map((m) => m.image).join(", ")}`, {
    hint: root
      ? `this allocmd builds images of version ${cliVersion()} only: set image.version: ${cliVersion()} in config.yaml ` +
        "and run allocmd init, or load the images (`docker load`); or run without them: allocmd run --native"
      : "build them from the Allora localnet repository (`pnpm docker:build`), or load them (`docker load`); " +
        "config.yaml's image.version must match their tag; or run without them: allocmd run --native",
  });
}
