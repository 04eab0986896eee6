/**
 * Reads the inference a function printed: one JSON object `{"infererValue": "<decimal>"}` on stdout.
 */
import { AlloraError, formatDecimal, isPlainDecimal } from "@allora/protocol";

/** The inference value in `stdout`, or an `INFERENCE_OUTPUT_INVALID` error naming what is wrong. */
export function parseInferenceOutput(stdout: string): string {
  const lines = stdout
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const last = lines.at(-1);
  if (!last) throw new AlloraError("INFERENCE_OUTPUT_INVALID", "the function printed nothing on stdout");
  let parsed: unknown;
  try {
    parsed = JSON.parse(last);
  } catch {
    throw new AlloraError("INFERENCE_OUTPUT_INVALID", `stdout's last line is not JSON: ${last.slice(0, 120)}`);
  }
  if (parsed === null || typeof parsed !== "object") {
    throw new AlloraError("INFERENCE_OUTPUT_INVALID", "stdout's last line is not a JSON object");
  }
  const value = (parsed as { infererValue?: unknown }).infererValue;
  if ((parsed as { error?: unknown }).error !== undefined && value === undefined) {
    throw new AlloraError(
      "INFERENCE_OUTPUT_INVALID",
      `the function reported an error: ${String((parsed as { error: unknown }).error)}`,
    );
  }
  if (typeof value === "number" && Number.isFinite(value)) return formatDecimal(value, 12);
  if (typeof value !== "string" || !isPlainDecimal(value)) {
    throw new AlloraError(
      "INFERENCE_OUTPUT_INVALID",
      `"infererValue" must be a decimal string such as "2946.45", got ${JSON.stringify(value ?? null)}`,
    );
  }
  return value;
}
