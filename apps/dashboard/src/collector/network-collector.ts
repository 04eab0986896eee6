/**
 * Keeps the dashboard's picture of the network: reads the chain's height every `pollMs`, and on each new block the
 * topics, each topic's workers and its recent rounds (the last `history` rounds once, at start), the head's status,
 * and now and then each configured worker's own status and model. It emits a `network` event when anything of the
 * picture changed and a `round` event for each round that is new or changed, so the page is pushed at most one
 * update per block and never polls.
 */
import { type Logger, StatusResponse, topicIdFromName } from "@allora/protocol";
import {
  ChainHealthView,
  ChainRoundsView,
  type ChainRoundView,
  ChainTopicsView,
  type ChainTopicView,
  ChainTopicWorkersView,
  type ChainWorkerView,
  type HeadPanel,
  InferenceHealthView,
  type NetworkView,
  type SnapshotEvent,
  type TopicPanel,
  type WorkerPanel,
  WorkerStatusView,
} from "../views.js";
import { errorOf, getView } from "./upstream.js";

/** A worker the dashboard was told about, with where to read its status and its model. */
export interface KnownWorker {
  name: string;
  statusUrl?: string;
  inferenceUrl?: string;
}

/** Options of {@link createNetworkCollector}. */
export interface CollectorOptions {
  chainRest: string;
  headUrl: string;
  workers: readonly KnownWorker[];
  /** Rounds per topic kept (and loaded from history at start). */
  history: number;
  pollMs: number;
  version: string;
  logger: Logger;
  /** Every how many polls the workers' own status and models are read again (default 5). */
  workerEvery?: number;
  now?: () => number;
}

/** What the collector emits. */
export type CollectorEvent = { type: "network"; data: NetworkView } | { type: "round"; data: ChainRoundView };

/** The running collector. */
export interface NetworkCollector {
  start(): void;
  stop(): Promise<void>;
  /** The current picture, for a page that connects now. */
  snapshot(): SnapshotEvent;
  /** Calls `listener` for every event; returns the unsubscribe function. */
  subscribe(listener: (event: CollectorEvent) => void): () => void;
  /** Resolves after the next completed poll. */
  nextPoll(): Promise<void>;
  /** Reads everything now (after a poll in progress), without waiting for the timer. */
  refresh(): Promise<void>;
}

interface WorkerOwnView {
  name: string;
  reachable: boolean;
  peerId?: string;
  address?: string;
  version?: string;
  model?: string;
}

const trimUrl = (u: string) => u.replace(/\/+$/, "");
const short = (s: string) => (s.length > 16 ? `${s.slice(0, 10)}…${s.slice(-4)}` : s);
const topicIdOf = (name: string) => topicIdFromName(name)?.toString() ?? name;

/** Creates the collector; `start()` begins polling. */
export function createNetworkCollector(options: CollectorOptions): NetworkCollector {
  const chainRest = trimUrl(options.chainRest);
  const headUrl = trimUrl(options.headUrl);
  const log = options.logger;
  const now = options.now ?? Date.now;
  const workerEvery = options.workerEvery ?? 5;
  const listeners = new Set<(event: CollectorEvent) => void>();
  const rounds = new Map<string, Map<string, { view: ChainRoundView; json: string }>>();
  const own = new Map<string, WorkerOwnView>(options.workers.map((w) => [w.name, { name: w.name, reachable: false }]));
  /** Last failure code per upstream, so each failure and each recovery is logged once. */
  const failing = new Map<string, string>();
  /** Upstreams that answered at least once: until then a failure is "not up yet" (info), after it a warning. */
  const answered = new Set<string>();
  let network: NetworkView = emptyView();
  let networkJson = "";
  let lastHeight: string | undefined;
  let lastChainWorkers = new Map<string, ChainWorkerView[]>();
  let polls = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;
  let pollWaiters: Array<() => void> = [];
  /** Aborted by stop(), so stopping never waits out an upstream's timeout. */
  const aborted = new AbortController();

  function emptyView(): NetworkView {
    return {
      server_time: new Date(now()).toISOString(),
      version: options.version,
      chain: { reachable: false, url: chainRest },
      head: { reachable: false, url: headUrl },
      workers: [],
      topics: [],
    };
  }

  const emit = (event: CollectorEvent) => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (err) {
        log.error({ code: "INTERNAL", err }, "event listener failed");
      }
    }
  };

  const note = (upstream: string, err: unknown) => {
    const e = err === undefined ? undefined : errorOf(err);
    const before = failing.get(upstream);
    if (e && before !== e.code) {
      if (answered.has(upstream)) log.warn({ code: e.code, upstream }, `${upstream}: ${e.message}`);
      else log.info({ code: e.code, upstream }, `${upstream} is not answering yet: ${e.message}`);
      failing.set(upstream, e.code);
    } else if (!e && before !== undefined) {
      log.info({ upstream }, `${upstream} answers ${answered.has(upstream) ? "again" : "now"}`);
      failing.delete(upstream);
    }
    if (!e) answered.add(upstream);
    return e;
  };

  const readOwn = async (worker: KnownWorker): Promise<WorkerOwnView> => {
    const view: WorkerOwnView = { ...(own.get(worker.name) ?? { name: worker.name }), reachable: false };
    if (worker.statusUrl) {
      try {
        const status = await getView(`${trimUrl(worker.statusUrl)}/status`, WorkerStatusView, {
          signal: aborted.signal,
        });
        Object.assign(view, {
          reachable: true,
          peerId: status.peer_id,
          version: status.version,
          ...(status.chain ? { address: status.chain.address } : {}),
        });
        note(`${worker.name} status`, undefined);
      } catch (err) {
        note(`${worker.name} status`, err);
      }
    }
    if (worker.inferenceUrl) {
      try {
        view.model = (
          await getView(`${trimUrl(worker.inferenceUrl)}/health`, InferenceHealthView, { signal: aborted.signal })
        ).model;
        note(`${worker.name} inference server`, undefined);
      } catch (err) {
        note(`${worker.name} inference server`, err);
      }
    }
    return view;
  };

  /** Rounds per topic to re-read on each block: every round whose truth may still be pending, plus a margin. */
  const windowOf = (topic: ChainTopicView) => {
    const cadence = Math.max(1, Number(topic.inference_cadence));
    const pending = Math.ceil((Number(topic.ground_truth_lag) + Number(topic.submission_window)) / cadence);
    return Math.min(options.history, pending + 3);
  };

  const mergeRounds = (topicId: string, fresh: readonly ChainRoundView[]) => {
    let held = rounds.get(topicId);
    if (!held) {
      held = new Map();
      rounds.set(topicId, held);
    }
    // Oldest first, so the page receives rounds in order.
    for (const round of [...fresh].sort((a, b) => Number(BigInt(a.nonce) - BigInt(b.nonce)))) {
      const json = JSON.stringify(round);
      if (held.get(round.nonce)?.json === json) continue;
      held.set(round.nonce, { view: round, json });
      emit({ type: "round", data: round });
    }
    const nonces = [...held.keys()].sort((a, b) => Number(BigInt(a) - BigInt(b)));
    for (const old of nonces.slice(0, Math.max(0, nonces.length - options.history))) held.delete(old);
  };

  const buildWorkers = (
    head: StatusResponse | undefined,
    chainWorkers: ReadonlyMap<string, readonly ChainWorkerView[]>,
  ): WorkerPanel[] => {
    const panels = new Map<string, WorkerPanel>();
    const byPeer = new Map<string, WorkerPanel>();
    const keyOf = (address: string | undefined, peer: string | undefined) => address ?? peer ?? "";
    const ensure = (address: string | undefined, peer: string | undefined, name?: string): WorkerPanel => {
      const existing = (address ? panels.get(address) : undefined) ?? (peer ? byPeer.get(peer) : undefined);
      if (existing) {
        if (address && !existing.address) existing.address = address;
        if (peer && !existing.peer_id) existing.peer_id = peer;
        if (address && existing.key !== address) {
          panels.delete(existing.key);
          existing.key = address;
          panels.set(address, existing);
        }
        if (peer) byPeer.set(peer, existing);
        return existing;
      }
      const panel: WorkerPanel = {
        key: keyOf(address, peer),
        name: name ?? `worker ${short(address ?? peer ?? "?")}`,
        configured: name !== undefined,
        status_reachable: false,
        ...(peer ? { peer_id: peer } : {}),
        ...(address ? { address } : {}),
        connected: false,
        subscribed: [],
        registered: [],
        cumulative_reward: "0",
        standing: {},
      };
      panels.set(panel.key || `name:${panel.name}`, panel);
      if (peer) byPeer.set(peer, panel);
      return panel;
    };
    for (const w of own.values()) {
      const panel = ensure(w.address, w.peerId, w.name);
      panel.status_reachable = w.reachable;
      if (w.version) panel.version = w.version;
      if (w.model) panel.model = w.model;
    }
    for (const w of head?.workers ?? []) {
      const panel = ensure(w.chain_address, w.peer_id);
      panel.connected = true;
      panel.subscribed = w.subscribed.map(topicIdOf).sort();
      if (!panel.version && w.version) panel.version = w.version;
    }
    for (const [topicId, list] of chainWorkers) {
      for (const w of list) {
        const panel = ensure(w.address, w.lib_p2p_key);
        panel.registered = [...new Set([...panel.registered, topicId])].sort();
        panel.balance = w.balance;
        panel.cumulative_reward = (BigInt(panel.cumulative_reward) + BigInt(w.cumulative_reward)).toString();
        panel.standing[topicId] = {
          latest_score: w.latest_score,
          ema_score: w.ema_score,
          rounds_scored: w.rounds_scored,
          cumulative_reward: w.cumulative_reward,
        };
      }
    }
    return [...panels.values()].sort((a, b) =>
      a.configured !== b.configured ? (a.configured ? -1 : 1) : a.name.localeCompare(b.name, "en", { numeric: true }),
    );
  };

  const topicPanel = (t: ChainTopicView): TopicPanel => {
    const cadence = Number(t.inference_cadence);
    const opened = t.last_round_opened_at ? Date.parse(t.last_round_opened_at) : Number.NaN;
    return {
      id: t.id,
      metadata: t.metadata,
      token: t.default_arg,
      cadence_seconds: cadence,
      lag_seconds: Number(t.ground_truth_lag),
      window_seconds: Number(t.submission_window),
      workers: Number(t.workers),
      rounds_scored: Number(t.rounds_scored),
      last_round_nonce: t.last_round_nonce,
      last_round_opened_at: t.last_round_opened_at,
      next_round_at: Number.isFinite(opened) ? new Date(opened + cadence * 1000).toISOString() : null,
    };
  };

  /** The chain's health: its panel, and whether a block was made since the last poll. */
  const readChain = async (): Promise<{ health?: ChainHealthView; panel: NetworkView["chain"] }> => {
    try {
      const health = await getView(`${chainRest}/allora/localnet/v1/health`, ChainHealthView, {
        signal: aborted.signal,
      });
      note("chain", undefined);
      const panel = {
        reachable: true,
        url: chainRest,
        chain_id: health.chain_id,
        height: health.height,
        latest_block_time: health.latest_block_time,
        block_time_ms: Number(health.block_time_ms),
      };
      return { health, panel };
    } catch (err) {
      const error = note("chain", err);
      return { panel: { ...network.chain, reachable: false, ...(error ? { error } : {}) } };
    }
  };

  const readHead = async (): Promise<{ head?: StatusResponse; panel: HeadPanel }> => {
    try {
      const head = await getView(`${headUrl}/api/v1/status`, StatusResponse, { signal: aborted.signal });
      note("head", undefined);
      const panel = {
        reachable: true,
        url: headUrl,
        peer_id: head.peer_id,
        version: head.version,
        addresses: head.addresses,
        uptime_seconds: head.uptime_seconds,
        workers_connected: head.workers.length,
      };
      return { head, panel };
    } catch (err) {
      const error = note("head", err);
      return { panel: { url: headUrl, reachable: false, ...(error ? { error } : {}) } };
    }
  };

  /** Topics, each topic's workers and its recent rounds; the last known workers when the chain cannot be read. */
  const readChainViews = async (
    health: ChainHealthView | undefined,
  ): Promise<{ topics?: TopicPanel[]; chainWorkers: Map<string, ChainWorkerView[]> }> => {
    // Keep the last known standing rather than showing every worker unregistered for one failed read.
    if (!health) return { chainWorkers: new Map(lastChainWorkers) };
    const chainWorkers = new Map<string, ChainWorkerView[]>();
    let panels: TopicPanel[] | undefined;
    try {
      const { topics } = await getView(`${chainRest}/allora/localnet/v1/topics`, ChainTopicsView, {
        signal: aborted.signal,
      });
      panels = topics.map(topicPanel);
      const first = lastHeight === undefined || !rounds.size;
      await Promise.all(
        topics.map(async (t) => {
          const limit = first || !rounds.has(t.id) ? options.history : windowOf(t);
          const [workers, recent] = await Promise.all([
            getView(`${chainRest}/allora/localnet/v1/topics/${t.id}/workers`, ChainTopicWorkersView, {
              signal: aborted.signal,
            }),
            getView(`${chainRest}/allora/localnet/v1/topics/${t.id}/rounds?limit=${limit}`, ChainRoundsView, {
              signal: aborted.signal,
            }),
          ]);
          chainWorkers.set(t.id, workers.workers);
          mergeRounds(t.id, recent.rounds);
        }),
      );
      lastHeight = health.height;
      note("chain views", undefined);
    } catch (err) {
      note("chain views", err);
      for (const [topic, list] of lastChainWorkers) chainWorkers.set(topic, list);
    }
    return { ...(panels ? { topics: panels } : {}), chainWorkers };
  };

  const poll = async () => {
    polls++;
    const view: NetworkView = { ...network, server_time: new Date(now()).toISOString() };
    const { health, panel } = await readChain();
    view.chain = panel;
    const newBlock = health !== undefined && health.height !== lastHeight;
    const refreshWorkers = polls % workerEvery === 1 || workerEvery === 1;
    if (refreshWorkers) {
      const views = await Promise.all(options.workers.map(readOwn));
      for (const v of views) own.set(v.name, v);
    }
    // The head and the chain's views change at most once per block; read them then (and when the chain is down,
    // the head still, so its panel stays live).
    if (newBlock || refreshWorkers || health === undefined) {
      const { head, panel: headPanel } = await readHead();
      view.head = headPanel;
      const { topics, chainWorkers } = await readChainViews(health);
      if (topics) view.topics = topics;
      lastChainWorkers = chainWorkers;
      view.workers = buildWorkers(head, chainWorkers);
    }
    network = view;
    const { server_time: _, ...comparable } = view;
    const json = JSON.stringify(comparable);
    if (json !== networkJson) {
      networkJson = json;
      emit({ type: "network", data: view });
    }
  };

  const loop = () => {
    if (stopped) return;
    running = poll()
      .catch((err) => log.error({ code: "INTERNAL", err }, "poll failed"))
      .finally(() => {
        running = undefined;
        const waiters = pollWaiters;
        pollWaiters = [];
        for (const w of waiters) w();
        if (!stopped) timer = setTimeout(loop, options.pollMs);
      });
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      loop();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      aborted.abort("the dashboard is stopping");
      await running;
      listeners.clear();
    },
    snapshot() {
      const all = [...rounds.values()].flatMap((held) => [...held.values()].map((r) => r.view));
      all.sort((a, b) =>
        a.topic_id === b.topic_id ? Number(BigInt(a.nonce) - BigInt(b.nonce)) : Number(a.topic_id) - Number(b.topic_id),
      );
      return {
        network: { ...network, server_time: new Date(now()).toISOString() },
        rounds: all,
        history: options.history,
      };
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    nextPoll() {
      return new Promise((resolve) => pollWaiters.push(resolve));
    },
    async refresh() {
      await running;
      await poll();
    },
  };
}
