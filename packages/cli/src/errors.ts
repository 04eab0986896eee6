/**
 * The CLI's errors and exit codes. Every failure a user can cause or fix is a {@link CliError}: it prints as one
 * message (plus a hint) without a stack trace, and maps to an exit code scripts can branch on.
 */
import { AlloraError } from "@allora/protocol";

/** Exit codes of every command (documented in docs/CLI.md). */
export const ExitCode = {
  /** The command did what it was asked. */
  OK: 0,
  /** The command ran and failed (network unreachable, main.py broken, worker not registered, …). */
  FAILURE: 1,
  /** The command line itself is wrong (unknown flag, bad value, missing argument); nothing was done. */
  USAGE: 2,
} as const;

/** One of {@link ExitCode}. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Error codes of the CLI, with what each means. */
export const CliErrorCodes = {
  USAGE_UNKNOWN_COMMAND: "No command of that name.",
  USAGE_UNKNOWN_FLAG: "A flag the command does not take.",
  USAGE_BAD_VALUE: "A flag or argument has a value of the wrong form (topic id, URL, multiaddr, port, …).",
  USAGE_MISSING: "A required flag or argument is missing.",
  CONFIG_MISSING: "No config.yaml where the command looked for the project.",
  CONFIG_INVALID: "config.yaml does not parse or does not match the schema; every problem is listed.",
  PROJECT_CONFLICT: "init was asked for something that contradicts the existing project.",
  KEYS_CONFLICT: "Existing keys differ from the ones to import; --force replaces them.",
  KEYS_INVALID: "A key folder or mnemonic does not load or is not valid.",
  HEAD_UNREACHABLE: "The head's REST API did not answer.",
  CHAIN_UNREACHABLE: "The chain's REST API did not answer.",
  DOCKER_UNAVAILABLE: "The Docker engine or compose is not available.",
  DOCKER_FAILED: "A docker or compose command failed.",
  WAIT_TIMEOUT: "Something waited for did not happen in time.",
  FAUCET_FAILED: "The faucet refused or did not fund the account.",
  PORTS_TAKEN: "A port the native network listens on is held by another process (named when it can be found).",
  NETWORK_RUNNING: "This project's native network already runs (another `allocmd run --native`).",
  NODE_START_FAILED: "A node of the native network exited or was not healthy in time (its log has why).",
  MAIN_PY_FAILED: "main.py failed on its first run in the native network, so the worker would answer nothing.",
  PYTHON_MISSING: "python3 (the interpreter that runs main.py) is not installed or does not start.",
} as const;

/** One CLI error code. */
export type CliErrorCode = keyof typeof CliErrorCodes;

/** A failure to report to the user: a message, an optional hint saying what to do, and an exit code. */
export class CliError extends AlloraError<CliErrorCode> {
  override readonly name = "CliError";
  readonly exitCode: ExitCodeValue;
  readonly hint: string | undefined;

  constructor(
    code: CliErrorCode,
    message: string,
    options: { hint?: string; exitCode?: ExitCodeValue; cause?: unknown } = {},
  ) {
    super(code, message, options.cause === undefined ? {} : { cause: options.cause });
    this.exitCode = options.exitCode ?? (code.startsWith("USAGE_") ? ExitCode.USAGE : ExitCode.FAILURE);
    this.hint = options.hint;
  }
}

/** A usage error (exit code 2). */
export function usageError(code: CliErrorCode & `USAGE_${string}`, message: string, hint?: string): CliError {
  return new CliError(code, message, { exitCode: ExitCode.USAGE, ...(hint ? { hint } : {}) });
}
