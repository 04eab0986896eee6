/**
 * An execute response as people read it: one line per worker with its value (or what went wrong) and how long its
 * run took (`usage.wall_clock_time`), and for a non-200 code what the code means and what to check.
 */
import { type ExecuteResponse, type ResultCode, ResultCodeMeaning } from "@allora/protocol";
import { formatMs, shortId, table } from "../output.js";

/** What one worker answered. */
interface WorkerAnswer {
  peer: string;
  /** The inference value, when its stdout kept the contract. */
  value?: string;
  /** What went wrong instead (bad output, function error, failure code). */
  problem?: string;
  exitCode?: number;
  wallMs?: number;
}

function parseValue(stdout: string): { value?: string; problem?: string } {
  const lines = stdout.split("\n").filter((l) => l.trim() !== "");
  if (lines.length === 0) return { problem: "printed nothing" };
  try {
    const body = JSON.parse(lines[lines.length - 1] as string) as Record<string, unknown>;
    if (typeof body.infererValue === "string") return { value: body.infererValue };
    if (typeof body.error === "string") return { problem: `main.py error: ${body.error}` };
    return { problem: `no infererValue in ${JSON.stringify(body).slice(0, 80)}` };
  } catch {
    return { problem: `stdout is not JSON: ${JSON.stringify(stdout.slice(0, 80))}` };
  }
}

/** Every worker's answer in a response, peers sorted by value presence then id. */
function workerAnswers(res: ExecuteResponse): WorkerAnswer[] {
  const answers = new Map<string, WorkerAnswer>();
  for (const group of res.results ?? []) {
    const parsed = parseValue(group.result.stdout);
    for (const peer of group.peers) {
      answers.set(peer, {
        peer,
        ...parsed,
        exitCode: group.result.exit_code,
        ...(parsed.problem && group.result.stderr.trim()
          ? { problem: `${parsed.problem}; stderr: ${group.result.stderr.trim().split("\n").slice(-1)[0]}` }
          : {}),
      });
    }
  }
  for (const [peer, failure] of Object.entries(res.failures ?? {})) {
    const prev = answers.get(peer);
    answers.set(peer, { ...prev, peer, problem: `${failure.code}: ${failure.message}` });
  }
  for (const peer of res.unanswered_peers ?? []) {
    if (!answers.has(peer)) answers.set(peer, { peer, problem: "chosen, but did not answer in time" });
  }
  for (const [peer, usage] of Object.entries(res.usage ?? {})) {
    const a = answers.get(peer) ?? { peer };
    a.wallMs = usage.wall_clock_time / 1e6;
    answers.set(peer, a);
  }
  return [...answers.values()].sort((a, b) => Number(!!b.value) - Number(!!a.value) || a.peer.localeCompare(b.peer));
}

/** What to check for each non-200 code. */
function adviceFor(code: ResultCode, topic: string): string[] {
  switch (code) {
    case "408":
      return [
        `is a worker subscribed to topic ${topic}? \`allocmd status\` shows whether yours is connected and subscribed`,
        "is the worker connected to this head? check its boot node (config.yaml, or `allocmd run --join <multiaddr>`)",
        "is the head reachable from the worker? `allocmd logs` shows the worker's connection attempts",
        "a larger roll-call window helps slow networks: --timeout 5",
      ];
    case "204":
      return [
        "workers accepted but none answered in time: main.py may be too slow or hang; try `allocmd test`",
        "`allocmd logs` shows the worker's side",
      ];
    case "206":
      return ["some chosen workers did not answer: see the lines marked above, and `allocmd logs`"];
    case "500":
      return ["the head could not run the request: `allocmd logs` shows the head's error"];
    default:
      return [];
  }
}

/** The readable report of a response. */
export function describeResponse(
  res: ExecuteResponse,
  options: { topic: string; arg: string; ownPeer?: string; tookMs: number; headUrl: string },
): string[] {
  const lines: string[] = [];
  const meaning = ResultCodeMeaning[res.code] ?? "unknown code";
  lines.push(
    `topic ${options.topic}, argument ${options.arg}: code ${res.code} (${meaning}) in ${formatMs(options.tookMs)} ` +
      `from ${options.headUrl}, request ${res.request_id}`,
  );
  const answers = workerAnswers(res);
  if (answers.length > 0) {
    const rows = answers.map((a) => [
      `  ${shortId(a.peer)}${a.peer === options.ownPeer ? " (this worker)" : ""}`,
      a.wallMs !== undefined ? `ran ${formatMs(a.wallMs)}` : "-",
      a.value !== undefined ? `infererValue ${a.value}` : `no value: ${a.problem ?? "unknown"}`,
    ]);
    lines.push(...table(rows));
  } else {
    lines.push("  no worker answered");
  }
  if (options.ownPeer && !answers.some((a) => a.peer === options.ownPeer)) {
    lines.push(`  this project's worker (${shortId(options.ownPeer)}) is not among them: \`allocmd status\` says why`);
  }
  if (res.message && res.code !== "200") lines.push(`  head says: ${res.message}`);
  const advice = adviceFor(res.code, options.topic);
  if (advice.length > 0) {
    lines.push("  what to check:");
    for (const a of advice) lines.push(`    - ${a}`);
  }
  return lines;
}
