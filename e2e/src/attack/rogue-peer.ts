#!/usr/bin/env node
/**
 * An attacker, as a separate process that speaks only the documented protocol (docs/PROTOCOL.md) with its own key:
 * it is not the network's head and not a worker the head trusts. Specs start it and read its JSON report lines.
 *
 *   rogue-peer.js head-impostor <json>   dials workers and tries to make them run, install or sign its package:
 *     {"workers": [multiaddr], "topic": "1", "marker": "/tmp/x", "gateway": "http://…", "rollCalls": 20}
 *     prints {"event": "report", sessions, fetches, sessionToWorker, …} and exits.
 *   rogue-worker.js rogue-worker <json>  joins a head as a worker that accepts every roll call and never answers:
 *     {"head": multiaddr, "topic": "1", "timeoutMs": 600000, "answer"?: "999999"} (with answer: a forged value)
 *     prints {"event": "joined"} once the head answers its hello, {"event": "execute"} per execute; runs until killed.
 */
import "@allora/service/polyfills";
import { createP2pHost, encodeFrame, MessageChannel, serveFunctionPackages } from "@allora/p2p";
import {
  encodeP2pMessage,
  makeFunctionPackage,
  SESSION_PROTOCOL,
  silentLogger,
  workerTopicName,
} from "@allora/protocol";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { multiaddr } from "@multiformats/multiaddr";

const say = (event: string, fields: Record<string, unknown> = {}) =>
  process.stdout.write(`${JSON.stringify({ event, ...fields })}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function headImpostor(config: {
  workers: string[];
  topic: string;
  marker: string;
  gateway: string;
  rollCalls: number;
}): Promise<void> {
  const host = await createP2pHost({ privateKey: await generateKeyPair("Ed25519"), listen: ["/ip4/127.0.0.1/tcp/0"] });
  const me = host.peerId.toString();
  const topic = workerTopicName(config.topic);
  // The package it wants run: it would leave a marker file and claim a huge inference.
  const pkg = makeFunctionPackage(
    { name: "rogue", version: "1.0.0", kind: "generic", entry: "fn.sh", interpreter: "sh", methods: ["run"] },
    [{ path: "fn.sh", data: new TextEncoder().encode(`touch ${config.marker}; echo '{"infererValue": "999999"}'\n`) }],
  );
  let fetches = 0;
  let sessions = 0;
  await serveFunctionPackages(
    host,
    (cid) => {
      fetches++;
      return cid === pkg.cid ? pkg.bytes : undefined;
    },
    silentLogger,
  );
  // A worker that trusted it would open a session to answer the roll call, then take executes on it.
  await host.handle(SESSION_PROTOCOL, (stream) => {
    sessions++;
    for (const request of ["a", "b"]) {
      stream.send(
        encodeFrame(
          encodeP2pMessage({
            type: "MsgExecute",
            request_id: `rogue-${request}`,
            function_id: pkg.cid,
            method: "run",
            topic,
            parameters: [],
            env_vars: [{ name: "ALLORA_BLOCK_HEIGHT_CURRENT", value: "10" }],
            chain_round: { topic_id: config.topic, block_height: "10" },
            timestamp: new Date().toISOString(),
          }),
        ),
      );
    }
  });
  host.services.pubsub.subscribe(topic);
  const sessionToWorker: string[] = [];
  for (const addr of config.workers) {
    const connection = await host.dial(multiaddr(addr), { signal: AbortSignal.timeout(5000) });
    // Try the other direction too: a session the attacker opens itself, carrying an execute.
    try {
      const stream = await host.dialProtocol(connection.remotePeer, SESSION_PROTOCOL, {
        signal: AbortSignal.timeout(3000),
      });
      stream.send(
        encodeFrame(
          encodeP2pMessage({
            type: "MsgRollCall",
            origin: me,
            function_id: pkg.cid,
            request_id: "x",
            topic,
            consensus: 0,
          }),
        ),
      );
      sessionToWorker.push("opened");
    } catch (err) {
      sessionToWorker.push(`refused: ${(err as Error).name}`);
    }
  }
  const deadline = Date.now() + 10_000;
  while (host.services.pubsub.getSubscribers(topic).length < config.workers.length && Date.now() < deadline) {
    await sleep(50);
  }
  const subscribers = host.services.pubsub.getSubscribers(topic).length;
  for (let i = 0; i < config.rollCalls; i++) {
    await host.services.pubsub.publish(
      topic,
      encodeP2pMessage({
        type: "MsgRollCall",
        origin: me,
        function_id: pkg.cid,
        request_id: `rogue-roll-call-${i}`,
        topic,
        consensus: 0,
      }),
    );
  }
  await host.services.pubsub.publish(
    topic,
    encodeP2pMessage({ type: "MsgInstallFunction", origin: me, cid: pkg.cid, uri: `${config.gateway}/${pkg.cid}` }),
  );
  await sleep(3000);
  say("report", { peer: me, cid: pkg.cid, subscribers, sessions, fetches, sessionToWorker });
  await host.stop();
}

async function rogueWorker(config: { head: string; topic: string; timeoutMs: number; answer?: string }): Promise<void> {
  const host = await createP2pHost({ privateKey: await generateKeyPair("Ed25519"), listen: ["/ip4/127.0.0.1/tcp/0"] });
  const topic = workerTopicName(config.topic);
  host.services.pubsub.subscribe(topic);
  const connection = await host.dial(multiaddr(config.head), { signal: AbortSignal.timeout(5000) });
  const stream = await host.dialProtocol(connection.remotePeer, SESSION_PROTOCOL, {
    signal: AbortSignal.timeout(5000),
  });
  const channel: MessageChannel = new MessageChannel(
    stream,
    connection.remotePeer.toString(),
    { accept: ["MsgHeadHello", "MsgRollCall", "MsgExecute"], logger: silentLogger },
    {
      onMessage: (message) => {
        if (message.type === "MsgHeadHello") say("joined", { peer: host.peerId.toString() });
        else if (message.type === "MsgRollCall") {
          channel.send({
            type: "MsgRollCallResponse",
            code: "202",
            function_id: message.function_id,
            request_id: message.request_id,
          });
        } else if (message.type === "MsgExecute") {
          say("execute", { request: message.request_id });
          // Either never answer (to hold the request), or answer with a forged value.
          if (config.answer !== undefined) {
            channel.send({
              type: "MsgExecuteResponse",
              request_id: message.request_id,
              code: "200",
              result: { stdout: JSON.stringify({ infererValue: config.answer }), stderr: "", exit_code: 0 },
            });
          }
        }
      },
      onClose: (reason) => say("closed", { code: reason?.code ?? null }),
    },
  );
  // Sent raw, so the attacker is not held to the schema its own library would check on the way out.
  stream.send(
    encodeFrame(
      new TextEncoder().encode(
        JSON.stringify({
          type: "MsgWorkerHello",
          version: "0.1.0",
          topics: [topic],
          function_timeout_ms: config.timeoutMs,
          max_concurrency: 64,
        }),
      ),
    ),
  );
  process.on("SIGTERM", () => {
    void Promise.resolve(host.stop()).finally(() => process.exit(0));
  });
  await new Promise(() => undefined);
}

const [mode, json] = process.argv.slice(2);
const config = JSON.parse(json ?? "{}");
if (mode === "head-impostor") await headImpostor(config);
else if (mode === "rogue-worker") await rogueWorker(config);
else {
  process.stderr.write("usage: rogue-peer.js head-impostor|rogue-worker <json>\n");
  process.exitCode = 2;
}
