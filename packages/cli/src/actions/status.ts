/**
 * `allocmd status`: "is my worker working?" in one command: whether the head is reachable and sees this worker
 * connected and subscribed to its topics, whether the chain has it registered, its latest inference, score and
 * reward per topic, and its balance. Every "no" comes with what to do.
 */
import { createHeadClient, errorMessage, httpCall, type StatusResponse, workerTopicName } from "@allora/protocol";
import { type ChainClient, createChainClient, formatAmount, type TopicWorker } from "../chain/chain-client.js";
import { boolFlag, type CommandContext } from "../command.js";
import { statusCommand } from "../commands/status.js";
import type { Project } from "../config/load-config.js";
import { shortId } from "../output.js";
import { type Endpoints, requireProject, resolveEndpoints } from "../project/endpoints.js";
import { readWorkerIdentity } from "../project/worker-identity.js";
import { cliVersion } from "../version.js";

/** The status of one topic on the chain. */
interface TopicStatus {
  topic: number;
  subscribed: boolean | null;
  registered: boolean | null;
  latest_value: string | null;
  latest_nonce: string | null;
  score: string | null;
  ema_score: string | null;
  cumulative_reward: string | null;
  rounds_scored: string | null;
  rank: number | null;
  workers: number | null;
}

/** Everything `status` finds, as `--json` prints it. */
interface WorkerStatusReport {
  name: string;
  env: "dev" | "prod";
  peer_id: string | null;
  address: string | null;
  head: {
    url: string | null;
    reachable: boolean;
    version: string | null;
    workers: number | null;
    topics_served: string[];
    connected: boolean;
    error: string | null;
  };
  chain: {
    url: string | null;
    reachable: boolean;
    chain_id: string | null;
    height: string | null;
    balance: string | null;
    error: string | null;
  };
  topics: TopicStatus[];
  problems: string[];
  ok: boolean;
}

/** A topic's row before (or without) anything the chain says about it. */
function unknownTopicStatus(topic: number, subscribed: boolean | null, registered: boolean | null): TopicStatus {
  return {
    topic,
    subscribed,
    registered,
    latest_value: null,
    latest_nonce: null,
    score: null,
    ema_score: null,
    cumulative_reward: null,
    rounds_scored: null,
    rank: null,
    workers: null,
  };
}

async function topicStatus(
  chain: ChainClient,
  topic: number,
  address: string,
  subscribed: boolean | null,
): Promise<TopicStatus> {
  const registered = await chain.isRegistered(topic, address);
  const status = unknownTopicStatus(topic, subscribed, registered);
  // This network's ranked view has everything at once; other chains only answer the emissions queries.
  let workers: TopicWorker[] | undefined;
  try {
    workers = await chain.topicWorkers(topic);
  } catch {
    workers = undefined;
  }
  if (workers) {
    const index = workers.findIndex((w) => w.address === address);
    status.workers = workers.length;
    const me = workers[index];
    if (me) {
      status.rank = index + 1;
      status.latest_value = me.latest_value ?? null;
      status.latest_nonce = me.latest_nonce ?? null;
      status.score = me.latest_score ?? null;
      status.ema_score = me.ema_score ?? null;
      status.cumulative_reward = me.cumulative_reward ?? null;
      status.rounds_scored =
        me.rounds_scored === undefined || me.rounds_scored === null ? null : String(me.rounds_scored);
    }
  } else {
    const latest = await chain.latestInferences(topic);
    const mine = latest.inferences.find((i) => i.inferer === address);
    if (mine) {
      status.latest_value = mine.value;
      status.latest_nonce = latest.block_height;
    }
    const ema = await chain.scoreEma(topic, address);
    status.ema_score = ema?.score ?? null;
  }
  return status;
}

/**
 * The worker's own account of its registrations (its `/status`), when its HTTP face answers and is this
 * project's worker (a `pnpm dev` worker may hold the same port).
 */
async function workerRegistrations(
  url: string | undefined,
  peerId: string | undefined,
): Promise<Record<string, { state?: string; reason?: string; code?: string }> | undefined> {
  if (!url || !peerId) return undefined;
  try {
    const res = await httpCall(`${url}/status`, { timeoutMs: 3000 });
    const body = JSON.parse(res.text) as {
      peer_id?: string;
      chain?: { registrations?: Record<string, { state?: string; reason?: string; code?: string }> };
    };
    return body.peer_id === peerId ? body.chain?.registrations : undefined;
  } catch {
    return undefined;
  }
}

/** Collects the status report. */
async function collectStatus(project: Project, endpoints: Endpoints): Promise<WorkerStatusReport> {
  const { config } = project;
  const identity = await readWorkerIdentity(project);
  const problems = [...identity.problems];
  const report: WorkerStatusReport = {
    name: config.name,
    env: endpoints.env,
    peer_id: identity.peerId ?? null,
    address: identity.address ?? null,
    head: {
      url: endpoints.headUrl ?? null,
      reachable: false,
      version: null,
      workers: null,
      topics_served: [],
      connected: false,
      error: null,
    },
    chain: {
      url: endpoints.chainRest ?? null,
      reachable: false,
      chain_id: null,
      height: null,
      balance: null,
      error: null,
    },
    topics: [],
    problems,
    ok: false,
  };

  let headStatus: StatusResponse | undefined;
  if (endpoints.headUrl) {
    try {
      headStatus = await createHeadClient(endpoints.headUrl, { timeoutMs: 10_000 }).status();
      report.head.reachable = true;
      report.head.version = headStatus.version;
      report.head.workers = headStatus.workers.length;
      report.head.topics_served = [...new Set(headStatus.workers.flatMap((w) => w.subscribed))]
        .map((name) => /^allora-topic-(\d+)-worker$/.exec(name)?.[1] ?? name)
        .sort((a, b) => Number(a) - Number(b));
      if (headStatus.version !== cliVersion()) {
        problems.push(
          `the head runs version ${headStatus.version}, this allocmd is ${cliVersion()}: use images and CLI of one version (allocmd doctor)`,
        );
      }
    } catch (err) {
      report.head.error = errorMessage(err);
      problems.push(
        `the head at ${endpoints.headUrl} did not answer (${errorMessage(err).replace(/^cannot reach \S+: /, "")}): ` +
          (endpoints.env === "dev" ? "start the network with `allocmd run` (or `pnpm dev`)" : "check prod.head_url"),
      );
    }
  } else {
    report.head.error = "no head URL (config.yaml prod.head_url)";
  }
  const seen =
    headStatus && identity.peerId ? headStatus.workers.find((w) => w.peer_id === identity.peerId) : undefined;
  report.head.connected = seen !== undefined;
  if (headStatus && identity.peerId && !seen) {
    problems.push(
      `the head does not see this worker (${shortId(identity.peerId)}) connected: is it running (\`allocmd run\`)? ` +
        "`allocmd logs` shows whether it reaches its boot node",
    );
  }

  let chain: ChainClient | undefined;
  if (endpoints.chainRest) {
    chain = createChainClient(endpoints.chainRest);
    try {
      const health = await chain.health();
      report.chain.reachable = true;
      report.chain.chain_id = health.chain_id ?? null;
      report.chain.height = health.height ?? null;
    } catch (err) {
      report.chain.error = errorMessage(err);
      problems.push(
        `${errorMessage(err)}: ` +
          (endpoints.env === "dev" ? "start the network with `allocmd run` (or `pnpm dev`)" : "check prod.chain_rest"),
      );
      chain = undefined;
    }
  } else {
    report.chain.error = "no chain REST URL (config.yaml prod.chain_rest)";
  }

  const registrations = await workerRegistrations(endpoints.workerUrl, identity.peerId);
  for (const t of config.topics) {
    const subscribed = seen ? seen.subscribed.includes(workerTopicName(t.id)) : headStatus ? false : null;
    if (seen && !subscribed) {
      problems.push(`the worker is connected but not subscribed to topic ${t.id}: check TOPICS in the compose file`);
    }
    if (chain && identity.address) {
      try {
        const s = await topicStatus(chain, t.id, identity.address, subscribed);
        report.topics.push(s);
        if (!s.registered) {
          const said = registrations?.[String(t.id)];
          problems.push(
            said?.reason
              ? `not registered on topic ${t.id}: the worker says ${said.code ? `${said.code}: ` : ""}${said.reason}`
              : `not registered on topic ${t.id}: the worker registers itself at start once funded (` +
                  "`allocmd fund` asks the faucet; `allocmd logs` shows the registration attempts)",
          );
        }
      } catch (err) {
        problems.push(`topic ${t.id}: ${errorMessage(err)}`);
      }
    } else {
      report.topics.push(unknownTopicStatus(t.id, subscribed, null));
    }
  }
  if (chain && identity.address) {
    try {
      report.chain.balance = (await chain.balance(identity.address)).toString();
    } catch (err) {
      problems.push(`balance: ${errorMessage(err)}`);
    }
  }
  report.ok = problems.length === 0;
  return report;
}

/** What `allocmd status` does (its flags and help: ../commands/status.ts). */
export async function runStatusCommand({ io, out, flags }: CommandContext): Promise<number> {
  const project = await requireProject(io.cwd, flags);
  const endpoints = await resolveEndpoints(project, flags, statusCommand);
  const report = await collectStatus(project, endpoints);
  if (boolFlag(flags, "json")) {
    out.out(JSON.stringify(report, null, 2));
    return report.ok ? 0 : 1;
  }
  const yes = (b: boolean | null, y: string, n: string) =>
    b === null ? out.dim("unknown") : b ? out.green(y) : out.red(n);
  out.out(
    `Worker ${out.bold(report.name)} (${endpoints.env} network)  peer ${report.peer_id ?? "?"}  account ${report.address ?? "?"}`,
  );
  if (report.head.reachable) {
    out.out(
      `Head   ${report.head.url}: ${out.green("reachable")}, version ${report.head.version}, ${report.head.workers} worker(s) connected, ` +
        `topics served: ${report.head.topics_served.join(", ") || "none"}`,
    );
    out.out(`       this worker: ${yes(report.head.connected, "connected", "not connected")}`);
  } else {
    out.out(`Head   ${report.head.url ?? "(none)"}: ${out.red("unreachable")}`);
  }
  if (report.chain.reachable) {
    out.out(
      `Chain  ${report.chain.url}: ${out.green("reachable")}, ${report.chain.chain_id ?? "?"} at height ${report.chain.height ?? "?"}`,
    );
    if (report.chain.balance !== null) out.out(`       balance: ${formatAmount(BigInt(report.chain.balance))}`);
  } else {
    out.out(`Chain  ${report.chain.url ?? "(none)"}: ${out.red("unreachable")}`);
  }
  for (const t of report.topics) {
    const parts = [`subscribed ${yes(t.subscribed, "yes", "no")}`, `registered ${yes(t.registered, "yes", "no")}`];
    if (t.latest_value !== null) parts.push(`latest inference ${t.latest_value} (round ${t.latest_nonce ?? "?"})`);
    else if (t.registered) parts.push("no inference on the chain yet");
    if (t.score !== null) parts.push(`score ${t.score}`);
    if (t.ema_score !== null) parts.push(`EMA score ${t.ema_score}`);
    if (t.cumulative_reward !== null) parts.push(`reward ${t.cumulative_reward}uallo`);
    if (t.rank !== null && t.workers !== null) parts.push(`rank ${t.rank} of ${t.workers}`);
    out.out(`Topic ${t.topic}: ${parts.join(", ")}`);
  }
  if (report.ok) {
    out.out(out.green("All good: the worker is connected, subscribed and registered."));
  } else {
    out.out("");
    out.out("To fix:");
    for (const p of report.problems) out.out(`  - ${p}`);
  }
  return report.ok ? 0 : 1;
}
