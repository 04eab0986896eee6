import { describe, expect, it } from "vitest";
import type { WorkerSession, WorkerSessions } from "../../src/network/worker-sessions.js";
import { createHeadStatus } from "../../src/status/head-status.js";
import { fakeCatalog } from "../execution/fakes.js";

const str = (s: string) => ({ toString: () => s });

describe("head status", () => {
  it("lists each worker's connections, topics, the ones gossip sees it subscribed to, and its version", () => {
    const host = {
      getMultiaddrs: () => [str("/ip4/127.0.0.1/tcp/9010")],
      getConnections: () => [
        { remotePeer: str("w1"), remoteAddr: str("/ip4/127.0.0.1/tcp/5000") },
        { remotePeer: str("w2"), remoteAddr: str("/ip4/127.0.0.1/tcp/5001") },
      ],
      services: { pubsub: { getSubscribers: (t: string) => (t === "allora-topic-1-worker" ? [str("w1")] : []) } },
    };
    const session = {
      peerId: "w1",
      hello: { topics: ["allora-topic-1-worker", "allora-topic-2-worker"], version: "1.2.3", chain_address: "allo1x" },
    } as unknown as WorkerSession;
    const sessions = { all: () => [session] } as unknown as WorkerSessions;
    const status = createHeadStatus({
      peerId: "head",
      version: "0.1.0",
      host: host as never,
      sessions,
      catalog: fakeCatalog(),
      chain: undefined,
      startedAt: Date.now() - 2000,
    });
    expect(status()).toEqual({
      peer_id: "head",
      addresses: ["/ip4/127.0.0.1/tcp/9010"],
      version: "0.1.0",
      uptime_seconds: 2,
      workers: [
        {
          peer_id: "w1",
          addresses: ["/ip4/127.0.0.1/tcp/5000"],
          topics: ["allora-topic-1-worker", "allora-topic-2-worker"],
          subscribed: ["allora-topic-1-worker"],
          version: "1.2.3",
          chain_address: "allo1x",
        },
      ],
      functions: [{ cid: "bafkreifunction", name: "fn", aliases: ["fn"] }],
    });
  });
});
