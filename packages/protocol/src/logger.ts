/**
 * The logger interface libraries take injected. It is the subset of pino that the network uses, so a pino
 * logger can be passed as is.
 */

/** A log method: either a message, or structured fields followed by a message. */
export interface LogFn {
  (message: string): void;
  (fields: Record<string, unknown>, message?: string): void;
}

/** A structured logger: levels plus `child` to bind fields (node name, module) to every line. */
export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  /** A logger whose lines all carry `bindings`. */
  child(bindings: Record<string, unknown>): Logger;
}

const noop: LogFn = () => {};

/** A logger that drops everything: the default where a caller passes none. */
export const silentLogger: Logger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
};
