/**
 * `allocmd run`: the project's dev network (dev-docker-compose.yaml) up and ready in one command, so nobody needs
 * to know compose; or, with `--join`, only this worker as a container joining a network already running on this
 * machine. Either way it waits (deadline, progress) until the head sees the worker serving its topics.
 */
import { boolFlag, type CommandContext, stringFlag } from "../command.js";
import { runDevNetwork } from "../docker/run-dev-network.js";
import { runJoin } from "../docker/run-join.js";
import { usageError } from "../errors.js";
import { runNative } from "../native/run-native.js";
import { requireProject } from "../project/endpoints.js";
import { parseSecondsFlag } from "../validate.js";

/** What `allocmd run` does (its flags and help: ../commands/run.ts). */
export async function runRunCommand({ io, out, flags }: CommandContext): Promise<number> {
  const project = await requireProject(io.cwd, flags);
  const timeoutFlag = stringFlag(flags, "timeout");
  const timeoutMs = (timeoutFlag ? parseSecondsFlag(timeoutFlag, "--timeout", 3600) : 180) * 1000;
  if (boolFlag(flags, "native")) {
    for (const f of ["join", "no-wait"]) {
      if (flags[f] !== undefined) throw usageError("USAGE_BAD_VALUE", `--${f} does not apply with --native`);
    }
  } else if (flags.quiet !== undefined) throw usageError("USAGE_BAD_VALUE", "--quiet only applies with --native");
  if (stringFlag(flags, "join") !== undefined) return runJoin(project, out, flags, timeoutMs);
  for (const f of ["head", "chain-rpc", "chain-rest", "no-chain", "inference-url", "network-mode"]) {
    if (flags[f] !== undefined) throw usageError("USAGE_BAD_VALUE", `--${f} only applies with --join`);
  }
  if (boolFlag(flags, "native")) return runNative(project, io, out, { timeoutMs, quiet: boolFlag(flags, "quiet") });
  return runDevNetwork(project, out, { timeoutMs, wait: !boolFlag(flags, "no-wait") });
}
