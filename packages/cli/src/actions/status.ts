/**
 * `allocmd status`: "is my worker working?" in one command: whether the head is reachable and sees this worker
 * connected and subscribed to its topics, whether the chain has it registered, its latest inference, score and
 * reward per topic, and its balance. Every "no" comes with what to do.
 */
import {
  createHeadClient,
  errorMessage,
  httpCall,
  type StatusResponse,
  topicIdFromName,
  workerTopicName,
} from "@allora/protocol";
import { type ChainClient, createChainClient, formatAmount, type TopicWorker } from "../chain/chain-client.js";
import { boolFlag, type CommandContext } from "../command.js";
import { statusCommand } from "../commands/status.js";
import type { Project } from "../config/load-config.js";
import { shortId } from "../output.js";
import { type Endpoints, requireProject, resolveEndpoints } from "../project/endpoints.js";
import { readWorkerIdentity, type WorkerIdentity } from "../project/worker-identity.js";
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

/** The report before anything answered. */
function emptyReport(project: Project, endpoints: Endpoints, identity: WorkerIdentity): WorkerStatusReport {
  return {
    name: project.config.name,
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
    problems: [...identity.problems],
    ok: false,
  };
}

/** What to do when a node of the network does not answer. */
function startHint(endpoints: Endpoints, prodKey: string): string {
  return endpoints.env === "dev" ? "start the network with `allocmd run` (or `pnpm dev`)" : `check ${prodKey}`;
}

/** Asks the head for its status: its version, the workers it sees and the topics they serve. */
async function checkHead(report: WorkerStatusReport, endpoints: Endpoints): Promise<StatusResponse | undefined> {
  if (!endpoints.headUrl) {
    report.head.error = "no head URL (config.yaml prod.head_url)";
    return undefined;
  }
  try {
    const headStatus = await createHeadClient(endpoints.headUrl, { timeoutMs: 10_000 }).status();
    report.head.reachable = true;
    report.head.version = headStatus.version;
    report.head.workers = headStatus.workers.length;
    report.head.topics_served = [...new Set(headStatus.workers.flatMap((w) => w.subscribed))]
      .map((name) => topicIdFromName(name)?.toString() ?? name)
      .sort((a, b) => Number(a) - Number(b));
    if (headStatus.version !== cliVersion()) {
      report.problems.push(
        `the head runs version ${headStatus.version}, this allocmd is ${cliVersion()}: use images and CLI of one version (allocmd doctor)`,
      );
    }
    return headStatus;
  } catch (err) {
    report.head.error = errorMessage(err);
    report.problems.push(
      `the head at ${endpoints.headUrl} did not answer (${errorMessage(err).replace(/^cannot reach \S+: /, "")}): ` +
        startHint(endpoints, "prod.head_url"),
    );
    return undefined;
  }
}

/** This worker as the head lists it, when it does. */
function findOnHead(report: WorkerStatusReport, headStatus: StatusResponse | undefined, peerId: string | undefined) {
  const seen = headStatus && peerId ? headStatus.workers.find((w) => w.peer_id === peerId) : undefined;
  report.head.connected = seen !== undefined;
  if (headStatus && peerId && !seen) {
    report.problems.push(
      `the head does not see this worker (${shortId(peerId)}) connected: is it running (\`allocmd run\`)? ` +
        "`allocmd logs` shows whether it reaches its boot node",
    );
  }
  return seen;
}

/** A client of the chain when it answers its health query, else undefined (with the problem noted). */
async function checkChain(report: WorkerStatusReport, endpoints: Endpoints): Promise<ChainClient | undefined> {
  if (!endpoints.chainRest) {
    report.chain.error = "no chain REST URL (config.yaml prod.chain_rest)";
    return undefined;
  }
  const chain = createChainClient(endpoints.chainRest);
  try {
    const health = await chain.health();
    report.chain.reachable = true;
    report.chain.chain_id = health.chain_id ?? null;
    report.chain.height = health.height ?? null;
    return chain;
  } catch (err) {
    report.chain.error = errorMessage(err);
    report.problems.push(`${errorMessage(err)}: ${startHint(endpoints, "prod.chain_rest")}`);
    return undefined;
  }
}

/** Why a worker is not registered on a topic: what the worker itself says, or how registration happens. */
function notRegisteredProblem(topic: number, said: { reason?: string; code?: string } | undefined): string {
  return said?.reason
    ? `not registered on topic ${topic}: the worker says ${said.code ? `${said.code}: ` : ""}${said.reason}`
    : `not registered on topic ${topic}: the worker registers itself at start once funded (` +
        "`allocmd fund` asks the faucet; `allocmd logs` shows the registration attempts)";
}

/** One row per topic of config.yaml: subscription on the head, registration, value, score and rank on the chain. */
async function checkTopics(
  report: WorkerStatusReport,
  project: Project,
  facts: { headStatus: StatusResponse | undefined; seen: StatusResponse["workers"][number] | undefined },
  chain: ChainClient | undefined,
  registrations: Awaited<ReturnType<typeof workerRegistrations>>,
): Promise<void> {
  const { headStatus, seen } = facts;
  const address = report.address ?? undefined;
  for (const t of project.config.topics) {
    const subscribed = seen ? seen.subscribed.includes(workerTopicName(t.id)) : headStatus ? false : null;
    if (seen && !subscribed) {
      report.problems.push(
        `the worker is connected but not subscribed to topic ${t.id}: check TOPICS in the compose file`,
      );
    }
    if (!chain || !address) {
      report.topics.push(unknownTopicStatus(t.id, subscribed, null));
      continue;
    }
    try {
      const s = await topicStatus(chain, t.id, address, subscribed);
      report.topics.push(s);
      if (!s.registered) report.problems.push(notRegisteredProblem(t.id, registrations?.[String(t.id)]));
    } catch (err) {
      report.problems.push(`topic ${t.id}: ${errorMessage(err)}`);
    }
  }
}

/** Collects the status report. */
async function collectStatus(project: Project, endpoints: Endpoints): Promise<WorkerStatusReport> {
  const identity = await readWorkerIdentity(project);
  const report = emptyReport(project, endpoints, identity);
  const headStatus = await checkHead(report, endpoints);
  const seen = findOnHead(report, headStatus, identity.peerId);
  const chain = await checkChain(report, endpoints);
  const registrations = await workerRegistrations(endpoints.workerUrl, identity.peerId);
  await checkTopics(report, project, { headStatus, seen }, chain, registrations);
  if (chain && identity.address) {
    try {
      report.chain.balance = (await chain.balance(identity.address)).toString();
    } catch (err) {
      report.problems.push(`balance: ${errorMessage(err)}`);
    }
  }
  report.ok = report.problems.length === 0;
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
