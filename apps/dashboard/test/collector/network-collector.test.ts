import { createServer, type Server } from "node:http";
import { silentLogger } from "@allora/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { type CollectorEvent, createNetworkCollector } from "../../src/collector/network-collector.js";

const W1 = { address: "allo1aaaa", peer: "12D3KooWpeer1" };
const W2 = { address: "allo1bbbb", peer: "12D3KooWpeer2" };
const STRANGER = { address: "allo1cccc", peer: "12D3KooWpeer3" };

/** Every upstream the collector reads, on one server, with answers the test changes as it goes. */
function fixtures() {
  const state = {
    height: 10,
    chainBody: undefined as string | undefined,
    rounds: [] as unknown[],
  };
  const round = (nonce: number, status: "open" | "scored") => ({
    topic_id: "1",
    nonce: String(nonce),
    status,
    opened_at: new Date(nonce * 1000).toISOString(),
    closes_at: new Date(nonce * 1000 + 4000).toISOString(),
    truth_at: new Date(nonce * 1000 + 10_000).toISOString(),
    truth: status === "scored" ? "100.5" : null,
    network_inference: "100.1",
    naive_inference: "100",
    network_loss: null,
    reward_total: status === "scored" ? "1000000" : null,
    inferences: [{ worker: W1.address, value: "100.2", height: "9", tx_hash: "AB" }],
    workers: [
      {
        address: W1.address,
        value: "100.2",
        weight: "1",
        loss: status === "scored" ? "0.09" : null,
        score: status === "scored" ? "0.5" : null,
        ema_score: status === "scored" ? "0.4" : null,
        reward: status === "scored" ? "600000" : null,
      },
    ],
  });
  const routes: Record<string, () => unknown> = {
    "/allora/localnet/v1/health": () => ({
      status: "ok",
      chain_id: "allora-localnet-1",
      height: String(state.height),
      latest_block_time: new Date(state.height * 1000).toISOString(),
      block_time_ms: "1000",
      mempool_txs: "0",
    }),
    "/allora/localnet/v1/topics": () => ({
      topics: [
        {
          id: "1",
          creator: "allo1faucet",
          metadata: "ETH price in 10 s",
          default_arg: "ETH",
          inference_cadence: "5",
          ground_truth_lag: "10",
          submission_window: "4",
          workers: "3",
          last_round_nonce: "9",
          last_round_opened_at: new Date(9000).toISOString(),
          rounds_scored: "1",
        },
      ],
    }),
    "/allora/localnet/v1/topics/1/workers": () => ({
      topic_id: "1",
      workers: [W1, W2, STRANGER].map((w, i) => ({
        address: w.address,
        lib_p2p_key: w.peer,
        multi_address: "",
        owner: w.address,
        latest_value: null,
        latest_score: null,
        ema_score: i === 0 ? "0.4" : null,
        rounds_scored: "1",
        cumulative_reward: String((i + 1) * 1_000_000),
        balance: "5000000",
      })),
    }),
    "/allora/localnet/v1/topics/1/rounds": () => ({ topic_id: "1", rounds: state.rounds }),
    "/api/v1/status": () => ({
      peer_id: "12D3KooWhead",
      addresses: ["/ip4/127.0.0.1/tcp/9010"],
      version: "0.1.0",
      uptime_seconds: 12,
      workers: [
        {
          peer_id: W1.peer,
          addresses: [],
          topics: [],
          subscribed: ["allora-topic-1-worker"],
          chain_address: W1.address,
        },
      ],
      functions: [],
    }),
    "/w1/status": () => ({
      name: "worker-1",
      version: "0.1.0",
      peer_id: W1.peer,
      topics: ["1"],
      chain: { address: W1.address },
    }),
    "/w2/status": () => ({
      name: "worker-2",
      version: "0.1.0",
      peer_id: W2.peer,
      topics: ["1"],
      chain: { address: W2.address },
    }),
    "/m1/health": () => ({ status: "ok", model: "trend" }),
  };
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0] as string;
    if (path === "/allora/localnet/v1/health" && state.chainBody !== undefined) {
      res.writeHead(200, { "content-type": "application/json" }).end(state.chainBody);
      return;
    }
    const route = routes[path];
    if (!route) {
      res.writeHead(404).end("{}");
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(route()));
  });
  return { state, server, round };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setUp() {
  const f = fixtures();
  await new Promise<void>((r) => f.server.listen(0, "127.0.0.1", r));
  cleanups.push(() => new Promise<void>((r) => f.server.close(() => r())));
  const base = `http://127.0.0.1:${(f.server.address() as { port: number }).port}`;
  const collector = createNetworkCollector({
    chainRest: base,
    headUrl: base,
    workers: [
      { name: "worker-1", statusUrl: `${base}/w1`, inferenceUrl: `${base}/m1` },
      { name: "worker-2", statusUrl: `${base}/w2` },
    ],
    history: 3,
    pollMs: 60_000,
    version: "9.9.9",
    logger: silentLogger,
    workerEvery: 1,
  });
  cleanups.push(() => collector.stop());
  const events: CollectorEvent[] = [];
  collector.subscribe((e) => events.push(e));
  const poll = () => collector.refresh();
  return { f, collector, events, poll, base };
}

describe("the network collector", () => {
  it("joins each worker's own status, the head's view and the chain's into one row per worker", async () => {
    const { f, collector, poll } = await setUp();
    f.state.rounds = [f.round(9, "scored")];
    await poll();
    const { network } = collector.snapshot();
    expect(network.chain).toMatchObject({
      reachable: true,
      chain_id: "allora-localnet-1",
      height: "10",
      block_time_ms: 1000,
    });
    expect(network.head).toMatchObject({ reachable: true, peer_id: "12D3KooWhead", workers_connected: 1 });
    expect(network.workers.map((w) => [w.name, w.peer_id, w.configured])).toEqual([
      ["worker-1", W1.peer, true],
      ["worker-2", W2.peer, true],
      [`worker ${STRANGER.address}`, STRANGER.peer, false],
    ]);
    const [w1, w2] = network.workers;
    expect(w1).toMatchObject({
      model: "trend",
      connected: true,
      subscribed: ["1"],
      registered: ["1"],
      balance: "5000000",
      cumulative_reward: "1000000",
    });
    expect(w1?.standing["1"]).toMatchObject({ ema_score: "0.4", rounds_scored: "1" });
    expect(w2).toMatchObject({ connected: false, registered: ["1"], cumulative_reward: "2000000" });
    expect(w2?.model).toBeUndefined();
    expect(network.topics[0]).toMatchObject({
      id: "1",
      cadence_seconds: 5,
      next_round_at: new Date(14_000).toISOString(),
    });
  });

  it("emits a round when it is new or changed, once, and keeps only the last `history` rounds", async () => {
    const { f, collector, events, poll } = await setUp();
    f.state.rounds = [f.round(9, "open")];
    await poll();
    expect(events.filter((e) => e.type === "round").map((e) => e.data.nonce)).toEqual(["9"]);
    events.length = 0;
    await poll();
    expect(events).toEqual([]); // same height, nothing changed: nothing pushed
    f.state.height++;
    f.state.rounds = [f.round(9, "scored"), f.round(10, "open"), f.round(11, "open"), f.round(12, "open")];
    await poll();
    const rounds = events.filter((e) => e.type === "round");
    expect(rounds.map((e) => [e.data.nonce, e.data.status])).toEqual([
      ["9", "scored"],
      ["10", "open"],
      ["11", "open"],
      ["12", "open"],
    ]);
    expect(collector.snapshot().rounds.map((r) => r.nonce)).toEqual(["10", "11", "12"]);
    // Only what the dashboard defines reaches the page (the chain's extra fields are dropped).
    expect(collector.snapshot().rounds[0]).not.toHaveProperty("inferences");
    expect(collector.snapshot().rounds[0]?.workers[0]).not.toHaveProperty("weight");
  });

  it("reports a chain that answers garbage as unreachable with a code, and keeps the last standing", async () => {
    const { f, collector, poll } = await setUp();
    await poll();
    f.state.chainBody = JSON.stringify({ status: "ok", height: 12 });
    await poll();
    const { network } = collector.snapshot();
    expect(network.chain.reachable).toBe(false);
    expect(network.chain.error).toMatchObject({
      code: "UPSTREAM_INVALID",
      message: expect.stringContaining("/chain_id"),
    });
    expect(network.workers[0]?.registered).toEqual(["1"]);
    f.state.chainBody = "<html>";
    await poll();
    expect(collector.snapshot().network.chain.error?.code).toBe("UPSTREAM_INVALID");
    f.state.chainBody = undefined;
    await poll();
    expect(collector.snapshot().network.chain).toMatchObject({ reachable: true });
  });

  it("reports an unreachable head with a code while the chain's views go on", async () => {
    const { collector } = await setUp();
    const down = createNetworkCollector({
      chainRest: "http://127.0.0.1:1",
      headUrl: "http://127.0.0.1:1",
      workers: [],
      history: 3,
      pollMs: 60_000,
      version: "0",
      logger: silentLogger,
    });
    cleanups.push(() => down.stop());
    const done = down.nextPoll();
    down.start();
    await done;
    // start() polls at once; nextPoll() resolved when that first poll completed.
    expect(down.snapshot().network.head).toMatchObject({ reachable: false, error: { code: "UPSTREAM_UNREACHABLE" } });
    expect(down.snapshot().network.chain).toMatchObject({ reachable: false, error: { code: "UPSTREAM_UNREACHABLE" } });
    expect(collector.snapshot().network.version).toBe("9.9.9");
  });
});

describe("stopping the collector", () => {
  it("does not wait out an upstream that hangs", async () => {
    const hanging = createServer(() => {
      // never answers
    });
    await new Promise<void>((r) => hanging.listen(0, "127.0.0.1", r));
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          hanging.closeAllConnections();
          hanging.close(() => r());
        }),
    );
    const url = `http://127.0.0.1:${(hanging.address() as { port: number }).port}`;
    const collector = createNetworkCollector({
      chainRest: url,
      headUrl: url,
      workers: [{ name: "worker-1", statusUrl: url }],
      history: 3,
      pollMs: 60_000,
      version: "0",
      logger: silentLogger,
    });
    collector.start();
    await new Promise((r) => setTimeout(r, 100)); // the first poll is waiting on the hanging server
    const begun = performance.now();
    await collector.stop();
    expect(performance.now() - begun).toBeLessThan(500);
  });
});
