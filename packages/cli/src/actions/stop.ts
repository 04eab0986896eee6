/**
 * `allocmd stop`: stops what `allocmd run` started (the dev network and/or the `--join` container). State is kept
 * (keys, the chain's volume) unless `--volumes`.
 */
import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { boolFlag, type CommandContext } from "../command.js";
import { compose, containerState, docker, requireCompose, requireDockerEngine } from "../docker/docker.js";
import { joinContainerName } from "../docker/join-container.js";
import { tail } from "../docker/run-process.js";
import { CliError } from "../errors.js";
import { stopNative } from "../native/native-control.js";
import { requireProject } from "../project/endpoints.js";
import { clearJoinRecord } from "../project/join-record.js";
import { DEV_COMPOSE_FILE, DEV_STATE_DIR } from "../scaffold/compose-dev.js";

/** What `allocmd stop` does (its flags and help: ../commands/stop.ts). */
export async function runStopCommand({ io, out, flags }: CommandContext): Promise<number> {
  const project = await requireProject(io.cwd, flags);
  const { config, dir } = project;
  const stoppedNative = await stopNative(dir, out);
  // Without Docker only a native network can have run here.
  const engine = await requireDockerEngine().then(
    () => true,
    (err: unknown) => {
      if (stoppedNative) return false;
      throw err;
    },
  );
  if (!engine) return 0;
  const name = joinContainerName(config);
  if ((await containerState(name)) !== "absent") {
    const res = await docker(["rm", "--force", name], { timeoutMs: 60_000 });
    if (res.code !== 0) throw new CliError("DOCKER_FAILED", `cannot remove ${name}: ${tail(res.stderr, 5)}`);
    out.out(`removed the --join container ${name}`);
  }
  await clearJoinRecord(dir);
  if (
    await stat(join(dir, DEV_COMPOSE_FILE)).then(
      () => true,
      () => false,
    )
  ) {
    const cmd = await requireCompose();
    out.progress(`stopping the dev network (${DEV_COMPOSE_FILE})`);
    const res = await compose(
      cmd,
      dir,
      DEV_COMPOSE_FILE,
      config.name,
      ["down", "--remove-orphans", ...(boolFlag(flags, "volumes") ? ["--volumes"] : [])],
      { timeoutMs: 180_000 },
    );
    if (res.code !== 0) {
      throw new CliError(
        "DOCKER_FAILED",
        `${DEV_COMPOSE_FILE} did not stop (exit ${res.code}):\n${tail(`${res.stdout}${res.stderr}`, 10)}`,
      );
    }
    // The deleted head volume held the head's key: the next head is a new peer, so forget the pinned one.
    if (boolFlag(flags, "volumes")) await rm(join(dir, DEV_STATE_DIR, "known-heads.json"), { force: true });
    out.out(
      `dev network stopped${boolFlag(flags, "volumes") ? " and its volumes deleted" : " (volumes kept; --volumes deletes them)"}`,
    );
  }
  return 0;
}
