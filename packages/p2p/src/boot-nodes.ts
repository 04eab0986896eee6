/**
 * Boot nodes: parsing (the `/p2p/<id>` part is optional: the id is learned in the handshake) and a keeper that keeps
 * this host connected to each of them, redialling with capped exponential backoff when one goes away.
 */
import { AlloraError, checkBootNode, type Logger } from "@allora/protocol";
import type { PeerId } from "@libp2p/interface";
import { type Multiaddr, multiaddr } from "@multiformats/multiaddr";

export { checkBootNode };

import type { P2pHost } from "./host.js";

/** Parses boot node strings, throwing `BOOT_NODE_INVALID` naming the first bad one. */
export function parseBootNodes(values: readonly string[]): Multiaddr[] {
  return values.map((value) => {
    const problem = checkBootNode(value);
    if (problem) throw new AlloraError("BOOT_NODE_INVALID", problem);
    return multiaddr(value);
  });
}

/** Options of {@link createBootNodeKeeper}. */
export interface BootNodeKeeperOptions {
  host: P2pHost;
  bootNodes: readonly Multiaddr[];
  logger: Logger;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  dialTimeoutMs?: number;
  /** Called each time a boot node connection is (re)established. */
  onConnected?: (peer: PeerId, addr: Multiaddr) => void;
}

/** Keeps the host connected to its boot nodes. */
export interface BootNodeKeeper {
  start(): void;
  stop(): void;
  /** Boot nodes currently connected, with their learned peer ids. */
  connected(): Array<{ addr: string; peer: string }>;
}

interface Entry {
  addr: Multiaddr;
  peer?: PeerId;
  attempts: number;
  timer?: ReturnType<typeof setTimeout>;
  dialing: boolean;
}

/** Creates a keeper; call `start()` once the host is started. */
export function createBootNodeKeeper(options: BootNodeKeeperOptions): BootNodeKeeper {
  const { host, logger } = options;
  const minBackoff = options.minBackoffMs ?? 250;
  const maxBackoff = options.maxBackoffMs ?? 5000;
  const dialTimeout = options.dialTimeoutMs ?? 5000;
  const entries: Entry[] = options.bootNodes.map((addr) => ({ addr, attempts: 0, dialing: false }));
  let running = false;

  const schedule = (entry: Entry, delayMs: number) => {
    if (!running || entry.timer || entry.dialing) return;
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      void dial(entry);
    }, delayMs);
  };

  const dial = async (entry: Entry) => {
    if (!running || entry.dialing) return;
    if (entry.peer && host.getConnections(entry.peer).length > 0) return;
    entry.dialing = true;
    try {
      const connection = await host.dial(entry.addr, { signal: AbortSignal.timeout(dialTimeout) });
      entry.peer = connection.remotePeer;
      if (entry.attempts > 0)
        logger.info({ boot: entry.addr.toString(), peer: entry.peer.toString() }, "reconnected to boot node");
      else logger.info({ boot: entry.addr.toString(), peer: entry.peer.toString() }, "connected to boot node");
      entry.attempts = 0;
      options.onConnected?.(connection.remotePeer, entry.addr);
    } catch (err) {
      entry.attempts++;
      const delay = Math.min(maxBackoff, minBackoff * 2 ** Math.min(entry.attempts - 1, 10));
      const jittered = Math.round(delay * (0.8 + Math.random() * 0.4));
      const fields = {
        code: "BOOT_NODE_UNREACHABLE",
        boot: entry.addr.toString(),
        attempt: entry.attempts,
        retryInMs: jittered,
      };
      // First failure and then every tenth: enough to see the problem without flooding the log.
      if (entry.attempts === 1 || entry.attempts % 10 === 0) {
        logger.warn(fields, `boot node unreachable (${(err as Error).message}); retrying`);
      } else logger.debug(fields, "boot node still unreachable");
      entry.dialing = false;
      schedule(entry, jittered);
      return;
    }
    entry.dialing = false;
  };

  const onDisconnect = (evt: CustomEvent<PeerId>) => {
    for (const entry of entries) {
      if (entry.peer?.equals(evt.detail)) {
        logger.warn(
          { code: "BOOT_NODE_DISCONNECTED", boot: entry.addr.toString() },
          "boot node disconnected; redialling",
        );
        schedule(entry, minBackoff);
      }
    }
  };

  return {
    start() {
      if (running) return;
      running = true;
      host.addEventListener("peer:disconnect", onDisconnect);
      for (const entry of entries) void dial(entry);
    },
    stop() {
      running = false;
      host.removeEventListener("peer:disconnect", onDisconnect);
      for (const entry of entries) {
        if (entry.timer) clearTimeout(entry.timer);
        entry.timer = undefined;
      }
    },
    connected() {
      return entries
        .filter((e) => e.peer && host.getConnections(e.peer).length > 0)
        .map((e) => ({ addr: e.addr.toString(), peer: e.peer!.toString() }));
    },
  };
}
