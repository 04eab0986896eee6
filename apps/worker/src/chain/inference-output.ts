/**
 * Reads the inference a function printed, by main.py's output contract (`@allora/node-function`'s
 * checkMainPyOutput, the same judge `allocmd test` uses): one JSON line `{"infererValue": "<decimal>"}` on stdout.
 */
import { checkMainPyOutput, MAIN_PY_OUTPUT_INVALID } from "@allora/node-function";
import { AlloraError } from "@allora/protocol";
import type { ExecutionResult } from "../execution/launcher-protocol.js";

/** The inference value in `stdout` of a run that exited 0, or an `INFERENCE_OUTPUT_INVALID` error naming the fault. */
function parseInferenceOutput(stdout: string): string {
  const verdict = checkMainPyOutput({ stdout, exitCode: 0 });
  if (verdict.status === "ok") return verdict.value as string;
  const message =
    verdict.error !== undefined ? `the function reported an error: ${verdict.error}` : verdict.problems.join("; ");
  throw new AlloraError(MAIN_PY_OUTPUT_INVALID, message);
}

/**
 * The value a worker signs for a run: none when the run failed (a failure code, a non-zero exit), else what its
 * stdout holds by the contract. Throws `INFERENCE_OUTPUT_INVALID` naming why there is nothing to sign.
 */
export function readInference(result: Pick<ExecutionResult, "output" | "errorCode">): string {
  if (result.errorCode || result.output.exit_code !== 0) {
    throw new AlloraError(
      MAIN_PY_OUTPUT_INVALID,
      `the function failed (exit ${result.output.exit_code}); nothing to sign`,
    );
  }
  return parseInferenceOutput(result.output.stdout);
}
