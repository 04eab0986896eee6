/**
 * Environment variables a request may not set for a function: they steer the interpreter, the loader or the
 * runner itself, so the worker sets them (or keeps them out).
 */

const RESERVED =
  /^(PATH|HOME|TMPDIR|SHELL|IFS|LD_[A-Z0-9_]*|DYLD_[A-Z0-9_]*|PYTHON[A-Z0-9_]*|NODE_OPTIONS|NODE_PATH|ALLORA_MAIN_PY|ALLORA_PYTHON|ALLORA_PARENT_PID)$/;

/**
 * True when a request may not set `name` (PATH, HOME, TMPDIR, LD_*, PYTHON*, NODE_OPTIONS, ALLORA_MAIN_PY, …).
 *
 * @example
 * ```ts
 * isReservedEnvName("LD_PRELOAD")        // true
 * isReservedEnvName("ALLORA_ARG_PARAMS") // false
 * ```
 */
export function isReservedEnvName(name: string): boolean {
  return RESERVED.test(name);
}
