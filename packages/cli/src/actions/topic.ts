/**
 * `allocmd topic <id>`: every worker of a topic as the chain ranks it (highest cumulative reward first), with its
 * latest value, score, EMA score and reward, and this project's worker marked; `--rounds N` adds recent rounds.
 */
import { createChainClient } from "../chain/chain-client.js";
import { boolFlag, type CommandContext, stringFlag } from "../command.js";
import { topicCommand } from "../commands/topic.js";
import { CliError, usageError } from "../errors.js";
import { shortId, table } from "../output.js";
import { findProject, resolveEndpoints } from "../project/endpoints.js";
import { readWorkerIdentity } from "../project/worker-identity.js";
import { parseIntegerFlag, parseTopicsFlag } from "../validate.js";

/** What `allocmd topic` does (its flags and help: ../commands/topic.ts). */
export async function runTopicCommand({ io, out, flags, positionals }: CommandContext): Promise<number> {
  const raw = positionals[0];
  if (raw === undefined) throw usageError("USAGE_MISSING", "the topic id is missing", "allocmd topic 1");
  const topic = parseTopicsFlag(raw, "topic id")[0] as number;
  const roundsFlag = stringFlag(flags, "rounds");
  const rounds = roundsFlag === undefined ? 0 : parseIntegerFlag(roundsFlag, "--rounds", 1, 100);
  const project = await findProject(io.cwd, flags);
  const endpoints = await resolveEndpoints(project, flags, topicCommand);
  if (!endpoints.chainRest) {
    throw new CliError("CONFIG_MISSING", "no chain REST URL: config.yaml's prod.chain_rest is empty", {
      hint: "set prod.chain_rest, or pass --chain-rest <url>",
    });
  }
  const chain = createChainClient(endpoints.chainRest);
  const exists = await chain.topicExists(topic);
  if (exists === false) {
    throw new CliError("CHAIN_UNREACHABLE", `the chain at ${endpoints.chainRest} has no topic ${topic}`, {
      hint: "the local network has topics 1 (ETH) and 2 (BTC)",
    });
  }
  const workers = await chain.topicWorkers(topic);
  const recent = rounds > 0 ? await chain.rounds(topic, rounds) : [];
  const own = project ? (await readWorkerIdentity(project)).address : undefined;
  if (boolFlag(flags, "json")) {
    out.out(JSON.stringify({ topic_id: String(topic), workers, ...(rounds > 0 ? { rounds: recent } : {}) }, null, 2));
    return 0;
  }
  out.out(`Topic ${topic} on ${endpoints.chainRest}: ${workers.length} registered worker(s), highest reward first`);
  if (workers.length > 0) {
    const rows = [
      ["  #", "worker", "peer", "latest value", "score", "EMA score", "reward (uallo)", "rounds"],
      ...workers.map((w, i) => [
        `  ${i + 1}`,
        `${shortId(w.address, 10, 6)}${w.address === own ? " (you)" : ""}`,
        w.lib_p2p_key ? shortId(w.lib_p2p_key, 8, 4) : "-",
        w.latest_value ?? "-",
        w.latest_score ?? "-",
        w.ema_score ?? "-",
        w.cumulative_reward ?? "0",
        w.rounds_scored === undefined || w.rounds_scored === null ? "0" : String(w.rounds_scored),
      ]),
    ];
    for (const line of table(rows)) out.out(line);
  }
  if (own && !workers.some((w) => w.address === own)) {
    out.out(
      `  this project's worker (${shortId(own, 10, 6)}) is not registered on topic ${topic}: see \`allocmd status\``,
    );
  }
  if (recent.length > 0) {
    out.out("");
    out.out(`Last ${recent.length} round(s), newest first:`);
    const rows = [
      ["  round", "status", "truth", "network value", "inferences"],
      ...recent.map((r) => [
        `  ${r.nonce}`,
        r.status,
        r.truth ?? "-",
        r.network_inference ?? "-",
        String(r.inferences?.length ?? 0),
      ]),
    ];
    for (const line of table(rows)) out.out(line);
  }
  return 0;
}
