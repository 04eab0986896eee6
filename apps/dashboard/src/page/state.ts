/**
 * What the page knows: the last network view and, per topic, the rounds the server pushed (at most `history`).
 * Pure functions of it give what each panel shows.
 */
import type { ChainRoundView, NetworkView, SnapshotEvent, WorkerPanel } from "../views.js";

/** Colors of workers, in order; chosen to read on light and dark backgrounds alike. */
const WORKER_COLORS = ["#3b82f6", "#f59e0b", "#10b981", "#ec4899", "#8b5cf6", "#06b6d4", "#ef4444", "#84cc16"];

export interface PageState {
  network: NetworkView | undefined;
  rounds: Map<string, Map<string, ChainRoundView>>;
  history: number;
  /** Server clock minus page clock, in ms. */
  clockOffsetMs: number;
}

export function createState(): PageState {
  return { network: undefined, rounds: new Map(), history: 60, clockOffsetMs: 0 };
}

export function applySnapshot(state: PageState, snapshot: SnapshotEvent): void {
  state.history = snapshot.history;
  state.rounds.clear();
  for (const round of snapshot.rounds) applyRound(state, round);
  applyNetwork(state, snapshot.network);
}

export function applyNetwork(state: PageState, network: NetworkView): void {
  state.network = network;
  state.clockOffsetMs = Date.parse(network.server_time) - Date.now();
}

/** Stores a round; returns true when it is new. */
export function applyRound(state: PageState, round: ChainRoundView): boolean {
  let held = state.rounds.get(round.topic_id);
  if (!held) {
    held = new Map();
    state.rounds.set(round.topic_id, held);
  }
  const isNew = !held.has(round.nonce);
  held.set(round.nonce, round);
  if (held.size > state.history) {
    const oldest = [...held.keys()].sort((a, b) => Number(BigInt(a) - BigInt(b)))[0];
    if (oldest !== undefined) held.delete(oldest);
  }
  return isNew;
}

/** A topic's rounds, oldest first. */
export function roundsOf(state: PageState, topicId: string): ChainRoundView[] {
  return [...(state.rounds.get(topicId)?.values() ?? [])].sort((a, b) => Number(BigInt(a.nonce) - BigInt(b.nonce)));
}

/** A worker as the rounds name it (by chain address), with its color. */
export interface WorkerRef {
  key: string;
  name: string;
  color: string;
  panel: WorkerPanel | undefined;
}

/** Every worker known to the network view or seen in a round, in a stable order with stable colors. */
export function workerRefs(state: PageState): WorkerRef[] {
  const refs = new Map<string, WorkerRef>();
  const add = (key: string, name: string, panel: WorkerPanel | undefined) => {
    if (refs.has(key)) return;
    refs.set(key, { key, name, panel, color: WORKER_COLORS[refs.size % WORKER_COLORS.length] as string });
  };
  for (const w of state.network?.workers ?? []) add(w.address ?? w.key, w.name, w);
  for (const held of state.rounds.values()) {
    for (const round of held.values()) {
      for (const w of round.workers)
        add(w.address, `worker ${w.address.slice(0, 10)}…${w.address.slice(-4)}`, undefined);
    }
  }
  return [...refs.values()];
}

/** Seconds on the server's clock. */
export function serverNowSeconds(state: PageState): number {
  return (Date.now() + state.clockOffsetMs) / 1000;
}
