import {
  type AlloraError,
  computeCid,
  makeFunctionPackage,
  type P2pMessage,
  SESSION_PROTOCOL,
  silentLogger,
} from "@allora/protocol";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { multiaddr } from "@multiformats/multiaddr";
import { afterEach, describe, expect, it } from "vitest";
import {
  checkBootNode,
  createBootNodeKeeper,
  createP2pHost,
  encodeFrame,
  fetchFunctionPackage,
  MessageChannel,
  type P2pHost,
  serveFunctionPackages,
} from "../src/index.js";

const hosts: P2pHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
});

async function host(port = 0): Promise<P2pHost> {
  const h = await createP2pHost({
    privateKey: await generateKeyPair("Ed25519"),
    listen: [`/ip4/127.0.0.1/tcp/${port}`],
  });
  hosts.push(h);
  return h;
}

function tcpAddr(h: P2pHost): string {
  const addr = h.getMultiaddrs()[0]!.toString();
  return addr.slice(0, addr.indexOf("/p2p/"));
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("p2p hosts", () => {
  it("dial a boot node without /p2p/<id> and learn the id in the handshake", async () => {
    const head = await host();
    const worker = await host();
    const conn = await worker.dial(multiaddr(tcpAddr(head)));
    expect(conn.remotePeer.toString()).toBe(head.peerId.toString());
  });

  it("see each other's gossip subscriptions and deliver roll calls", async () => {
    const head = await host();
    const worker = await host();
    worker.services.pubsub.subscribe("allora-topic-1-worker");
    await worker.dial(multiaddr(tcpAddr(head)));
    await until(() => head.services.pubsub.getSubscribers("allora-topic-1-worker").length === 1);
    const received = new Promise<string>((resolve) =>
      worker.services.pubsub.addEventListener("message", (evt) => resolve(new TextDecoder().decode(evt.detail.data))),
    );
    await head.services.pubsub.publish("allora-topic-1-worker", new TextEncoder().encode("roll"));
    expect(await received).toBe("roll");
  });

  it("exchange validated messages on a session channel and end it on a bad frame", async () => {
    const head = await host();
    const worker = await host();
    const got: P2pMessage[] = [];
    let serverClosed: AlloraError | undefined | "open" = "open";
    await head.handle(SESSION_PROTOCOL, (stream, connection) => {
      const channel = new MessageChannel(
        stream,
        connection.remotePeer.toString(),
        { accept: ["MsgWorkerHello"], logger: silentLogger },
        {
          onMessage: (m) => {
            got.push(m);
            channel.send({ type: "MsgHeadHello", version: "9" });
          },
          onClose: (reason) => {
            serverClosed = reason;
          },
        },
      );
    });
    const stream = await worker.dialProtocol(multiaddr(tcpAddr(head)), SESSION_PROTOCOL);
    const replies: P2pMessage[] = [];
    let clientClosed = false;
    const client = new MessageChannel(
      stream,
      head.peerId.toString(),
      { accept: ["MsgHeadHello"], logger: silentLogger },
      { onMessage: (m) => replies.push(m), onClose: () => (clientClosed = true) },
    );
    client.send({
      type: "MsgWorkerHello",
      version: "1",
      topics: ["allora-topic-1-worker"],
      function_timeout_ms: 1,
      max_concurrency: 1,
    });
    await until(() => replies.length === 1);
    expect(got[0]).toMatchObject({ type: "MsgWorkerHello", topics: ["allora-topic-1-worker"] });
    expect(replies[0]).toEqual({ type: "MsgHeadHello", version: "9" });

    // A message the head does not accept on this channel ends it, on both sides.
    stream.send(encodeFrame(new TextEncoder().encode('{"type":"MsgExecute"}')));
    await until(() => serverClosed !== "open" && clientClosed);
    expect((serverClosed as unknown as AlloraError).code).toBe("P2P_MESSAGE_UNKNOWN_TYPE");
  });

  it("fails pending work at once when the remote process goes away", async () => {
    const head = await host();
    const worker = await host();
    let closed = false;
    await head.handle(SESSION_PROTOCOL, () => {});
    const stream = await worker.dialProtocol(multiaddr(tcpAddr(head)), SESSION_PROTOCOL);
    new MessageChannel(
      stream,
      "head",
      { accept: [], logger: silentLogger },
      { onMessage: () => {}, onClose: () => (closed = true) },
    );
    const started = Date.now();
    await head.stop();
    await until(() => closed, 5000);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("transfer a function package by CID, verified, and refuse what the peer does not have", async () => {
    const head = await host();
    const worker = await host();
    const pkg = makeFunctionPackage(
      { name: "big", version: "1", kind: "generic", entry: "a.py", interpreter: "python3", methods: ["m"] },
      [{ path: "a.py", data: new Uint8Array(300_000).fill(65) }],
    );
    await serveFunctionPackages(head, (cid) => (cid === pkg.cid ? pkg.bytes : undefined), silentLogger);
    await worker.dial(multiaddr(tcpAddr(head)));
    const bytes = await fetchFunctionPackage(worker, head.peerId, pkg.cid);
    expect(computeCid(bytes)).toBe(pkg.cid);
    await expect(fetchFunctionPackage(worker, head.peerId, computeCid(new Uint8Array([1])))).rejects.toMatchObject({
      code: "FUNCTION_FETCH_FAILED",
    });
  });

  it("keeps boot nodes connected and redials after the head comes back on the same key", async () => {
    const key = await generateKeyPair("Ed25519");
    let head = await createP2pHost({ privateKey: key, listen: ["/ip4/127.0.0.1/tcp/0"] });
    const addr = tcpAddr(head);
    const port = Number(addr.split("/")[4]);
    const worker = await host();
    const keeper = createBootNodeKeeper({
      host: worker,
      bootNodes: [multiaddr(addr)],
      logger: silentLogger,
      minBackoffMs: 50,
      maxBackoffMs: 200,
    });
    keeper.start();
    await until(() => keeper.connected().length === 1);
    await head.stop();
    await until(() => keeper.connected().length === 0);
    head = await createP2pHost({ privateKey: key, listen: [`/ip4/127.0.0.1/tcp/${port}`] });
    hosts.push(head);
    await until(() => keeper.connected().length === 1);
    expect(keeper.connected()[0]?.peer).toBe(head.peerId.toString());
    keeper.stop();
  });

  it("explains bad boot node strings", () => {
    expect(checkBootNode("/dns4/head/tcp/9010")).toBeUndefined();
    expect(
      checkBootNode("/ip4/127.0.0.1/tcp/9010/p2p/12D3KooWH9GerdSEroL2nqjpd2GuE5dwmqNi7uHX7FoywBdKcP4q"),
    ).toBeUndefined();
    expect(checkBootNode("head:9010")).toMatch(/not a multiaddr/);
    expect(checkBootNode("/ip4/127.0.0.1")).toMatch(/no \/tcp/);
  });
});
