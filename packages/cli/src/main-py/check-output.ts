/**
 * Checks one run of main.py as `allocmd test` reports it: how the run ended (started, in time, within the output
 * caps), then its output by main.py's contract, judged by `@allora/node-function`'s checkMainPyOutput, the same
 * judge a worker applies before it signs a value, so the verdict here is the worker's.
 */
import { checkMainPyOutput, type MainPyOutputVerdict } from "@allora/node-function";
import type { MainPyResult } from "./run-main-py.js";

/** The verdict on a run (see MainPyOutputVerdict's `status`). */
export type ContractVerdict = MainPyOutputVerdict;

/** The verdict when the run itself went wrong (not started, killed at the deadline or at an output cap). */
function runProblem(result: Omit<MainPyResult, "mode">, timeoutMs: number): string | undefined {
  if (result.spawnError) return `main.py could not be started: ${result.spawnError}`;
  if (result.timedOut) {
    return (
      `main.py did not finish within ${timeoutMs / 1000} s and was killed with its process group; the worker ` +
      "would kill it too. Make it faster (load models once in a server, not per request) or raise " +
      "worker.function_timeout in config.yaml"
    );
  }
  if (result.overflow) return `main.py wrote more ${result.overflow} than the worker keeps and was killed; print less`;
  return undefined;
}

/** Judges a run of main.py. */
export function checkMainPyRun(result: Omit<MainPyResult, "mode">, timeoutMs: number): ContractVerdict {
  const problem = runProblem(result, timeoutMs);
  if (problem) return { status: "broken", problems: [problem] };
  return checkMainPyOutput({ stdout: result.stdout, exitCode: result.exitCode, signal: result.signal });
}
