#!/usr/bin/env python3
"""The worker's process launcher: starts function processes cheaply and watches them.

A Node process forks its whole heap on every spawn (milliseconds for a worker); this small, long-lived Python process
starts each function with posix_spawn (a fraction of a millisecond) instead. The worker sends one JSON request per
line on stdin and reads one JSON answer per line on stdout:

  request  {"id", "command", "args", "env", "cwd", "stdin"?, "timeout_ms", "max_stdout", "max_stderr"}
           (cwd is the run's scratch folder: created here, removed once the answer is sent)
  answer   {"id", "stdout", "stderr", "exit_code", "wall_ns", "usage": {"cpu_user_time", "cpu_sys_time",
            "memory_max_kb"}, "error_code"?, "message"?}

Each function gets exactly the environment in the request (nothing of this process's), its own session and process
group, the request's stdin, and stdout and stderr captured separately up to their caps. At the timeout, or when an
output goes over its cap, the whole process group is killed; when the function exits, whatever it left running in
its group is killed too. wall_ns runs from just before the spawn to the process's exit (interpreter start included);
usage is the kernel's account of the process and the children it waited for. This process dies with the worker, and
when it goes, so do the functions it started.

Only the Python standard library is used.
"""
import json
import os
from concurrent.futures import ThreadPoolExecutor
import selectors
import shutil
import signal
import sys
import threading
import time

SPAWN_LOCK = threading.Lock()  # the working directory is per process: one spawn at a time
OUT_LOCK = threading.Lock()
RUNNING = set()
RUNNING_LOCK = threading.Lock()
POOL = ThreadPoolExecutor(max_workers=256, thread_name_prefix="run")
CHUNK = 65536


def die_with_parent(expected_parent):
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != expected_parent:
        os._exit(1)


def send(message):
    line = json.dumps(message)
    with OUT_LOCK:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def close_quietly(*fds):
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass


class Capped:
    def __init__(self, cap):
        self.cap = cap
        self.parts = []
        self.size = 0
        self.overflowed = False

    def add(self, data):
        room = self.cap - self.size
        if len(data) > room:
            self.parts.append(data[:room])
            self.size = self.cap
            self.overflowed = True
            return False
        self.parts.append(data)
        self.size += len(data)
        return True

    def text(self):
        return b"".join(self.parts).decode("utf-8", "replace")


def run(request):
    try:
        os.mkdir(request["cwd"], 0o700)
    except FileExistsError:
        pass
    try:
        start_and_watch(request)
    finally:
        shutil.rmtree(request["cwd"], ignore_errors=True)


def start_and_watch(request):
    rid = request["id"]
    command = request["command"]
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    actions = [
        (os.POSIX_SPAWN_DUP2, in_r, 0),
        (os.POSIX_SPAWN_DUP2, out_w, 1),
        (os.POSIX_SPAWN_DUP2, err_w, 2),
    ]
    # The function learns who its parent is without racing it: a child that reads getppid() itself may already
    # see init if this launcher was killed in between, and then outlive it.
    env = dict(request["env"], ALLORA_PARENT_PID=str(os.getpid()))
    started = time.monotonic_ns()
    try:
        with SPAWN_LOCK:
            previous = os.getcwd()
            os.chdir(request["cwd"])
            try:
                pid = os.posix_spawnp(command, [command] + list(request["args"]), env,
                                      file_actions=actions, setsid=True)
            finally:
                os.chdir(previous)
    except OSError as err:
        close_quietly(in_r, in_w, out_r, out_w, err_r, err_w)
        send({"id": rid, "stdout": "", "stderr": "", "exit_code": 127, "wall_ns": time.monotonic_ns() - started,
              "usage": {}, "error_code": "FUNCTION_SPAWN_FAILED",
              "message": f"cannot start {command}: {err.strerror or err}"})
        return
    close_quietly(in_r, out_w, err_w)
    with RUNNING_LOCK:
        RUNNING.add(pid)

    exited = {}

    def reap():
        _, status, usage = os.wait4(pid, 0)
        exited["at"] = time.monotonic_ns()
        exited["status"] = status
        exited["usage"] = usage
        kill_group(pid)  # anything the function left running in its group

    # Linux: the exit is one more event in this run's selector (a pidfd); elsewhere a thread waits for it.
    pidfd = None
    waiter = None
    if hasattr(os, "pidfd_open"):
        try:
            pidfd = os.pidfd_open(pid)
        except OSError:
            pidfd = None
    if pidfd is None:
        waiter = threading.Thread(target=reap, daemon=True)
        waiter.start()

    stdin = request.get("stdin") or ""
    data = stdin.encode("utf-8")
    if data:
        threading.Thread(target=feed, args=(in_w, data), daemon=True).start()
    else:
        close_quietly(in_w)

    outputs = {out_r: Capped(request["max_stdout"]), err_r: Capped(request["max_stderr"])}
    names = {out_r: "stdout", err_r: "stderr"}
    error_code = None
    message = None
    deadline = started + request["timeout_ms"] * 1_000_000
    selector = selectors.DefaultSelector()
    for fd in outputs:
        selector.register(fd, selectors.EVENT_READ)
    if pidfd is not None:
        selector.register(pidfd, selectors.EVENT_READ)
    open_fds = set(outputs)
    killed_at = None
    while open_fds:
        if killed_at is not None and time.monotonic_ns() - killed_at > 2_000_000_000:
            break  # something outside the group still holds the pipes: stop reading, the run is over
        remaining = (deadline - time.monotonic_ns()) / 1e9
        if remaining <= 0 and error_code is None:
            error_code = "FUNCTION_TIMEOUT"
            message = f"the function ran longer than {request['timeout_ms']} ms and was killed with its process group"
            kill_group(pid)
            killed_at = time.monotonic_ns()
        for key, _ in selector.select(timeout=max(remaining, 0) if error_code is None else 1.0):
            if key.fd == pidfd:
                selector.unregister(pidfd)
                reap()
                continue
            chunk = os.read(key.fd, CHUNK)
            if not chunk:
                selector.unregister(key.fd)
                open_fds.discard(key.fd)
                continue
            if not outputs[key.fd].add(chunk) and error_code is None:
                error_code = "FUNCTION_OUTPUT_TOO_LARGE"
                cap = outputs[key.fd].cap
                message = f"the function's {names[key.fd]} exceeded {cap} bytes; it was killed"
                kill_group(pid)
                killed_at = time.monotonic_ns()
    selector.close()
    close_quietly(out_r, err_r)
    if pidfd is not None:
        if "at" not in exited:
            reap()  # the outputs closed first: wait for the exit itself
        close_quietly(pidfd)
    else:
        waiter.join()
    with RUNNING_LOCK:
        RUNNING.discard(pid)

    status = exited["status"]
    usage = exited["usage"]
    exit_code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)
    answer = {
        "id": rid,
        "stdout": outputs[out_r].text(),
        "stderr": outputs[err_r].text(),
        "exit_code": exit_code,
        "wall_ns": exited["at"] - started,
        "usage": {
            "cpu_user_time": int(usage.ru_utime * 1e9),
            "cpu_sys_time": int(usage.ru_stime * 1e9),
            "memory_max_kb": int(usage.ru_maxrss),
        },
    }
    if error_code:
        answer["error_code"] = error_code
        answer["message"] = message
    send(answer)


def feed(fd, data):
    try:
        os.write(fd, data)
    except OSError:
        pass  # the function exited without reading its stdin
    finally:
        close_quietly(fd)


def safe_run(request):
    try:
        run(request)
    except Exception as err:  # never leave the worker waiting without an answer
        send({"id": request.get("id"), "stdout": "", "stderr": "", "exit_code": 127, "wall_ns": 0, "usage": {},
              "error_code": "FUNCTION_SPAWN_FAILED", "message": f"launcher error: {err}"})


def kill_all(*_):
    with RUNNING_LOCK:
        for pid in list(RUNNING):
            kill_group(pid)
    os._exit(0)


def main():
    die_with_parent(os.getppid())
    signal.signal(signal.SIGTERM, kill_all)
    signal.signal(signal.SIGINT, kill_all)
    sys.stdout.write(json.dumps({"ready": True, "pid": os.getpid()}) + "\n")
    sys.stdout.flush()
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            request = json.loads(line)
        except ValueError:
            sys.stderr.write(f"launcher: ignoring a line that is not JSON: {line[:200]}\n")
            continue
        POOL.submit(safe_run, request)
    kill_all()


if __name__ == "__main__":
    main()
