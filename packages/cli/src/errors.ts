/**
 * The CLI's errors and exit codes. Every failure a user can cause or fix is a {@link CliError}: it prints as one
 * message (plus a hint) without a stack trace, and maps to an exit code scripts can branch on.
 */
import { AlloraError, CliErrorCodes } from "@allora/protocol/errors";

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

/** Error codes of the CLI, with what each means (in `@allora/protocol`'s catalogue of every code of the network). */
export { CliErrorCodes };

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
