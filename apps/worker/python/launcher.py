#!/usr/bin/env python3
"""The worker's process launcher: starts function processes in their sandbox and watches them.

A Node process forks its whole heap on every spawn (milliseconds for a worker); this small, long-lived Python process
starts each function instead. The worker sends one JSON object per line on stdin and reads one per line on stdout:

  first    {"config": {"layers", "secret_paths", "private_paths", "read_paths", "interpreters", "search_path", "uid_base", "uid_slots",
            "limits": {"memory_mib", "processes", "file_size_mib", "open_files"}, "uid_checks"}}
           answered by {"ready": true, "pid", "sandbox": <the layers in force and those unavailable>}
  request  {"id", "command", "args", "env", "cwd", "read_paths"?, "stdin"?, "timeout_ms", "max_stdout",
            "max_stderr", "warm"?: {"entry", "runner", "server_env", "watch"}}
           (cwd is the run's scratch folder: created here, removed once the answer is sent; with "warm" the run is
           forked from the warm process of that Python entry, see warm_pool.py, and answered the same way)
  event    {"warm": {"event": "ready" | "replaced" | "exited" | "timeout" | "failed", "entry", ...}} at any time
  answer   {"id", "stdout", "stderr", "exit_code", "wall_ns", "usage": {"cpu_user_time", "cpu_sys_time",
            "memory_max_kb"}, "error_code"?, "message"?}

Each function gets exactly the environment in the request (nothing of this process's), its own session and process
group, the request's stdin, stdout and stderr captured separately up to their caps, and the sandbox of sandbox.py:
Landlock rules (read paths of the request plus the system's; write only its scratch folder), rlimits, its own uid
per run slot when this process is root, no new privileges, death with this process. At the timeout, or when an output
goes over its cap, the whole process group is killed; when the function exits, whatever it left running is killed
too: this process is a child subreaper, so a grandchild that setsid's away comes back to it as an orphan, and every
child that is not a running function is killed and reaped at the end of each run. wall_ns runs from just before the
spawn to the process's exit (interpreter start included); usage is the kernel's account of the process and the
children it waited for. This process dies with the worker, and when it goes, so do the functions it started.

Only the Python standard library is used.
"""
import json
import os
import queue
import resource
import runpy
import selectors
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sandbox  # noqa: E402
import warm_pool as warm  # noqa: E402

OUT_LOCK = threading.Lock()
RUNNING = set()
# Held while a child is forked and registered, and while orphans are listed and killed: a function just forked is
# never mistaken for an orphan.
CHILDREN_LOCK = threading.Lock()
SWEEP_LOCK = threading.Lock()  # one sweep at a time: an orphan is reaped once, so its pid cannot be reused under it
SANDBOX = None
# Each run has a thread of its own, which the sandbox restricts for good: threads are made ahead (SPARE_THREADS idle
# ones wait for a request) so the request does not wait for one; each takes one request and ends with it.
SPARES = []
SPARES_LOCK = threading.Lock()
SPARE_THREADS = 2
JANITOR = queue.SimpleQueue()  # (scratch folder to remove after its answer is out, whether to sweep after it)
CHILDREN_FD = None  # /proc/self/task/<main thread>/children, opened at start: orphans come back to the main thread
CHUNK = 65536
WARM_UIDS = 16
PARENT_DEATH_PY = None  # the shared parent-death module's path (argv[1]); warm processes load it too


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
    if request.get("warm"):
        answer = warm.run(request)
        if answer is not None:
            send(answer)
            return
        # No warm process for it (its imports crashed it, or the request does not fit a message): run it cold.
    uid = SANDBOX.acquire_uid()
    answer = None
    box = {}
    try:
        try:
            os.mkdir(request["cwd"], 0o700)
        except FileExistsError:
            pass
        if uid is not None:
            os.chown(request["cwd"], uid, uid)
        answer = execute(request, uid, box)
    finally:
        # Before the answer: once it is out, nothing the run started is left. This thread may be sandboxed by now.
        sweep(uid, restricted=box.get("restricted", False))
        SANDBOX.release_uid(uid)
        if answer is not None:
            send(answer)
        JANITOR.put((request["cwd"], True))


def failure(request, started, exit_code, error_code, message):
    return {"id": request["id"], "stdout": "", "stderr": "", "exit_code": exit_code,
            "wall_ns": time.monotonic_ns() - started, "usage": {}, "error_code": error_code, "message": message}


def execute(request, uid, box):
    """Starts the function in its sandbox and watches it; returns the answer. On the fast path this thread itself is
    sandboxed first (box["restricted"] says so): Linux credentials, no_new_privs and Landlock are per thread, and a
    posix_spawn from it hands them to the child, so there is no fork of this process and no Python code in a child."""
    started = time.monotonic_ns()
    command = request["command"]
    if not os.path.isabs(command):
        found = shutil.which(command, path=request["env"].get("PATH", os.defpath))
        if not found:
            return failure(request, started, 127, "FUNCTION_SPAWN_FAILED",
                           f"cannot start {command}: it is not on the function's PATH")
        request = dict(request, command=found)
    try:
        setup = SANDBOX.prepare(request, uid)
    except OSError as err:
        return failure(request, started, 126, "FUNCTION_SANDBOX_FAILED",
                       f"cannot prepare the sandbox of {command}: {err.strerror or err}")
    try:
        if not setup.threaded:
            return watch(request, started, setup, popen_spawn)
        try:
            return restricted_watch(request, started, setup)
        finally:
            box["restricted"] = setup.restricted or setup.tried
    finally:
        setup.close()


def restricted_watch(request, started, setup):
    own_cwd = sandbox.unshare_fs()
    try:
        setup.restrict_thread()
    except OSError as err:
        return failure(request, started, 126, "FUNCTION_SANDBOX_FAILED",
                       f"cannot apply the function sandbox: {err.strerror or err}")
    return watch(request, started, setup, lambda *a: thread_spawn(*a, own_cwd=own_cwd))


def popen_spawn(request, setup, env, fds, keep=()):
    """The fallback without prlimit(1): fork with the layers applied by a pre-exec function (slower). `keep`: fds
    the process inherits under the same numbers."""
    with CHILDREN_LOCK:
        proc = subprocess.Popen(setup.argv, executable=setup.argv[0], stdin=fds[0], stdout=fds[1], stderr=fds[2],
                                env=env, cwd=request["cwd"], start_new_session=True, preexec_fn=setup.child,
                                pass_fds=tuple(keep), **setup.popen)
        RUNNING.add(proc.pid)
    return proc.pid, proc


def thread_spawn(request, setup, env, fds, own_cwd):
    """posix_spawn from this (sandboxed) thread; fds[i] becomes fd i in the process (0-2, and 3 for a warm one)."""
    actions = [(os.POSIX_SPAWN_DUP2, fd, target) for target, fd in enumerate(fds)]
    if own_cwd:
        os.chdir(request["cwd"])  # this thread's own working directory (unshare CLONE_FS)
        with CHILDREN_LOCK:
            pid = os.posix_spawn(setup.argv[0], setup.argv, env, file_actions=actions, setsid=True)
            RUNNING.add(pid)
        return pid, None
    with CHILDREN_LOCK:  # the working directory is the process's: one spawn at a time, back where it was
        previous = os.getcwd()
        os.chdir(request["cwd"])
        try:
            pid = os.posix_spawn(setup.argv[0], setup.argv, env, file_actions=actions, setsid=True)
            RUNNING.add(pid)
        finally:
            os.chdir(previous)
    return pid, None


def wait_child(pid, proc):
    """Waits for a child of this process without reaping, then reaps and unregisters it at once: the pid cannot be
    reused by a new function while it is still registered."""
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    with CHILDREN_LOCK:
        _, status, usage = os.wait4(pid, 0)
        RUNNING.discard(pid)
    if proc is not None:
        proc.returncode = status  # reaped here: subprocess must never wait for this pid again
    return status, {"cpu_user_time": int(usage.ru_utime * 1e9), "cpu_sys_time": int(usage.ru_stime * 1e9),
                    "memory_max_kb": int(usage.ru_maxrss)}, None


def watch(request, started, setup, spawn, collect=wait_child):
    """Feeds, reads and times one run. `collect(pid, proc)` returns (wait status, usage, None or (code, message))
    once the process has exited: by reaping it (a child of this process), or from the warm process that forked it."""
    command = request["command"]
    # The function learns who its parent is without racing it: a child that reads getppid() itself may already
    # see init if this launcher was killed in between, and then outlive it.
    env = dict(request["env"], ALLORA_PARENT_PID=str(os.getpid()))
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    try:
        pid, proc = spawn(request, setup, env, (in_r, out_w, err_w))
    except (OSError, subprocess.SubprocessError) as err:
        close_quietly(in_r, in_w, out_r, out_w, err_r, err_w)
        return failure(request, started, 127, "FUNCTION_SPAWN_FAILED",
                       f"cannot start {command}: {getattr(err, 'strerror', None) or err}")
    except BaseException:  # the warm path's "run it cold instead"
        close_quietly(in_r, in_w, out_r, out_w, err_r, err_w)
        raise
    close_quietly(in_r, out_w, err_w)

    exited = {}

    def kill_run():
        kill_group(pid)  # the function's group
        setup.kill_domain()  # and what left it, when this thread can name exactly this run's processes

    def reap():
        status, usage, failed = collect(pid, proc)
        exited["at"] = time.monotonic_ns()
        exited["status"] = status
        exited["usage"] = usage
        exited["failed"] = failed
        kill_run()  # orphans that still hold the pipes would keep the run open

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
    while open_fds or (pidfd is not None and "at" not in exited):  # closed outputs do not end a run
        if killed_at is not None and time.monotonic_ns() - killed_at > 2_000_000_000:
            break  # something outside the group still holds the pipes: stop reading, the run is over
        remaining = (deadline - time.monotonic_ns()) / 1e9
        if remaining <= 0 and error_code is None:
            error_code = "FUNCTION_TIMEOUT"
            message = f"the function ran longer than {request['timeout_ms']} ms and was killed with its process group"
            kill_run()
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
                kill_run()
                killed_at = time.monotonic_ns()
    selector.close()
    close_quietly(out_r, err_r)
    if pidfd is not None:
        if "at" not in exited:
            reap()  # the outputs closed first: wait for the exit itself
        close_quietly(pidfd)
    else:
        waiter.join()

    return make_answer(request, started, setup, exited, (outputs[out_r], outputs[err_r]), (error_code, message))


def make_answer(request, started, setup, exited, outputs, failure):
    """The answer to a run that has ended: its outputs, exit code and usage, and the failure code if any (the
    watcher's own, the warm process's, or a sandbox or prlimit(1) failure told apart from the function's stderr)."""
    out, err = outputs
    error_code, message = failure
    if exited["failed"] and error_code is None:
        error_code, message = exited["failed"]
    status = exited["status"]
    exit_code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)
    stderr_head = b"".join(err.parts)[:400]
    if exit_code == 126 and stderr_head.startswith(sandbox.FAILED_MARK):
        error_code = error_code or "FUNCTION_SANDBOX_FAILED"
        message = message or err.text().strip()
    elif exit_code in (126, 127) and setup.trampoline and stderr_head.startswith(b"prlimit: failed to execute"):
        error_code = error_code or "FUNCTION_SPAWN_FAILED"
        message = message or f"cannot start {request['command']}: " + err.text().strip().split(": ", 2)[-1]
    answer = {
        "id": request["id"],
        "stdout": out.text(),
        "stderr": err.text(),
        "exit_code": exit_code,
        "wall_ns": exited["at"] - started,
        "usage": exited["usage"],
    }
    if error_code:
        answer["error_code"] = error_code
        answer["message"] = message
    return answer


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


def launcher_children(restricted=False):
    """Pids of this process's children (any thread's), zombies included. A sandboxed thread has no /proc: it sees the
    main thread's children, through the file opened at start, which is where orphans are reparented."""
    if restricted:
        if CHILDREN_FD is None:
            return set()
        try:
            return {int(p) for p in os.pread(CHILDREN_FD, 1 << 20, 0).split()}
        except OSError:
            return set()
    pids = set()
    try:
        for tid in os.listdir("/proc/self/task"):
            try:
                fd = os.open(f"/proc/self/task/{tid}/children", os.O_RDONLY | os.O_CLOEXEC)
            except FileNotFoundError:
                if not os.path.exists(f"/proc/self/task/{tid}"):
                    continue  # a thread that ended meanwhile
                raise
            try:
                pids.update(int(p) for p in os.read(fd, 1 << 20).split())
            finally:
                os.close(fd)
        return pids
    except FileNotFoundError:
        pass  # a kernel without CONFIG_PROC_CHILDREN: scan every process's parent
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
                if int(fields[1]) == me:
                    pids.add(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return pids


def sweep(uid=None, restricted=False):
    """Kills and reaps every child that is not a running function, until none is left (their children come back
    here too, as this process is a subreaper). With a uid per slot, orphans of other slots still running are spared:
    by their uid, or, from a sandboxed thread, because it may not signal them."""
    if not SANDBOX or not SANDBOX.reaper:
        return
    with SWEEP_LOCK:
        spared = set()
        for _ in range(1000):
            killed = []
            with CHILDREN_LOCK:
                orphans = [p for p in launcher_children(restricted) if p not in RUNNING and p not in spared]
                busy = SANDBOX.uids_in_use_by_others(uid) if not restricted else set()
                live = warm.live_runs()
                for p in orphans:
                    if (busy and sandbox.real_uid_of(p) in busy) or (live and sandbox.session_of(p) in live):
                        spared.add(p)
                        continue
                    try:
                        os.kill(p, signal.SIGKILL)
                        killed.append(p)
                    except PermissionError:
                        spared.add(p)
                    except ProcessLookupError:
                        pass
            if not killed:
                return
            for p in killed:
                try:
                    os.waitpid(p, 0)
                except ChildProcessError:
                    pass


def janitor():
    """Removes scratch folders once their answer is out, and sweeps again as this unsandboxed thread after a run
    whose own sweep was made from a sandboxed one (a warm run's was not: it needs no second one)."""
    while True:
        cwd, again = JANITOR.get()
        shutil.rmtree(cwd, ignore_errors=True)
        if not again:
            continue
        try:
            sweep()
        except Exception as err:  # noqa: BLE001 - never let the janitor die
            sys.stderr.write(f"launcher: sweep failed: {err}\n")


def spare():
    q = queue.SimpleQueue()

    def body():
        safe_run(q.get())

    threading.Thread(target=body, name="run", daemon=True).start()
    return q


def dispatch(request):
    with SPARES_LOCK:
        q = SPARES.pop() if SPARES else None
    (q or spare()).put(request)
    with SPARES_LOCK:
        missing = SPARE_THREADS - len(SPARES)
    for _ in range(missing):
        fresh = spare()
        with SPARES_LOCK:
            SPARES.append(fresh)


def kill_all(*_):
    warm.kill_all()
    with CHILDREN_LOCK:
        for pid in list(RUNNING):
            kill_group(pid)
        for pid in launcher_children():  # orphans have no parent-death signal of their own
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    if SANDBOX:
        SANDBOX.kill_leftovers()
    os._exit(0)


class Setup:
    """What one run needs, computed before it starts: the argv (behind prlimit(1) when it sets the rlimits), the
    uid, the Landlock ruleset; applied either to a fresh thread that then posix_spawns (fast), or in a forked child
    before exec (the fallback when prlimit(1) is missing)."""

    def __init__(self, argv, trampoline, uid, ruleset_fd, limits, drop_caps, last_cap, threaded, scoped):
        self.argv = argv
        self.trampoline = trampoline
        self.uid = uid
        self.ruleset_fd = ruleset_fd
        self.limits = limits
        self.drop_caps = drop_caps
        self.last_cap = last_cap
        self.threaded = threaded
        self.popen = {"user": uid, "group": uid, "extra_groups": []} if uid is not None and not threaded else {}
        # kill(-1) from the run's thread reaches exactly the run's processes when the thread's uid is the slot's
        # own, or when Landlock scopes its signals to the run's domain; otherwise it is never used.
        self.domain_killable = threaded and (uid is not None or (ruleset_fd is not None and scoped))
        self.restricted = False
        self.tried = False

    def child(self):
        sandbox.child_setup(self.ruleset_fd, self.limits, self.drop_caps, self.last_cap)

    def restrict_thread(self):
        self.tried = True
        if self.uid is not None:
            sandbox.thread_set_ids(self.uid)
        if self.drop_caps:
            sandbox.drop_capabilities(self.last_cap)
        sandbox.thread_no_new_privs()
        if self.ruleset_fd is not None:
            sandbox.restrict_self(self.ruleset_fd)
        self.restricted = True

    def kill_domain(self):
        if self.domain_killable and self.restricted:
            try:
                os.kill(-1, signal.SIGKILL)
            except OSError:
                pass

    def close(self):
        if self.ruleset_fd is not None:
            close_quietly(self.ruleset_fd)
            self.ruleset_fd = None


class Sandbox:
    """The layers in force, decided once at start by probing them."""

    def __init__(self, config):
        layers = set(config.get("layers", ["landlock", "uid", "rlimits", "reaper"]))
        self.unavailable = []
        self.disabled = sorted({"landlock", "uid", "rlimits", "reaper"} - layers)
        self.last_cap = sandbox.last_capability()
        self.slots_lock = threading.Lock()
        self.free_uids = []
        self.busy_uids = set()
        self.uid_base = int(config.get("uid_base", 2_000_000_000))
        self.nproc_cache = (0.0, 0)
        report = {}
        self.landlock = self.probe_landlock(config, report) if "landlock" in layers else None
        self.uid_slots = 0
        self.drop_caps = False
        if "uid" in layers:
            self.probe_uid(config, report)
        report["capabilities_dropped"] = self.drop_caps
        self.limits = self.probe_rlimits(config.get("limits") or {}, report) if "rlimits" in layers else None
        self.read_paths = list(config.get("read_paths", []))
        self.prlimit = shutil.which("prlimit", path="/usr/bin:/bin:/usr/sbin:/sbin")
        report["spawn"] = "posix_spawn from a sandboxed thread" + (" through prlimit(1)" if self.prlimit else "")
        if self.limits and not self.prlimit:
            report["spawn"] = "fork with a pre-exec sandbox (no prlimit(1) on this host: about 2 ms slower a run)"
        self.reaper = "reaper" in layers and self.probe_reaper()
        report["subreaper"] = self.reaper
        self.dumpable = sandbox.prctl(sandbox.PR_SET_DUMPABLE, 0) != 0
        if self.dumpable:
            self.unavailable.append(("dumpable", "PR_SET_DUMPABLE failed", "run on Linux"))
        report["launcher_dumpable"] = self.dumpable
        report["unavailable"] = [{"layer": layer, "reason": why, "remedy": remedy}
                                 for layer, why, remedy in self.unavailable]
        report["disabled"] = self.disabled
        self.report = report

    def probe_landlock(self, config, report):
        """The Landlock rules every run starts from (system folders, interpreters, devices), or None when the
        kernel has no Landlock."""
        abi, why = sandbox.landlock_abi()
        if abi:
            why = sandbox.probe_landlock(abi, sandbox.handled_fs(abi))
        if why:
            self.unavailable.append(("landlock", why, "run on Linux 5.13+ with Landlock enabled; in a container, "
                                     "allow the landlock_* syscalls in its seccomp profile"))
            return None
        landlock = sandbox.Landlock(abi, config.get("secret_paths", []), config.get("private_paths", []))
        search_path = config.get("search_path", "/usr/bin:/bin")
        for path in sandbox.SYSTEM_READ + sandbox.interpreter_prefixes(config.get("interpreters", []), search_path):
            landlock.add_static(path, sandbox.READ_EXEC)
        for path in sandbox.DEVICES_RW:
            landlock.add_static(path, sandbox.FS_READ_FILE | sandbox.FS_WRITE_FILE
                                | sandbox.FS_TRUNCATE | sandbox.FS_IOCTL_DEV)
        for path in sandbox.DEVICES_R:
            landlock.add_static(path, sandbox.FS_READ_FILE | sandbox.FS_IOCTL_DEV)
        scopes = []
        if landlock.scoped & sandbox.SCOPE_SIGNAL:
            scopes.append("signal")
        if landlock.scoped & sandbox.SCOPE_ABSTRACT_UNIX_SOCKET:
            scopes.append("abstract_unix_socket")
        report["landlock"] = {"abi": abi, "scoped": scopes}
        if not scopes:
            self.unavailable.append(("landlock-scope", f"Landlock ABI {abi} has no scoping (ABI 6, Linux "
                                     "6.12): a function could signal processes of its own uid",
                                     "run on Linux 6.12+, or as root so functions get their own uid"))
        return landlock

    def probe_uid(self, config, report):
        """A uid per run slot when this process is root and a slot's uid can use what the worker named; else uid 0
        without root's capabilities (drop_caps)."""
        if os.geteuid() != 0:
            self.unavailable.append(("uid", "the worker does not run as root, so functions run as its own uid",
                                     "run the worker as root to give each run slot its own uid"))
            return
        search_path = config.get("search_path", "/usr/bin:/bin")
        checks = []
        for c in config.get("uid_checks", []):
            path = c.get("path")
            if not path:
                continue
            if not os.path.isabs(path):
                path = sandbox.which(path, search_path) or path
            checks.append((path, os.X_OK if c.get("mode") == "x" else os.R_OK, c.get("what", "the file")))
        why = sandbox.probe_uid(self.uid_base, checks)
        if why:
            self.unavailable.append(("uid", why, "make that path readable (and its folders enterable) by "
                                     "others, e.g. move main.py out of /root or chmod o+x its folders; "
                                     "or set --function-uid-base to a uid this host maps"))
            # uid 0 without root's powers: DAC is not bypassed, no ptrace or /proc of the (fully capable) worker.
            self.drop_caps = True
            self.unavailable.append(("rlimits-processes", "functions run as uid 0, which Linux exempts from "
                                     "RLIMIT_NPROC: the process limit does not hold",
                                     "fix the uid layer's problem above so each run slot gets its own uid"))
            return
        self.uid_slots = max(1, int(config.get("uid_slots", 4)))
        self.free_uids = [self.uid_base + i for i in range(self.uid_slots)]
        report["uid_separation"] = {"first": self.uid_base, "last": self.uid_base + self.uid_slots - 1}
        self.kill_leftovers()

    def probe_rlimits(self, limits, report):
        """The rlimits of every run (the process limit is set per run: it depends on the uid)."""
        mib = 1024 * 1024
        chosen = {
            "memory_mib": int(limits.get("memory_mib", 1024)),
            "processes": int(limits.get("processes", 256)),
            "file_size_mib": int(limits.get("file_size_mib", 100)),
            "open_files": int(limits.get("open_files", 1024)),
        }
        self.fixed_limits = [
            (resource.RLIMIT_DATA, chosen["memory_mib"] * mib),
            (resource.RLIMIT_FSIZE, chosen["file_size_mib"] * mib),
            (resource.RLIMIT_NOFILE, chosen["open_files"]),
            (resource.RLIMIT_CORE, 0),
        ]
        report["rlimits"] = dict(chosen, core=0,
                                 processes_counted="per slot uid" if self.uid_slots else "beside the worker's uid")
        return chosen

    def probe_reaper(self):
        """This process as the child subreaper of everything its functions start."""
        if sandbox.prctl(sandbox.PR_SET_CHILD_SUBREAPER, 1) == 0:
            return True
        self.unavailable.append(("reaper", "PR_SET_CHILD_SUBREAPER failed: a function's setsid daemons "
                                 "could outlive their run", "run on Linux 3.4+"))
        return False

    def acquire_uid(self):
        if not self.uid_slots:
            return None
        with self.slots_lock:
            # More runs than slots only if the worker's own limit is above uid_slots: extend the range.
            uid = self.free_uids.pop(0) if self.free_uids else self.uid_base + self.uid_slots + len(self.busy_uids)
            self.busy_uids.add(uid)
            return uid

    def release_uid(self, uid):
        if uid is None:
            return
        with self.slots_lock:
            self.busy_uids.discard(uid)
            if uid < self.uid_base + self.uid_slots:
                self.free_uids.append(uid)

    def uids_in_use_by_others(self, uid):
        if not self.uid_slots:
            return set()
        with self.slots_lock:
            return self.busy_uids - {uid}

    def kill_leftovers(self):
        for i in range(self.uid_slots):
            sandbox.kill_uid(self.uid_base + i)
        for i in range(WARM_UIDS if self.uid_slots else 0):
            sandbox.kill_uid(self.warm_uid(i))

    def warm_uid(self, index):
        """The uid of a warm process (and of its runs) when the worker is root: past every slot uid acquire_uid may
        hand out (the worker's concurrency is at most 256), one per warm process in a ring of WARM_UIDS."""
        if not self.uid_slots:
            return None
        return self.uid_base + self.uid_slots + 256 + index % WARM_UIDS

    def nproc_limit(self, uid):
        processes = self.limits["processes"]
        if uid is not None:
            return processes  # the slot's own uid: exact
        # The worker's own uid: RLIMIT_NPROC counts all its tasks, so the limit is what it has now plus the budget.
        at, count = self.nproc_cache
        now = time.monotonic()
        if now - at > 1.0:
            count = sandbox.count_tasks_of(os.getuid())
            self.nproc_cache = (now, count)
        return count + processes

    def prepare(self, request, uid):
        argv = [request["command"]] + list(request["args"])  # an absolute path (execute resolved it)
        limits = None
        if self.limits:
            limits = self.fixed_limits + [(resource.RLIMIT_NPROC, self.nproc_limit(uid))]
        trampoline = bool(limits and self.prlimit)
        if trampoline:
            flags = {resource.RLIMIT_DATA: "--data", resource.RLIMIT_FSIZE: "--fsize",
                     resource.RLIMIT_NOFILE: "--nofile", resource.RLIMIT_CORE: "--core",
                     resource.RLIMIT_NPROC: "--nproc"}
            argv = [self.prlimit] + [f"{flags[k]}={v}" for k, v in limits] + ["--"] + argv
        threaded = trampoline or not limits
        ruleset_fd = None
        if self.landlock:
            ruleset_fd = self.landlock.ruleset(list(request.get("read_paths", [])) + self.read_paths,
                                               [request["cwd"]])
        return Setup(argv, trampoline, uid, ruleset_fd, limits, self.drop_caps, self.last_cap, threaded,
                     bool(self.landlock and self.landlock.scoped & sandbox.SCOPE_SIGNAL))


def main():
    global SANDBOX, PARENT_DEATH_PY
    warm.bind(sys.modules[__name__])
    if len(sys.argv) < 2:
        sys.stderr.write("launcher: usage: launcher.py <path of @allora/node-function's python/parent_death.py>\n")
        sys.exit(2)
    PARENT_DEATH_PY = os.path.abspath(sys.argv[1])
    # By path, never by import: no module name of a function's can be shadowed.
    runpy.run_path(PARENT_DEATH_PY, run_name="_allora_parent_death")["die_with_parent"](os.getppid())
    signal.signal(signal.SIGTERM, kill_all)
    signal.signal(signal.SIGINT, kill_all)
    first = sys.stdin.readline()
    try:
        config = json.loads(first).get("config")
    except (ValueError, AttributeError):
        config = None
    if not isinstance(config, dict):
        sys.stderr.write("launcher: the first line must be {\"config\": {...}}; using the default sandbox\n")
        config = {}
    SANDBOX = Sandbox(config)  # probes fork children: done before any thread exists
    global CHILDREN_FD
    try:
        CHILDREN_FD = os.open(f"/proc/self/task/{os.getpid()}/children", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        CHILDREN_FD = None  # a kernel without CONFIG_PROC_CHILDREN: sandboxed threads rely on kill(-1) and the janitor
    threading.Thread(target=janitor, name="janitor", daemon=True).start()
    sys.stdout.write(json.dumps({"ready": True, "pid": os.getpid(), "sandbox": SANDBOX.report}) + "\n")
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
        dispatch(request)
    kill_all()


if __name__ == "__main__":
    main()
