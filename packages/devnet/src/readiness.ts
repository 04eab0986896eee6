/**
 * What both runners (processes and containers) need to bring a network up: the start order of its nodes, a lenient
 * JSON probe, and the readiness rule — the head sees every worker subscribed to each of its topics.
 */
import { httpCall, workerTopicName } from "@allora/protocol";
import type { NodeDescription } from "./description.js";

/**
 * Nodes in start order, by tiers: a node comes after everything it depends on. A dependency that is not among
 * `nodes` (an extra node joining a running network) counts as met.
 */
export function startTiers(nodes: readonly NodeDescription[]): NodeDescription[][] {
  const tiers: NodeDescription[][] = [];
  const names = new Set(nodes.map((n) => n.name));
  const placed = new Set<string>();
  let rest = [...nodes];
  while (rest.length > 0) {
    const tier = rest.filter((n) => n.dependsOn.every((d) => placed.has(d) || !names.has(d)));
    if (tier.length === 0) throw new Error(`dependency cycle among ${rest.map((n) => n.name).join(", ")}`);
    for (const n of tier) placed.add(n.name);
    tiers.push(tier);
    rest = rest.filter((n) => !placed.has(n.name));
  }
  return tiers;
}

/**
 * The body of a 200 answer (`{}` when it is not JSON), or undefined for any other status, a refused connection or a
 * timeout. node:http, not fetch: fetch refuses the head's default port 6000.
 */
export async function probeJson(url: string, timeoutMs: number): Promise<unknown | undefined> {
  try {
    const res = await httpCall(url, { timeoutMs });
    if (res.status !== 200) return undefined;
    try {
      return JSON.parse(res.text);
    } catch {
      return {};
    }
  } catch {
    return undefined;
  }
}

/** The workers a head reports in `/api/v1/status`: each peer with the gossip topics it is subscribed to. */
export interface HeadWorkerView {
  workers?: ReadonlyArray<{ peer_id: string; subscribed: readonly string[] }>;
}

/** Whether a head sees a worker serving its topics: ready, not connected, or connected but missing topics. */
export type WorkerSighting =
  | { state: "serving" }
  | { state: "absent" }
  | { state: "unsubscribed"; missing: readonly string[] };

/**
 * The readiness rule of one worker, as a plain decision: the head lists `peer` with a session and subscribed to
 * every one of `topicNames` (gossip topic names, `allora-topic-<id>-worker`).
 */
export function sightWorker(
  status: HeadWorkerView,
  peer: string | undefined,
  topicNames: readonly string[],
): WorkerSighting {
  const seen = peer === undefined ? undefined : status.workers?.find((w) => w.peer_id === peer);
  if (!seen) return { state: "absent" };
  const missing = topicNames.filter((t) => !seen.subscribed.includes(t));
  return missing.length === 0 ? { state: "serving" } : { state: "unsubscribed", missing };
}

/** A worker the head must see, on its topics. */
export interface ExpectedWorker {
  name: string;
  peer: string | undefined;
  topics: readonly string[];
}

/**
 * Polls the head's `/api/v1/status` until every expected worker has a session and is subscribed to each of its
 * topics. On timeout, throws naming the missing workers, with the log tails `tails` gives for them.
 */
export async function waitForWorkersOnHead(options: {
  headRestUrl: string;
  workers: readonly ExpectedWorker[];
  timeoutMs: number;
  pollMs: number;
  progress: (line: string) => void;
  tails: (missing: readonly string[]) => Promise<string> | string;
}): Promise<void> {
  const started = Date.now();
  const expected = options.workers.map((w) => ({ ...w, topics: w.topics.map((t) => workerTopicName(t)) }));
  for (;;) {
    const status = (await probeJson(`${options.headRestUrl}/api/v1/status`, 1000)) as HeadWorkerView | undefined;
    const missing = expected.filter((w) => sightWorker(status ?? {}, w.peer, w.topics).state !== "serving");
    if (status && missing.length === 0) {
      options.progress(`head sees every worker on its topics (${Date.now() - started} ms)`);
      return;
    }
    if (Date.now() - started > options.timeoutMs) {
      const names = missing.map((m) => m.name);
      throw new Error(
        `the head does not see ${names.join(", ")} on their topics after ${options.timeoutMs} ms\n${await options.tails(names)}`,
      );
    }
    await new Promise((r) => setTimeout(r, options.pollMs));
  }
}
