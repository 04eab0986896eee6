/**
 * The worker's sessions with heads: one long-lived channel per trusted head (and never one with any other peer),
 * opened by the worker when it connects to a boot node or is roll-called by a head it has no session with. The first frame announces what the worker serves;
 * the head answers with the packages it holds, which the worker prefetches.
 */

import { MessageChannel, type P2pHost } from "@allora/p2p";
import {
  AlloraError,
  errorMessage,
  type Logger,
  type MsgExecute,
  type MsgRollCall,
  type MsgWorkerHello,
  type P2pMessage,
  SESSION_PROTOCOL,
} from "@allora/protocol";
import type { PeerId } from "@libp2p/interface";

/** Callbacks of the links. */
interface HeadLinkHandlers {
  onExecute(message: MsgExecute, channel: MessageChannel): void;
  /** A roll call the head sent on the session (it also publishes it on gossip); its origin is not checked here. */
  onRollCall(message: MsgRollCall, head: PeerId): void;
  onHeadFunctions(head: PeerId, cids: readonly string[]): void;
}

/** Options of {@link createHeadLinks}. */
export interface HeadLinksOptions {
  host: P2pHost;
  hello: () => MsgWorkerHello;
  /** Sessions are opened only with trusted heads. */
  isTrusted: (peer: string) => boolean;
  logger: Logger;
  handlers: HeadLinkHandlers;
}

/** Sessions with heads. */
export interface HeadLinks {
  /** The session with `head`, opening it when there is none. */
  open(head: PeerId): Promise<MessageChannel>;
  /** Heads with an open session. */
  heads(): string[];
  closeAll(): Promise<void>;
}

/** Attempts to open a session with a connected head before the worker waits for the next connection. */
const MAX_OPEN_ATTEMPTS = 8;

/** Creates the links manager. */
export function createHeadLinks(options: HeadLinksOptions): HeadLinks {
  const { host, logger } = options;
  const channels = new Map<string, MessageChannel>();
  const opening = new Map<string, Promise<MessageChannel>>();
  /** Failed attempts in a row, by head. */
  const failures = new Map<string, number>();
  let stopped = false;

  const connect = async (head: PeerId): Promise<MessageChannel> => {
    const key = head.toString();
    const stream = await host.dialProtocol(head, SESSION_PROTOCOL, { signal: AbortSignal.timeout(5000) });
    const channel: MessageChannel = new MessageChannel(
      stream,
      key,
      { accept: ["MsgHeadHello", "MsgExecute", "MsgRollCall"], logger },
      {
        onMessage: (message: P2pMessage) => {
          if (message.type === "MsgExecute") options.handlers.onExecute(message, channel);
          else if (message.type === "MsgRollCall") options.handlers.onRollCall(message, head);
          else if (message.type === "MsgHeadHello" && message.functions)
            options.handlers.onHeadFunctions(head, message.functions);
        },
        onClose: (reason) => {
          if (channels.get(key) === channel) channels.delete(key);
          if (stopped) return;
          logger.info({ head: key, reason: reason?.code }, "session with head closed");
          // Reopen while the head is still connected (the stream may have been reset on its own).
          if (host.getConnections(head).length > 0) {
            setTimeout(() => {
              if (!stopped && !channels.has(key)) void open(head).catch(() => undefined);
            }, 500).unref();
          }
        },
      },
    );
    channel.send(options.hello());
    channels.set(key, channel);
    logger.info({ head: key }, "session with head open");
    return channel;
  };

  const open = (head: PeerId): Promise<MessageChannel> => {
    const key = head.toString();
    if (!options.isTrusted(key)) {
      return Promise.reject(
        new AlloraError("HEAD_UNTRUSTED", `${key} is not a trusted head: this worker opens no session with it`),
      );
    }
    const existing = channels.get(key);
    if (existing && !existing.isClosed) return Promise.resolve(existing);
    let pending = opening.get(key);
    if (!pending) {
      pending = connect(head)
        .then((channel) => {
          failures.delete(key);
          return channel;
        })
        .catch((err) => {
          const attempt = (failures.get(key) ?? 0) + 1;
          failures.set(key, attempt);
          logger.warn(
            { code: "SESSION_OPEN_FAILED", head: key, attempt },
            `cannot open a session with head: ${errorMessage(err)}`,
          );
          // A connection that is up but whose stream was reset (a head restarting) gets its session on a retry.
          if (!stopped && attempt < MAX_OPEN_ATTEMPTS && host.getConnections(head).length > 0) {
            setTimeout(
              () => {
                if (!stopped && !channels.has(key)) void open(head).catch(() => undefined);
              },
              Math.min(5000, 250 * 2 ** attempt),
            ).unref();
          }
          throw err;
        })
        .finally(() => opening.delete(key));
      opening.set(key, pending);
    }
    return pending;
  };

  return {
    open,
    heads: () => [...channels.keys()],
    async closeAll() {
      stopped = true;
      await Promise.all([...channels.values()].map((c) => c.close()));
      channels.clear();
    },
  };
}
