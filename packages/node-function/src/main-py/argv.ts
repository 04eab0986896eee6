/**
 * main.py's command line, the contract's argv: `<python> <main.py> <topic> <height> <height_eval> <argument>
 * [parameters…]`, each taken from the run's environment. The runner package's `exec_main_py.py` (its `plan()`)
 * is what builds it for every run, cold or warm; this is the same rule for reports (`allocmd test` prints the
 * command line it ran), tested against `plan()` so the two cannot drift.
 */

/** The request variables main.py's arguments come from. */
export const MAIN_PY_ARGV_ENV = {
  topic: "TOPIC_ID",
  height: "ALLORA_BLOCK_HEIGHT_CURRENT",
  heightEval: "ALLORA_BLOCK_HEIGHT_EVAL",
  argument: "ALLORA_ARG_PARAMS",
} as const;

/** What main.py's command line is made of. */
export interface MainPyArgvInput {
  python: string;
  mainPy: string;
  /** The run's environment (TOPIC_ID, the block heights, ALLORA_ARG_PARAMS). */
  env: Readonly<Record<string, string | undefined>>;
  /** The request's parameters, after the four arguments. */
  params?: readonly string[];
}

/** main.py's argv: heights are "0" when the request carries none (a request sent by hand). */
export function makeMainPyArgv(input: MainPyArgvInput): string[] {
  const { env } = input;
  return [
    input.python,
    input.mainPy,
    env[MAIN_PY_ARGV_ENV.topic] ?? "",
    env[MAIN_PY_ARGV_ENV.height] || "0",
    env[MAIN_PY_ARGV_ENV.heightEval] || "0",
    env[MAIN_PY_ARGV_ENV.argument] ?? "",
    ...(input.params ?? []),
  ];
}
