/**
 * main.py's output contract, tested once: every output a worker or `allocmd test` may see, with the verdict both
 * give it (the worker signs exactly the `ok` rows; `allocmd test` exits 0 on exactly those).
 */
import { describe, expect, it } from "vitest";
import { checkMainPyOutput, type MainPyOutputStatus } from "../src/index.js";

interface Row {
  what: string;
  stdout: string;
  exitCode: number | null;
  signal?: string;
  status: MainPyOutputStatus;
  value?: string;
  error?: string;
  /** Every problem must match, in order. */
  problems?: RegExp[];
}

const CONTRACT_ROWS: Row[] = [
  { what: "one JSON line", stdout: '{"infererValue": "2946.45"}\n', exitCode: 0, status: "ok", value: "2946.45" },
  { what: "blank lines around it", stdout: '\n{"infererValue": "1"}\n\n', exitCode: 0, status: "ok", value: "1" },
  { what: "negative", stdout: '{"infererValue": "-0.5"}', exitCode: 0, status: "ok", value: "-0.5" },
  { what: "extra keys", stdout: '{"infererValue": "1", "uid": 0}', exitCode: 0, status: "ok", value: "1" },
  {
    what: "an error reported with a non-zero exit",
    stdout: '{"error": "model down"}\n',
    exitCode: 1,
    status: "reported-error",
    error: "model down",
  },
  {
    what: "an error that is not a string",
    stdout: '{"error": {"why": "down"}}',
    exitCode: 2,
    status: "reported-error",
    error: '{"why":"down"}',
  },
  {
    what: "an error reported with exit code 0",
    stdout: '{"error": "no data"}',
    exitCode: 0,
    status: "broken",
    error: "no data",
    problems: [/exited with code 0; exit non-zero on failure/],
  },
  { what: "nothing", stdout: "", exitCode: 0, status: "broken", problems: [/printed nothing on stdout/] },
  { what: "only blank lines", stdout: "\n  \n", exitCode: 0, status: "broken", problems: [/printed nothing/] },
  {
    what: "a crash without a result",
    stdout: "",
    exitCode: 1,
    status: "broken",
    problems: [/main\.py crashed \(exit code 1\) without printing a result/],
  },
  {
    what: "a kill by a signal",
    stdout: "",
    exitCode: null,
    signal: "SIGKILL",
    status: "broken",
    problems: [/crashed \(exit code SIGKILL\)/],
  },
  {
    what: "text that is not JSON",
    stdout: "the price is 2946\n",
    exitCode: 0,
    status: "broken",
    problems: [/stdout is not valid JSON .*"the price is 2946"/],
  },
  {
    what: "text that is not JSON, and a crash",
    stdout: "Traceback\n",
    exitCode: 1,
    status: "broken",
    problems: [/not valid JSON/, /exited with code 1/],
  },
  { what: "a JSON list", stdout: "[1, 2]", exitCode: 0, status: "broken", problems: [/stdout is a list, not/] },
  { what: "a JSON string", stdout: '"1"', exitCode: 0, status: "broken", problems: [/stdout is a string, not/] },
  { what: "JSON null", stdout: "null", exitCode: 0, status: "broken", problems: [/stdout is null, not/] },
  {
    what: "a missing infererValue",
    stdout: '{"value": "2946.45"}',
    exitCode: 0,
    status: "broken",
    problems: [/the JSON has no "infererValue" key \(it has "value"\)/],
  },
  { what: "an empty object", stdout: "{}", exitCode: 0, status: "broken", problems: [/\(it has no keys\)/] },
  {
    what: "a number instead of a string",
    stdout: '{"infererValue": 2946.45}',
    exitCode: 0,
    status: "broken",
    problems: [/infererValue is a number \(2946\.45\), not a string.*"2946\.45"/],
  },
  {
    what: "null as the value",
    stdout: '{"infererValue": null}',
    exitCode: 0,
    status: "broken",
    problems: [/infererValue is null/],
  },
  {
    what: "an exponent",
    stdout: '{"infererValue": "2.9e3"}',
    exitCode: 0,
    status: "broken",
    problems: [/"2\.9e3" is not a plain decimal string/],
  },
  {
    what: "units",
    stdout: '{"infererValue": "12 USD"}',
    exitCode: 0,
    status: "broken",
    problems: [/not a plain decimal/],
  },
  {
    what: "logs on stdout before the value",
    stdout: 'loading model\n{"infererValue": "1.5"}\n',
    exitCode: 0,
    status: "broken",
    problems: [/printed 2 lines on stdout.*file=sys\.stderr/],
  },
  {
    what: "a value with a non-zero exit",
    stdout: '{"infererValue": "1"}',
    exitCode: 3,
    status: "broken",
    problems: [/printed a value but exited with code 3; exit 0 on success/],
  },
  {
    what: "both a value and an error key",
    stdout: '{"infererValue": "1", "error": "ignored"}',
    exitCode: 0,
    status: "ok",
    value: "1",
  },
];

describe("main.py's output contract", () => {
  it.each(CONTRACT_ROWS)("$what: $status", (row) => {
    const verdict = checkMainPyOutput({ stdout: row.stdout, exitCode: row.exitCode, signal: row.signal ?? null });
    expect(verdict.status).toBe(row.status);
    expect(verdict.value).toBe(row.value);
    expect(verdict.error).toBe(row.error);
    const expected = row.problems ?? [];
    expect(verdict.problems).toHaveLength(expected.length);
    for (const [i, pattern] of expected.entries()) expect(verdict.problems[i]).toMatch(pattern);
  });
});
