/**
 * The root logger of a node: pino, JSON lines on stdout, every line carrying the node's name, secrets redacted.
 */
import type { Logger } from "@allora/protocol";
import { pino } from "pino";

/** Keys whose values never reach a log line. */
export const REDACTED_KEYS = [
  "mnemonic",
  "privkey",
  "privateKey",
  "private_key",
  "secret",
  "password",
  "authorization",
] as const;

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Node name, on every line as `node`. */
  node: string;
  /** pino level (default `info`). */
  level?: string;
  /** Where lines go (default stdout). */
  destination?: NodeJS.WritableStream;
}

/** A pino root logger; pass `logger.child({ module })` to each module. */
export function createLogger(options: LoggerOptions): Logger & { flush?: () => void } {
  const paths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);
  const instance = pino(
    {
      level: options.level ?? "info",
      base: { node: options.node },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths, censor: "[redacted]" },
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
  return instance as unknown as Logger & { flush?: () => void };
}

/** Fields to log an error with: its code (when it has one), message and stack. */
export function errorFields(err: unknown): Record<string, unknown> {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { code: typeof code === "string" ? code : "INTERNAL", err };
  }
  return { code: "INTERNAL", err: String(err) };
}
