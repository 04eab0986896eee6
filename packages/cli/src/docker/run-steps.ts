/**
 * What both ways of `allocmd run` with Docker share: state folders the container user owns, a build's progress, a
 * failed Docker step as one error with the tail of its output, and the readiness wait on the head.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { ProjectConfig } from "../config/schema.js";
import { CliError } from "../errors.js";
import type { Output } from "../output.js";
import { chownTree, IMAGE_USER, runningAsRoot } from "../project/container-user.js";
import { type WaitForWorkerOptions, waitForWorker } from "../project/wait-for-worker.js";
import { type ProcessResult, tail } from "./run-process.js";

/** Creates a state folder owned by the container user (so Docker never creates it as root). */
export async function ensureStateDir(dir: string, rel: string): Promise<void> {
  await mkdir(join(dir, rel), { recursive: true, mode: 0o700 });
  if (runningAsRoot()) await chownTree(join(dir, rel), IMAGE_USER);
}

/** Streams a build's output as indented progress, keeping it short. */
export function buildProgress(out: Output): (line: string) => void {
  return (line) => {
    if (/^(Step \d+\/\d+|Successfully|#\d+ \[|Building|Creating|Starting|Recreating|ERROR|error)/i.test(line.trim())) {
      out.progress(`  | ${line.trim().slice(0, 160)}`);
    }
  };
}

/** A Docker step that failed: `what` with the last `lines` of its output, and what to check. */
export function dockerFailed(what: string, result: ProcessResult, lines: number, hint?: string): CliError {
  return new CliError(
    "DOCKER_FAILED",
    `${what}${tail(`${result.stdout}${result.stderr}`, lines)}`,
    hint ? { hint } : {},
  );
}

/** The last lines of a service's logs, for a timeout message. */
export async function lastLines(name: string, logs: () => Promise<ProcessResult>): Promise<string> {
  const result = await logs();
  return `--- last lines of ${name} ---\n${tail(`${result.stdout}${result.stderr}`, 20)}`;
}

/** Waits until the head sees the project's worker serving each of its topics; the milliseconds it took. */
export function waitUntilServing(
  config: ProjectConfig,
  out: Output,
  options: Pick<WaitForWorkerOptions, "headUrl" | "peerId" | "timeoutMs" | "check" | "onTimeout">,
): Promise<number> {
  return waitForWorker({ ...options, topics: config.topics.map((t) => t.id), progress: (t) => out.progress(t) });
}
