/**
 * The whole network as containers (chain, head, three workers, three inference servers), started by the container
 * runner from the network description on one Docker network: the guide's curl, a worker container stopped
 * mid-request, and a chain round scored with the containerized workers' inferences.
 */
import { type ContainerNetwork, describeNetwork, startContainerNetwork } from "@allora/devnet";
import { httpCall } from "@allora/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../src/wait.js";
import { EXECUTE, GUIDE_BODY, guideBody, post } from "../support/guide.js";
import { BUILD_TIMEOUT_MS, buildImages, VERSION } from "./support.js";

const network = describeNetwork();
let net: ContainerNetwork;
let headUrl: string;
const workerPeers = new Map<string, string>();

async function getJson<T>(url: string): Promise<T> {
  const res = await httpCall(url, { timeoutMs: 5000 });
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${res.text.slice(0, 200)}`);
  return JSON.parse(res.text) as T;
}

beforeAll(async () => {
  await buildImages();
  net = await startContainerNetwork(network, { version: VERSION });
  headUrl = net.url("head", "rest");
  for (const worker of network.workers()) workerPeers.set(worker.name, await net.peerId(worker.name));
}, BUILD_TIMEOUT_MS + 180_000);

afterAll(async () => {
  await net?.stop();
}, 60_000);

describe("the network in containers", () => {
  it("runs every node in its own container, found by service name, on one network", () => {
    for (const node of network.nodes) {
      const container = net.container(node.name);
      expect(container.getNetworkNames()).toEqual([net.networkName]);
    }
  });

  it("answers the guide's curl with \"200\" and the three containerized workers' results", async () => {
    const { status, body } = await post(headUrl, EXECUTE, GUIDE_BODY);
    expect(status).toBe(200);
    expect(body.code).toBe("200");
    const peers = body.results.flatMap((r: { peers: string[] }) => r.peers);
    expect(new Set(peers)).toEqual(new Set(workerPeers.values()));
    for (const r of body.results) {
      expect(r.result.exit_code).toBe(0);
      expect(JSON.parse(r.result.stdout)).toEqual({ infererValue: expect.stringMatching(/^\d+(\.\d+)?$/) });
    }
    expect(body.cluster.peers).toHaveLength(3);
  });

  it("scores a chain round whose inferences include the three workers", async () => {
    const status = await getJson<{ workers: Array<{ peer_id: string; chain_address?: string }> }>(
      `${headUrl}/api/v1/status`,
    );
    const addresses = [...workerPeers.values()].map((peer) => {
      const address = status.workers.find((w) => w.peer_id === peer)?.chain_address;
      if (!address) throw new Error(`the head's status shows no chain address for worker ${peer}`);
      return address;
    });
    const chainRest = net.url("chain", "rest");
    // Topic 1 opens a round every 5 s and knows its truth 10 s later; registration comes first.
    const round = await waitFor(
      "a scored round of topic 1 with the three workers' inferences",
      async () => {
        const { rounds } = await getJson<{
          rounds: Array<{ nonce: string; status: string; inferences: Array<{ worker: string }> }>;
        }>(`${chainRest}/allora/localnet/v1/topics/1/rounds?limit=10`);
        return rounds.find(
          (r) => r.status === "scored" && addresses.every((a) => r.inferences.some((i) => i.worker === a)),
        );
      },
      120_000,
      1000,
    );
    expect(round.status).toBe("scored");
  }, 150_000);

  it("answers without waiting out the execution timeout when a worker container is stopped mid-request, naming it", async () => {
    // Two more workers on topic 7 (no chain): one answers at once, the other's main.py sleeps 15 s.
    const extra = describeNetwork({
      workers: 5,
      chain: false,
      topics: [{ id: "7", metadata: "e2e", token: "ETH", cadence: 60, lag: 10, window: 4 }],
    });
    const steady = extra.node("worker-4");
    const doomed = extra.node("worker-5");
    await net.startNode(steady, { from: extra, mainPy: 'print(\'{"infererValue": "1"}\')\n' });
    await net.startNode(doomed, {
      from: extra,
      mainPy: 'import time\ntime.sleep(15)\nprint(\'{"infererValue": "2"}\')\n',
    });
    const doomedPeer = await net.peerId(doomed.name);
    await waitFor(
      "the head to see both topic-7 workers",
      async () => {
        const s = await getJson<{ workers: Array<{ subscribed: string[] }> }>(`${headUrl}/api/v1/status`);
        return s.workers.filter((w) => w.subscribed.includes("allora-topic-7-worker")).length === 2;
      },
      30_000,
      200,
    );
    const pending = post(headUrl, EXECUTE, guideBody("7"));
    const doomedHttp = net.url(doomed.name, "http");
    await waitFor(
      "the doomed worker to be running the function",
      async () => (await getJson<{ running: number }>(`${doomedHttp}/status`)).running >= 1,
      10_000,
      50,
    );
    const stoppedAt = performance.now();
    await net.stopNode(doomed.name, 2000);
    const { body } = await pending;
    expect(performance.now() - stoppedAt).toBeLessThan(5000);
    expect(body.code).toBe("206");
    expect(body.message).toContain(doomedPeer);
    expect(body.unanswered_peers).toEqual([doomedPeer]);
    expect(body.failures[doomedPeer].code).toBe("WORKER_DISCONNECTED");
    expect(body.results).toHaveLength(1);
    await net.stopNode(steady.name);
  }, 90_000);
});
