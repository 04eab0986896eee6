/**
 * `GET /api/v1/status`: who the head is, the workers it holds sessions with (their addresses, topics and whether
 * gossip sees them subscribed), the functions it serves and its chain submissions.
 */
import type { P2pHost } from "@allora/p2p";
import type { StatusResponse } from "@allora/protocol";
import type { HeadChain } from "../chain/head-chain.js";
import type { FunctionCatalog } from "../functions/function-catalog.js";
import type { WorkerSession, WorkerSessions } from "../network/worker-sessions.js";

/** What the status reads. */
export interface HeadStatusSources {
  peerId: string;
  version: string;
  host: P2pHost;
  sessions: WorkerSessions;
  catalog: FunctionCatalog;
  chain: HeadChain | undefined;
  /** When the head started (ms since the epoch). */
  startedAt: number;
}

/** Creates the status reader. */
export function createHeadStatus(sources: HeadStatusSources): () => StatusResponse {
  const { host, sessions, catalog, chain } = sources;
  return () => ({
    peer_id: sources.peerId,
    addresses: host.getMultiaddrs().map((a) => a.toString()),
    version: sources.version,
    uptime_seconds: Math.round((Date.now() - sources.startedAt) / 1000),
    workers: sessions.all().map((s) => workerStatusOf(s, host)),
    functions: catalog.list(),
    ...(chain ? { chain: chain.status() } : {}),
  });
}

/** One worker as the status shows it. */
function workerStatusOf(session: WorkerSession, host: P2pHost): StatusResponse["workers"][number] {
  const topics = session.hello?.topics ?? [];
  const peer = session.peerId;
  return {
    peer_id: peer,
    addresses: host
      .getConnections()
      .filter((c) => c.remotePeer.toString() === peer)
      .map((c) => c.remoteAddr.toString()),
    topics,
    subscribed: topics.filter((t) => host.services.pubsub.getSubscribers(t).some((p) => p.toString() === peer)),
    ...(session.hello?.version ? { version: session.hello.version } : {}),
    ...(session.hello?.chain_address ? { chain_address: session.hello.chain_address } : {}),
  };
}
