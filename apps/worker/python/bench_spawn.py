#!/usr/bin/env python3
"""Measures the launcher's cost per run: a trivial `sh -c :` function, run after run, median of N.

    python3 bench_spawn.py [--runs 200] [--layers landlock,uid,rlimits,reaper] [launcher.py]

Prints the median round trip (request written to answer read, scratch folder and sandbox included) and the median
wall_ns the launcher reports (spawn to exit). `--layers none` turns every layer off; a launcher of an older build
(e.g. `git show <commit>:apps/worker/python/launcher.py > /tmp/old.py`) is measured the same way, for comparison.
Run builds alternately: the machine moves between runs more than the code does.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PARENT_DEATH_PY = os.path.join(HERE, "..", "..", "..", "packages", "node-function", "python", "parent_death.py")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("launcher", nargs="?", default=os.path.join(HERE, "launcher.py"))
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--layers", default="landlock,uid,rlimits,reaper")
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix="bench-spawn-")
    os.chmod(root, 0o711)  # enterable by the slot uids when run as root
    launcher = subprocess.Popen(["/usr/bin/python3", args.launcher, PARENT_DEATH_PY], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True, env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}, cwd="/")
    layers = [] if args.layers == "none" else args.layers.split(",")
    launcher.stdin.write(json.dumps({"config": {"layers": layers, "interpreters": ["/bin/sh"],
                                                "search_path": "/usr/bin:/bin"}}) + "\n")
    launcher.stdin.flush()
    ready = json.loads(launcher.stdout.readline())
    if "sandbox" not in ready:
        launcher.stdout.readline()  # a launcher from before the sandbox took the config line for a request
    round_trips, walls = [], []
    try:
        for i in range(args.runs + 20):
            request = {"id": str(i), "command": "/bin/sh", "args": ["-c", ":"], "env": {"PATH": "/usr/bin:/bin"},
                       "cwd": os.path.join(root, f"run-{i}"), "read_paths": [], "timeout_ms": 5000,
                       "max_stdout": 1000, "max_stderr": 1000}
            started = time.perf_counter_ns()
            launcher.stdin.write(json.dumps(request) + "\n")
            launcher.stdin.flush()
            answer = json.loads(launcher.stdout.readline())
            elapsed = time.perf_counter_ns() - started
            if answer["exit_code"] != 0:
                raise SystemExit(f"run {i} failed: {answer}")
            if i >= 20:  # warm-up runs are not counted
                round_trips.append(elapsed)
                walls.append(answer["wall_ns"])
    finally:
        launcher.stdin.close()
        launcher.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)
    layers_in_force = {k: v for k, v in (ready.get("sandbox") or {}).items() if v and k not in ("unavailable",)}
    print(f"{args.launcher} layers={args.layers}: round trip median {statistics.median(round_trips) / 1e6:.3f} ms, "
          f"wall median {statistics.median(walls) / 1e6:.3f} ms ({args.runs} runs)"
          + (f"; sandbox {json.dumps(layers_in_force)}" if layers_in_force else ""))


if __name__ == "__main__":
    main()
