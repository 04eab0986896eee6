/** Stand-ins for the catalog and the worker sessions, so the execute flow runs without libp2p. */
import type { MsgExecute, MsgExecuteResponse, MsgRollCallResponse, MsgWorkerHello } from "@allora/protocol";
import type { FunctionCatalog } from "../../src/functions/function-catalog.js";
import type { WorkerSession, WorkerSessions } from "../../src/network/worker-sessions.js";

export const CID = "bafkreifunction";

/** A catalog serving one function `fn` (methods `run`, `echo`) under the alias `fn`. */
export function fakeCatalog(): FunctionCatalog {
  const served = { cid: CID, name: "fn", methods: ["run", "echo"], bytes: new Uint8Array() };
  return {
    get: (cid) => (cid === CID ? served : undefined),
    resolve: (id) => (id === "fn" ? CID : id),
    list: () => [{ cid: CID, name: "fn", aliases: ["fn"] }],
  };
}

/** How a fake worker behaves. */
export interface FakeWorker {
  /** Its roll-call answer; none: it stays silent. */
  rollCall?: Pick<MsgRollCallResponse, "code" | "error_code" | "message">;
  /** Its execute answer, or an error thrown for it. */
  execute?: Partial<MsgExecuteResponse> | Error;
  hello?: Partial<MsgWorkerHello>;
  /** Whether it has an open session (default true). */
  session?: boolean;
}

/** Sessions whose workers answer as `workers` says, recording what they were sent. */
export function fakeSessions(workers: Record<string, FakeWorker>) {
  const sent: Array<{ peer: string; type: string }> = [];
  const executes: Array<{ peer: string; message: MsgExecute; timeoutMs: number }> = [];
  const cancelled: string[] = [];
  /** Request ids of the roll calls published on gossip. */
  const published: string[] = [];
  const listeners = new Map<string, (peer: string, response: MsgRollCallResponse) => void>();
  const answer = (peer: string, requestId: string, functionId: string) => {
    const w = workers[peer];
    if (!w?.rollCall) return;
    const response = { type: "MsgRollCallResponse", request_id: requestId, function_id: functionId, ...w.rollCall };
    setTimeout(() => listeners.get(requestId)?.(peer, response as MsgRollCallResponse), 1);
  };
  const session = (peer: string): WorkerSession | undefined => {
    const w = workers[peer];
    if (!w || w.session === false) return undefined;
    return {
      peerId: peer,
      openedAt: 0,
      hello: { type: "MsgWorkerHello", topics: ["allora-topic-1-worker"], ...w.hello } as MsgWorkerHello,
      channel: {
        isClosed: false,
        send: (message: { type: string; request_id: string; function_id: string }) => {
          sent.push({ peer, type: message.type });
          answer(peer, message.request_id, message.function_id);
        },
      },
    } as unknown as WorkerSession;
  };
  const sessions: WorkerSessions = {
    start: async () => {},
    stop: async () => {},
    get: session,
    all: () => Object.keys(workers).flatMap((p) => session(p) ?? []),
    listenRollCall(requestId, listener) {
      listeners.set(requestId, listener);
      return () => listeners.delete(requestId);
    },
    async execute(peer, message, timeoutMs) {
      executes.push({ peer, message, timeoutMs });
      const e = workers[peer]?.execute;
      if (e instanceof Error) throw e;
      return { type: "MsgExecuteResponse", request_id: message.request_id, code: "200", ...e } as MsgExecuteResponse;
    },
    cancel: (_requestId, peer) => cancelled.push(peer),
  };
  /** Gossip: every worker without a session answers the published copy. */
  const publish = async (_topic: string, bytes: Uint8Array) => {
    const msg = JSON.parse(new TextDecoder().decode(bytes)) as { request_id: string; function_id: string };
    published.push(msg.request_id);
    for (const peer of Object.keys(workers))
      if (workers[peer]?.session === false) answer(peer, msg.request_id, msg.function_id);
  };
  return { sessions, publish, sent, executes, cancelled, published };
}

/** A host whose topic subscribers are `peers` (all connected), publishing through `publish`. */
export function fakeHost(peers: readonly string[], publish: (topic: string, bytes: Uint8Array) => Promise<unknown>) {
  return {
    peerId: { toString: () => "12D3KooWhead" },
    getConnections: () => [{}],
    services: {
      pubsub: {
        getSubscribers: () => peers.map((p) => ({ toString: () => p })),
        publish: async (topic: string, bytes: Uint8Array) => {
          await publish(topic, bytes);
          return { recipients: [] };
        },
      },
    },
  } as never;
}
