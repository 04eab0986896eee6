/**
 * The head's side of worker sessions: accepts the channel each worker opens, remembers what it serves, routes
 * roll-call answers to the request that asked and execute results to the request and peer waiting for them. When a
 * session ends, every execute waiting on that worker fails at once, so no request waits out its timeout for a peer
 * that is gone.
 */

import { awaitReply, MessageChannel, type P2pHost } from "@allora/p2p";
import {
  AlloraError,
  type Logger,
  type MsgExecute,
  type MsgExecuteResponse,
  type MsgHeadHello,
  type MsgRollCallResponse,
  type MsgWorkerHello,
  SESSION_PROTOCOL,
} from "@allora/protocol";

/** A worker with an open session. */
export interface WorkerSession {
  peerId: string;
  channel: MessageChannel;
  hello?: MsgWorkerHello;
  openedAt: number;
}

interface PendingExecute {
  resolve(response: MsgExecuteResponse): void;
  reject(err: AlloraError): void;
}

/** Sessions with workers. */
export interface WorkerSessions {
  start(): Promise<void>;
  stop(): Promise<void>;
  get(peerId: string): WorkerSession | undefined;
  all(): WorkerSession[];
  /** Routes roll-call answers for `requestId` to `listener` until the returned function is called. */
  listenRollCall(requestId: string, listener: (peer: string, response: MsgRollCallResponse) => void): () => void;
  /** Sends an execute and resolves with the worker's answer; rejects when the worker goes away or `timeoutMs` passes. */
  execute(peerId: string, message: MsgExecute, timeoutMs: number): Promise<MsgExecuteResponse>;
  /** Stops waiting for a worker's answer to an execute (the worker was not chosen after all). */
  cancel(requestId: string, peerId: string): void;
}

/** Options of {@link createWorkerSessions}. */
export interface WorkerSessionsOptions {
  host: P2pHost;
  logger: Logger;
  headHello: () => MsgHeadHello;
  /** When not empty, the only peers whose sessions are accepted. */
  trustedWorkers?: readonly string[];
  onChange?: () => void;
}

/** Creates the session registry. */
export function createWorkerSessions(options: WorkerSessionsOptions): WorkerSessions {
  const { host, logger } = options;
  const sessions = new Map<string, WorkerSession>();
  const rollCalls = new Map<string, (peer: string, response: MsgRollCallResponse) => void>();
  const pending = new Map<string, PendingExecute>();
  const key = (requestId: string, peer: string) => `${requestId}/${peer}`;
  const trusted = new Set(options.trustedWorkers ?? []);
  const refused = new Set<string>();

  const failPendingOf = (peer: string, reason: string) => {
    for (const [k, p] of pending) {
      if (k.endsWith(`/${peer}`)) {
        pending.delete(k);
        p.reject(new AlloraError("WORKER_DISCONNECTED", reason));
      }
    }
  };

  return {
    async start() {
      await host.handle(
        SESSION_PROTOCOL,
        (stream, connection) => {
          const peer = connection.remotePeer.toString();
          if (trusted.size > 0 && !trusted.has(peer)) {
            if (!refused.has(peer)) {
              refused.add(peer);
              logger.warn(
                { code: "WORKER_UNTRUSTED", worker: peer },
                "refusing a session from a peer not in --trusted-workers",
              );
            }
            stream.abort(new AlloraError("WORKER_UNTRUSTED", `${peer} is not in --trusted-workers`));
            return;
          }
          const session: WorkerSession = {
            peerId: peer,
            openedAt: Date.now(),
            channel: new MessageChannel(
              stream,
              peer,
              {
                accept: ["MsgWorkerHello", "MsgRollCallResponse", "MsgExecuteResponse", "MsgInstallFunctionResponse"],
                logger,
              },
              {
                onMessage: (message) => {
                  switch (message.type) {
                    case "MsgWorkerHello":
                      session.hello = message;
                      logger.info({ worker: peer, topics: message.topics, version: message.version }, "worker joined");
                      session.channel.send(options.headHello());
                      options.onChange?.();
                      break;
                    case "MsgRollCallResponse":
                      rollCalls.get(message.request_id)?.(peer, message);
                      break;
                    case "MsgExecuteResponse": {
                      const waiter = pending.get(key(message.request_id, peer));
                      if (waiter) {
                        pending.delete(key(message.request_id, peer));
                        waiter.resolve(message);
                      }
                      break;
                    }
                    case "MsgInstallFunctionResponse":
                      logger.info({ worker: peer, cid: message.cid, code: message.code }, "worker installed function");
                      break;
                  }
                },
                onClose: (reason) => {
                  if (sessions.get(peer) === session) {
                    sessions.delete(peer);
                    logger.info({ worker: peer, reason: reason?.code }, "worker left");
                    failPendingOf(peer, `worker ${peer} disconnected before answering`);
                    options.onChange?.();
                  }
                },
              },
            ),
          };
          const previous = sessions.get(peer);
          sessions.set(peer, session);
          if (previous) void previous.channel.close();
        },
        { maxInboundStreams: 4 },
      );
      // A dropped connection may not close the stream cleanly; fail waiters as soon as the peer is gone.
      host.addEventListener("peer:disconnect", (evt) => {
        const peer = evt.detail.toString();
        const session = sessions.get(peer);
        if (session) session.channel.abort(new AlloraError("WORKER_DISCONNECTED", `worker ${peer} disconnected`));
        failPendingOf(peer, `worker ${peer} disconnected before answering`);
      });
    },
    async stop() {
      for (const [k, p] of pending) {
        pending.delete(k);
        p.reject(new AlloraError("HEAD_STOPPING", "the head is stopping"));
      }
      await Promise.all([...sessions.values()].map((s) => s.channel.close()));
      sessions.clear();
    },
    get: (peerId) => sessions.get(peerId),
    all: () => [...sessions.values()],
    listenRollCall(requestId, listener) {
      rollCalls.set(requestId, listener);
      return () => rollCalls.delete(requestId);
    },
    cancel(requestId, peerId) {
      const waiter = pending.get(key(requestId, peerId));
      if (!waiter) return;
      pending.delete(key(requestId, peerId));
      waiter.reject(new AlloraError("WORKER_NOT_CHOSEN", `worker ${peerId} was not chosen for ${requestId}`));
    },
    execute(peerId, message, timeoutMs) {
      const session = sessions.get(peerId);
      if (!session || session.channel.isClosed) {
        return Promise.reject(new AlloraError("WORKER_DISCONNECTED", `worker ${peerId} has no open session`));
      }
      const k = key(message.request_id, peerId);
      return awaitReply<MsgExecuteResponse>({
        timeoutMs,
        onTimeout: () => {
          pending.delete(k);
          return new AlloraError("WORKER_NO_ANSWER", `worker ${peerId} did not answer within ${timeoutMs} ms`);
        },
        register: (settler) => {
          pending.set(k, settler);
          try {
            session.channel.send(message);
          } catch (err) {
            pending.delete(k);
            throw err instanceof AlloraError ? err : new AlloraError("WORKER_DISCONNECTED", String(err));
          }
        },
      });
    },
  };
}
