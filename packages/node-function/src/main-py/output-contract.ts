/**
 * main.py's output contract, judged in one place: the worker signs a value only when this says `ok`, and
 * `allocmd test` prints this verdict, so a laptop and a worker accept exactly the same outputs.
 *
 * The contract (docs/WORKER.md, "The main.py contract"): stdout holds exactly one JSON line (blank lines aside), an
 * object whose `infererValue` is a plain decimal string such as "2946.45", and the exit code is 0; on failure it
 * is one line `{"error": "…"}` and a non-zero exit code. Logs go to stderr. Each problem is a sentence with the fix,
 * in words a data scientist can act on.
 */
import { isPlainDecimal } from "@allora/protocol";

/** How a run of main.py ended, as far as the contract cares. */
export interface MainPyOutput {
  stdout: string;
  /** null when a signal ended it. */
  exitCode: number | null;
  signal?: string | null;
}

/**
 * `ok`: a value the chain accepts. `reported-error`: main.py kept the contract and reported a failure of its own
 * (e.g. the model server is down). `broken`: the output breaks the contract.
 */
export type MainPyOutputStatus = "ok" | "reported-error" | "broken";

/** The verdict on one run's output. */
export interface MainPyOutputVerdict {
  status: MainPyOutputStatus;
  /** The value, when `ok`: what a worker signs. */
  value?: string;
  /** What main.py reported, when it printed `{"error": …}`. */
  error?: string;
  /** Every problem found, each a sentence with the fix (empty when `ok` or `reported-error`). */
  problems: string[];
}

/** The error code a worker answers for any output that is not `ok` (no bundle is signed). */
export const MAIN_PY_OUTPUT_INVALID = "INFERENCE_OUTPUT_INVALID";

const EXAMPLE = '{"infererValue": "2946.45"}';

function describeJsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function exitOf(output: MainPyOutput): number | string | null | undefined {
  return output.exitCode ?? output.signal;
}

function broken(problems: string[], error?: string): MainPyOutputVerdict {
  return { status: "broken", problems, ...(error === undefined ? {} : { error }) };
}

/** The one line main.py's result is read from, or the verdict when there is none to read. */
function resultLine(output: MainPyOutput, problems: string[]): { line: string } | { verdict: MainPyOutputVerdict } {
  const lines = output.stdout.split("\n").filter((l) => l.trim() !== "");
  const last = lines.at(-1);
  if (last === undefined) {
    const problem =
      output.exitCode !== 0
        ? `main.py crashed (exit code ${exitOf(output)}) without printing a result; even on failure it must print {"error": "…"}`
        : `main.py printed nothing on stdout; it must print one JSON line such as ${EXAMPLE}`;
    return { verdict: broken([problem]) };
  }
  if (lines.length > 1) {
    problems.push(
      `main.py printed ${lines.length} lines on stdout; the worker reads exactly one JSON line. Send logs to ` +
        "stderr: print(..., file=sys.stderr)",
    );
  }
  return { line: last };
}

/** The line as a JSON object, or the verdict when it is not one. */
function resultObject(
  line: string,
  output: MainPyOutput,
  problems: string[],
): { body: Record<string, unknown> } | { verdict: MainPyOutputVerdict } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (err) {
    problems.push(
      `stdout is not valid JSON (${(err as Error).message}): ${JSON.stringify(line.slice(0, 120))}; print it with ` +
        'json.dumps({"infererValue": value})',
    );
    if (output.exitCode !== 0) problems.push(`main.py exited with code ${exitOf(output)}`);
    return { verdict: broken(problems) };
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    problems.push(`stdout is ${describeJsonType(parsed)}, not a JSON object like ${EXAMPLE}`);
    return { verdict: broken(problems) };
  }
  return { body: parsed as Record<string, unknown> };
}

/** `{"error": …}`: a failure main.py reports itself, which keeps the contract only with a non-zero exit. */
function reportedError(body: Record<string, unknown>, output: MainPyOutput, problems: string[]): MainPyOutputVerdict {
  const error = typeof body.error === "string" ? body.error : JSON.stringify(body.error);
  if (output.exitCode === 0) {
    problems.push('main.py printed {"error": …} but exited with code 0; exit non-zero on failure (sys.exit(1))');
  }
  return problems.length > 0 ? broken(problems, error) : { status: "reported-error", error, problems };
}

/** The problem with `infererValue`, if any: the chain takes plain decimal strings only. */
function valueProblem(value: unknown): string | undefined {
  if (typeof value !== "string") {
    return (
      `infererValue is ${describeJsonType(value)} (${JSON.stringify(value)}), not a string; the chain takes decimal ` +
      `strings: {"infererValue": "${typeof value === "number" ? String(value) : "2946.45"}"} (use str(value))`
    );
  }
  if (!isPlainDecimal(value)) {
    return `infererValue ${JSON.stringify(value)} is not a plain decimal string like "2946.45" (no exponent, no spaces, no units)`;
  }
  return undefined;
}

/** Judges the output of one run of main.py (or of any function whose value a worker signs). */
export function checkMainPyOutput(output: MainPyOutput): MainPyOutputVerdict {
  const problems: string[] = [];
  const read = resultLine(output, problems);
  if ("verdict" in read) return read.verdict;
  const parsed = resultObject(read.line, output, problems);
  if ("verdict" in parsed) return parsed.verdict;
  return judgeBody(parsed.body, output, problems);
}

/** The verdict on the result object main.py printed. */
function judgeBody(body: Record<string, unknown>, output: MainPyOutput, problems: string[]): MainPyOutputVerdict {
  if ("error" in body && !("infererValue" in body)) return reportedError(body, output, problems);
  if (!("infererValue" in body)) {
    const keys = Object.keys(body);
    problems.push(
      `the JSON has no "infererValue" key (it has ${keys.length > 0 ? keys.map((k) => `"${k}"`).join(", ") : "no keys"}); ` +
        'print {"infererValue": "<decimal>"}',
    );
    return broken(problems);
  }
  const problem = valueProblem(body.infererValue);
  if (problem) problems.push(problem);
  if (output.exitCode !== 0) {
    problems.push(`main.py printed a value but exited with code ${exitOf(output)}; exit 0 on success`);
  }
  return problems.length > 0 ? broken(problems) : { status: "ok", value: body.infererValue as string, problems };
}
