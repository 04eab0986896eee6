/**
 * `allocmd request`: the guide's curl as a command. Sends the same execute request to a head and prints each
 * worker's value and run time, or, for a non-200 code, what it means and what to check.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createHeadClient, errorMessage, HeadRequestError, makeGuideExecuteRequest } from "@allora/protocol";
import { boolFlag, type CommandContext, stringFlag } from "../command.js";
import { requestCommand } from "../commands/request.js";
import { CliError, usageError } from "../errors.js";
import { findProject, resolveEndpoints } from "../project/endpoints.js";
import { describeResponse } from "../request/describe-response.js";
import { parseIntegerFlag, parseSecondsFlag, parseTopicsFlag } from "../validate.js";

/** What `allocmd request` does (its flags and help: ../commands/request.ts). */
export async function runRequestCommand({ io, out, flags }: CommandContext): Promise<number> {
  const project = await findProject(io.cwd, flags);
  const endpoints = await resolveEndpoints(project, flags, requestCommand);
  const topicFlag = stringFlag(flags, "topic");
  let topic: number;
  if (topicFlag !== undefined) topic = parseTopicsFlag(topicFlag)[0] as number;
  else if (project) topic = project.config.topics[0]?.id as number;
  else throw usageError("USAGE_MISSING", "--topic is needed outside a project", "allocmd request --topic 1 --arg ETH");
  const arg = stringFlag(flags, "arg") ?? project?.config.topics.find((t) => t.id === topic)?.arg ?? "ETH";
  if (!arg) throw usageError("USAGE_BAD_VALUE", "--arg must not be empty (e.g. --arg ETH)");
  const timeoutFlag = stringFlag(flags, "timeout");
  const timeout = timeoutFlag ? parseSecondsFlag(timeoutFlag, "--timeout", 300) : 2;
  const nodesFlag = stringFlag(flags, "nodes");
  const nodes = nodesFlag === undefined || nodesFlag === "-1" ? -1 : parseIntegerFlag(nodesFlag, "--nodes", 1, 1000);
  if (!endpoints.headUrl) {
    throw new CliError("CONFIG_MISSING", "no head URL for --env prod: config.yaml's prod.head_url is empty", {
      hint: "set prod.head_url in config.yaml, or pass --head <url>",
    });
  }
  let ownPeer: string | undefined;
  if (project) {
    ownPeer =
      (await readFile(join(project.dir, project.config.worker.keys, "identity"), "utf8").catch(() => "")).trim() ||
      undefined;
  }
  const head = createHeadClient(endpoints.headUrl, { timeoutMs: (timeout + 120) * 1000 });
  const started = performance.now();
  let res: Awaited<ReturnType<typeof head.execute>>;
  try {
    res = await head.execute(makeGuideExecuteRequest({ topic: String(topic), arg, timeout, numberOfNodes: nodes }));
  } catch (err) {
    if (err instanceof HeadRequestError) {
      throw new CliError(
        "HEAD_UNREACHABLE",
        `the head refused the request (HTTP ${err.status} ${err.body.code}): ${err.body.message}`,
      );
    }
    throw new CliError("HEAD_UNREACHABLE", `cannot reach the head at ${endpoints.headUrl}: ${errorMessage(err)}`, {
      hint:
        endpoints.env === "dev"
          ? "is the network running? start it with `allocmd run` (or `pnpm dev`); `allocmd doctor` checks what is missing"
          : "check prod.head_url in config.yaml, or pass --head <url>",
    });
  }
  const tookMs = performance.now() - started;
  if (boolFlag(flags, "json")) {
    out.out(JSON.stringify(res, null, 2));
  } else {
    const lines = describeResponse(res, {
      topic: String(topic),
      arg,
      tookMs,
      headUrl: endpoints.headUrl,
      ...(ownPeer ? { ownPeer } : {}),
    });
    for (const l of lines) out.out(l);
  }
  return res.code === "200" ? 0 : 1;
}
