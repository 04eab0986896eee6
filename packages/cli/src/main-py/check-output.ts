/**
 * Checks one run of main.py against the contract the worker and the chain rely on, and names what is wrong in
 * words a data scientist can act on: one JSON line on stdout, an object with `infererValue` as a plain decimal
 * string on success, `{"error": …}` with a non-zero exit on failure, logs on stderr only, and an end in time.
 */
import { isPlainDecimal } from "@allora/protocol";
import type { MainPyResult } from "./run-main-py.js";

/** The verdict on a run. */
export interface ContractVerdict {
  /**
   * `ok`: a value the chain accepts. `reported-error`: main.py kept the contract and reported a failure of its own
   * (e.g. the model server is down). `broken`: the output breaks the contract.
   */
  status: "ok" | "reported-error" | "broken";
  /** The value, when `ok`. */
  value?: string;
  /** What main.py reported, when `reported-error`. */
  error?: string;
  /** Every problem found, each a sentence with the fix. */
  problems: string[];
}

function describeJsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** Judges a run of main.py. */
export function checkMainPyOutput(result: Omit<MainPyResult, "mode">, timeoutMs: number): ContractVerdict {
  const problems: string[] = [];
  if (result.spawnError) {
    return { status: "broken", problems: [`main.py could not be started: ${result.spawnError}`] };
  }
  if (result.timedOut) {
    return {
      status: "broken",
      problems: [
        `main.py did not finish within ${timeoutMs / 1000} s and was killed with its process group; the worker ` +
          "would kill it too. Make it faster (load models once in a server, not per request) or raise " +
          "worker.function_timeout in config.yaml",
      ],
    };
  }
  if (result.overflow) {
    return {
      status: "broken",
      problems: [`main.py wrote more ${result.overflow} than the worker keeps and was killed; print less`],
    };
  }
  const lines = result.stdout.split("\n").filter((l) => l.trim() !== "");
  const crashed = result.exitCode !== 0;
  if (lines.length === 0) {
    problems.push(
      crashed
        ? `main.py crashed (exit code ${result.exitCode ?? result.signal}) without printing a result; even on failure it must print {"error": "…"}`
        : 'main.py printed nothing on stdout; it must print one JSON line such as {"infererValue": "2946.45"}',
    );
    return { status: "broken", problems };
  }
  if (lines.length > 1) {
    problems.push(
      `main.py printed ${lines.length} lines on stdout; the worker reads exactly one JSON line. Send logs to ` +
        "stderr: print(..., file=sys.stderr)",
    );
  }
  const line = (lines.length === 1 ? lines[0] : lines[lines.length - 1]) as string;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (err) {
    problems.push(
      `stdout is not valid JSON (${(err as Error).message}): ${JSON.stringify(line.slice(0, 120))}; print it with ` +
        'json.dumps({"infererValue": value})',
    );
    if (crashed) problems.push(`main.py exited with code ${result.exitCode ?? result.signal}`);
    return { status: "broken", problems };
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    problems.push(`stdout is ${describeJsonType(parsed)}, not a JSON object like {"infererValue": "2946.45"}`);
    return { status: "broken", problems };
  }
  const body = parsed as Record<string, unknown>;
  if ("error" in body && !("infererValue" in body)) {
    const error = typeof body.error === "string" ? body.error : JSON.stringify(body.error);
    if (!crashed) {
      problems.push('main.py printed {"error": …} but exited with code 0; exit non-zero on failure (sys.exit(1))');
    }
    return problems.length > 0 ? { status: "broken", error, problems } : { status: "reported-error", error, problems };
  }
  if (!("infererValue" in body)) {
    const keys = Object.keys(body);
    problems.push(
      `the JSON has no "infererValue" key (it has ${keys.length > 0 ? keys.map((k) => `"${k}"`).join(", ") : "no keys"}); ` +
        'print {"infererValue": "<decimal>"}',
    );
    return { status: "broken", problems };
  }
  const value = body.infererValue;
  if (typeof value !== "string") {
    problems.push(
      `infererValue is ${describeJsonType(value)} (${JSON.stringify(value)}), not a string; the chain takes decimal ` +
        `strings: {"infererValue": "${typeof value === "number" ? String(value) : "2946.45"}"} (use str(value))`,
    );
  } else if (!isPlainDecimal(value)) {
    problems.push(
      `infererValue ${JSON.stringify(value)} is not a plain decimal string like "2946.45" (no exponent, no spaces, no units)`,
    );
  }
  if (crashed) {
    problems.push(
      `main.py printed a value but exited with code ${result.exitCode ?? result.signal}; exit 0 on success`,
    );
  }
  return problems.length > 0 ? { status: "broken", problems } : { status: "ok", value: value as string, problems };
}
