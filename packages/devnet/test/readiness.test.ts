import { describe, expect, it } from "vitest";
import { describeNetwork, portOf } from "../src/description.js";
import { sightWorker } from "../src/readiness.js";

const topics = ["allora-topic-1-worker", "allora-topic-2-worker"];

describe("sightWorker: does the head see a worker serving its topics", () => {
  it("is serving when the head lists the peer on every topic", () => {
    const status = { workers: [{ peer_id: "12D3A", subscribed: [...topics, "allora-topic-9-worker"] }] };
    expect(sightWorker(status, "12D3A", topics)).toEqual({ state: "serving" });
  });

  it("names the topics the worker is not subscribed to yet", () => {
    const status = { workers: [{ peer_id: "12D3A", subscribed: ["allora-topic-1-worker"] }] };
    expect(sightWorker(status, "12D3A", topics)).toEqual({ state: "unsubscribed", missing: ["allora-topic-2-worker"] });
  });

  it("is absent when the head does not list the peer, lists no workers, or the peer is unknown", () => {
    const status = { workers: [{ peer_id: "other", subscribed: topics }] };
    expect(sightWorker(status, "12D3A", topics)).toEqual({ state: "absent" });
    expect(sightWorker({}, "12D3A", topics)).toEqual({ state: "absent" });
    expect(sightWorker(status, undefined, topics)).toEqual({ state: "absent" });
  });
});

describe("portOf", () => {
  const network = describeNetwork({ workers: 1 });

  it("gives a node's port for a role", () => {
    expect(portOf(network.node("head"), "rest")).toBe(6000);
    expect(portOf(network.node("worker-1"), "p2p")).toBe(9011);
  });

  it("names the node and the role it lacks", () => {
    expect(() => portOf(network.node("chain"), "p2p")).toThrow('node chain has no port "p2p"');
  });
});
