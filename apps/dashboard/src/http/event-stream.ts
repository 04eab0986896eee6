/**
 * The page's live feed (Server-Sent Events): a `snapshot` first (the network and the last rounds from the chain's
 * history), then `network` and `round` events as the collector sees changes, and a comment every 15 s so proxies and
 * idle timeouts keep the stream open. A reconnecting page gets a fresh snapshot.
 */
import type { ServerResponse } from "node:http";
import type { CollectorEvent, NetworkCollector } from "../collector/network-collector.js";

const HEARTBEAT_MS = 15_000;
/** How long the browser waits before reconnecting (the `retry` field). */
const RETRY_MS = 2000;
/** Bytes a stream may have waiting for a client that does not read; past it the stream is closed (it reconnects). */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** Live streams, bounded. */
export interface EventStreams {
  /** Starts streaming to `res`; false when the limit is reached (the caller answers 503). */
  open(res: ServerResponse): boolean;
  readonly count: number;
  closeAll(): void;
}

export function createEventStreams(collector: NetworkCollector, maxStreams: number): EventStreams {
  const open = new Set<ServerResponse>();
  const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
  const send = (text: string) => {
    for (const res of open) {
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        open.delete(res);
        res.destroy();
      } else res.write(text);
    }
  };
  const unsubscribe = collector.subscribe((event: CollectorEvent) => send(frame(event.type, event.data)));
  const heartbeat = setInterval(() => send(": keep-alive\n\n"), HEARTBEAT_MS);
  heartbeat.unref();
  return {
    get count() {
      return open.size;
    },
    open(res) {
      if (open.size >= maxStreams) return false;
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        connection: "keep-alive",
        "x-accel-buffering": "no",
        "x-content-type-options": "nosniff",
      });
      res.write(`retry: ${RETRY_MS}\n\n`);
      res.write(frame("snapshot", collector.snapshot()));
      open.add(res);
      res.on("close", () => open.delete(res));
      return true;
    },
    closeAll() {
      clearInterval(heartbeat);
      unsubscribe();
      for (const res of open) res.end();
      open.clear();
    },
  };
}
