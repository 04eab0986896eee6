#!/usr/bin/env python3
"""The runner package's entry: execs the worker's own main.py with the contract's argv.

The worker starts it for every execute of a topic whose function is this package. It reads the request's
environment and replaces itself with

    python3 <main.py> <TOPIC_ID> <ALLORA_BLOCK_HEIGHT_CURRENT> <ALLORA_BLOCK_HEIGHT_EVAL> <ALLORA_ARG_PARAMS> [params...]

with heights "0" when the request carries none (a hand-sent test request), so main.py always gets its four arguments.
main.py runs in its own folder; its stdout and stderr go straight to the worker, separately, and its exit code is the
function's. It dies with the process that started it (parent_death.py, shipped beside it).

Only the Python standard library is used.
"""
import json
import os
import stat
import sys


def fail(message, code=2):
    print(json.dumps({"error": message}), flush=True)
    sys.exit(code)


def plan(environ, params):
    """The command line of main.py for a request: [python, main.py, topic, height, height_eval, argument, *params].

    One definition for both ways the worker runs main.py: this script exec's it (cold), and the worker's warm
    process (apps/worker/python/warm.py) calls plan() in a forked child and runs main.py there (warm)."""
    main_py = environ.get("ALLORA_MAIN_PY", "")
    python = environ.get("ALLORA_PYTHON") or sys.executable or "python3"
    if not main_py:
        fail("ALLORA_MAIN_PY is not set: the worker must say where its main.py is (worker option --main-py)")
    try:
        mode = os.stat(main_py).st_mode
    except OSError:
        fail(f"main.py not found at {main_py}: check the worker option --main-py")
    if not stat.S_ISREG(mode):
        fail(f"{main_py} is not a file: check the worker option --main-py")
    return [
        python,
        main_py,
        environ.get("TOPIC_ID", ""),
        environ.get("ALLORA_BLOCK_HEIGHT_CURRENT") or "0",
        environ.get("ALLORA_BLOCK_HEIGHT_EVAL") or "0",
        environ.get("ALLORA_ARG_PARAMS", ""),
    ] + list(params)


def main():
    # This package's own module: a cold run's sys.path[0] is this folder (a warm process never calls main()).
    from parent_death import die_with_parent, told_parent

    die_with_parent(told_parent(os.environ))
    argv = plan(os.environ, sys.argv[1:])
    python, main_py = argv[0], argv[1]
    try:
        os.chdir(os.path.dirname(os.path.abspath(main_py)))
        os.execvp(python, argv)
    except OSError as err:
        fail(f"cannot start {python}: {err.strerror}", 127)


if __name__ == "__main__":
    main()
