/**
 * Bounds on the HTTP server itself, beyond what fastify's options set: how long the headers of a request may take,
 * and how many connections may be open at once (more are refused by the kernel-side accept and closed at once).
 */
import type { Server } from "node:http";

/** Options of {@link limitServer}. */
export interface ServerLimits {
  maxConnections: number;
  /** Milliseconds to receive a request's headers (default 5000; slowloris guard). */
  headersTimeoutMs?: number;
}

export function limitServer(server: Server, limits: ServerLimits): void {
  server.maxConnections = limits.maxConnections;
  server.headersTimeout = limits.headersTimeoutMs ?? 5000;
}
