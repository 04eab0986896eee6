/**
 * `allocmd logs`: the output of what `allocmd run` started: the `--join` container when it exists, otherwise the
 * dev network (all services, or one).
 */
import { readdir } from "node:fs/promises";
import { boolFlag, type CommandContext, stringFlag } from "../command.js";
import { compose, containerState, docker, requireCompose, requireDockerEngine } from "../docker/docker.js";
import { joinContainerName } from "../docker/join-container.js";
import { nativeLogDir, printNativeLogs } from "../native/native-control.js";
import { requireProject } from "../project/endpoints.js";
import { DEV_COMPOSE_FILE } from "../scaffold/compose-dev.js";
import { parseIntegerFlag } from "../validate.js";

/** `--follow` runs until Ctrl-C; this bounds it anyway (about 24 days, the largest timer). */
const FOLLOW_LIMIT_MS = 2_147_000_000;

/** What `allocmd logs` does (its flags and help: ../commands/logs.ts). */
export async function runLogsCommand({ io, flags, positionals }: CommandContext): Promise<number> {
  const project = await requireProject(io.cwd, flags);
  const { config, dir } = project;
  const tailFlag = stringFlag(flags, "tail");
  const lines = tailFlag === undefined ? 100 : parseIntegerFlag(tailFlag, "--tail", 1, 100_000);
  const follow = boolFlag(flags, "follow");
  const service = positionals[0];
  // A running `allocmd run --native` (or, without Docker, the last one): its nodes' log files.
  const nativeDir = await nativeLogDir(dir, () =>
    requireDockerEngine().then(
      () => true,
      () => false,
    ),
  );
  if (nativeDir) {
    const nodes = service
      ? [service]
      : (await readdir(nativeDir))
          .filter((f) => f.endsWith(".log"))
          .map((f) => f.slice(0, -4))
          .sort();
    return printNativeLogs(nativeDir, nodes, { lines, follow, limitMs: FOLLOW_LIMIT_MS }, io);
  }
  await requireDockerEngine();
  const join = joinContainerName(config);
  if ((service === undefined || service === config.name) && (await containerState(join)) !== "absent") {
    const res = await docker(["logs", "--tail", String(lines), ...(follow ? ["--follow"] : []), join], {
      inherit: true,
      timeoutMs: FOLLOW_LIMIT_MS,
    });
    return res.code === 0 ? 0 : 1;
  }
  const cmd = await requireCompose();
  const res = await compose(
    cmd,
    dir,
    DEV_COMPOSE_FILE,
    config.name,
    ["logs", "--tail", String(lines), ...(follow ? ["--follow"] : []), ...(service ? [service] : [])],
    { inherit: true, timeoutMs: FOLLOW_LIMIT_MS },
  );
  return res.code === 0 ? 0 : 1;
}
