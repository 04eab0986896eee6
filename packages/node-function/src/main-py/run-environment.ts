/**
 * The environment every function run starts from, built from scratch so that nothing of the worker's own
 * (variables, secrets) reaches a function: a fixed PATH and locale, and Python told to keep quiet about bytecode and
 * to write its output as it goes. The worker's run plan and `allocmd test` both build on it, and the launcher's own
 * environment and search path come from the same PATH rule.
 */
import { dirname, isAbsolute } from "node:path";

/** The system folders a function (and the launcher) may find programs in. */
export const SYSTEM_SEARCH_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Environment variables through which the runner package learns which main.py to run, and with which Python. */
export const RUNNER_ENV = { mainPy: "ALLORA_MAIN_PY", python: "ALLORA_PYTHON" } as const;

/**
 * The PATH of a run: the system folders, after the interpreter's own folder when `python` is an absolute path (a
 * virtualenv's `bin/` then wins, so `pip`-installed tools main.py calls are found).
 */
export function makeSearchPath(python: string): string {
  return isAbsolute(python) ? `${dirname(python)}:${SYSTEM_SEARCH_PATH}` : SYSTEM_SEARCH_PATH;
}

/** The environment of the launcher process itself: the search path and a UTF-8 locale, nothing else. */
export function makeLauncherEnv(python: string): Record<string, string> {
  return { PATH: makeSearchPath(python), LANG: "C.UTF-8", PYTHONDONTWRITEBYTECODE: "1" };
}

/** What every run's environment starts with, before the operator's function env and the request's variables. */
export function makeBaseRunEnv(python: string): Record<string, string> {
  return {
    PATH: makeSearchPath(python),
    LANG: "C.UTF-8",
    LC_ALL: "C.UTF-8",
    PYTHONDONTWRITEBYTECODE: "1",
    PYTHONUNBUFFERED: "1",
  };
}

/** The variables that tell the runner package which main.py to run and with which interpreter. */
export function makeRunnerEnv(mainPy: string, python: string): Record<string, string> {
  return { [RUNNER_ENV.mainPy]: mainPy, [RUNNER_ENV.python]: python };
}
