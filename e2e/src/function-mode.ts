/**
 * The function mode the suites run workers in: `FUNCTION_MODE=cold` (the worker's own env var name) runs every
 * integration and e2e spec against cold workers; unset, workers keep their default (warm).
 */
export function functionModeArgs(): string[] {
  const mode = process.env.FUNCTION_MODE;
  if (mode === undefined || mode === "") return [];
  if (mode !== "warm" && mode !== "cold") throw new Error(`FUNCTION_MODE="${mode}" is not warm or cold`);
  return [`--function-mode=${mode}`];
}
